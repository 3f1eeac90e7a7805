using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using RayGen.Protocol;

namespace RayGen.Store;

/// <summary>
/// The store's bookkeeping for <see cref="SharedObject"/>s: capacity, freeing, spilling.
/// </summary>
/// <remarks>
/// Freeing is finalizer-free. Every process keeps its shared objects in a list, each with a weak reference to
/// the <see cref="ObjectEntry"/> that holds it; a sweep (every second, and under pressure after a GC) frees those
/// whose entry was collected. In the driver an entry stays reachable while a driver ref, a pending task or a
/// worker's borrow (tracked in <see cref="ObjectDirectory"/>) holds it, so the sweep deletes a file exactly when
/// none can reach it; in a worker the sweep only unmaps, and the worker's borrow table reports the ids it let go.
/// </remarks>
internal sealed unsafe partial class SharedStore : IDisposable
{
    private readonly List<SharedObject> _objects = new();
    private long _spillUsed;
    private readonly Timer _sweeper;

    /// <summary>Bytes the spill directory may hold; by default what its disk has free when the store first spills.</summary>
    internal long SpillLimit { get; set; } = -1;

    /// <summary>Bytes in the spill directory now.</summary>
    internal long SpillUsed => Interlocked.Read(ref _spillUsed);

    /// <summary>Driver only: asks every worker to collect and report the refs it let go, and waits for the answers.</summary>
    internal Action? CollectRemote { get; set; }

    /// <summary>Worker only: runs after each sweep (the borrow table reports collected refs to the driver).</summary>
    internal Action? AfterSweep { get; set; }

    /// <summary>
    /// Ends the store with its session: the sweeper stops, every mapping is let go and kept files are dropped.
    /// Files are not deleted one by one: the session's directory goes as a whole.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _sweeper.Dispose();
        List<SharedObject> all;
        lock (_objects)
        {
            all = new List<SharedObject>(_objects);
            _objects.Clear();
        }

        foreach (var shared in all) shared.TryFree(force: true);
        Files.Drain();
        DropHandedOverMaps();
        CollectRemote = null;
        AfterSweep = null;
    }

    /// <summary>Whether the session this store served has ended (its directory goes as a whole; nothing is deleted file by file).</summary>
    internal bool IsDisposed => _disposed;

    internal void Track(SharedObject shared)
    {
        lock (_objects) _objects.Add(shared);
    }

    /// <summary>Frees the objects whose entry was collected; returns how many.</summary>
    internal int Sweep()
    {
        // Read first: a collection that ends during this sweep is swept again next time.
        Volatile.Write(ref _sweptAtCollection, GC.CollectionCount(0));
        var freed = 0;
        lock (_objects)
        {
            for (var i = _objects.Count - 1; i >= 0; i--)
            {
                var shared = _objects[i];
                if (shared.IsFreed || (shared.Owner is { } owner && !owner.TryGetTarget(out _) && shared.TryFree()))
                {
                    _objects.RemoveAt(i);
                    freed++;
                }
            }
        }

        Files.Trim();
        if (!IsOwner) DropStaleHandedOverMaps();
        AfterSweep?.Invoke();
        return freed;
    }

    /// <summary>Collects in this process and (from the driver) in every worker, then frees what nothing reaches.</summary>
    internal void CollectEverywhere()
    {
        // Values freed as the workers report their releases are deleted too, not kept or given back (as in CollectLocal).
        Files.Refuse();
        try
        {
            CollectRemote?.Invoke();
            CollectLocal();
        }
        finally
        {
            Files.Accept();
        }
    }

    /// <summary>A full collection here: frees what nothing reaches and gives kept files back too (see <see cref="FilePool"/>), so the store is as small as it can be.</summary>
    internal void CollectLocal()
    {
        Files.Refuse();
        try
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            // A freed value in shared memory may have held refs (Containment): they are collectable only now.
            if (Sweep() > 0)
            {
                GC.Collect();
                Sweep();
            }

            Files.Drain();
        }
        finally
        {
            Files.Accept();
        }
    }

    private bool Fits(long length) => Interlocked.Read(ref _used) + length <= _capacity;

    internal bool TryCharge(long length)
    {
        var used = Interlocked.Add(ref _used, length);
        if (used <= _capacity)
        {
            NotePeak(used);
            return true;
        }

        Interlocked.Add(ref _used, -length);
        return false;
    }

    private void NotePeak(long used)
    {
        var peak = Interlocked.Read(ref _peak);
        while (used > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peak, used, peak);
            if (seen == peak) return;
            peak = seen;
        }
    }

    internal void Uncharge(long length)
    {
        if (length != 0) Interlocked.Add(ref _used, -length);
    }

    internal bool TryChargeSpill(long length)
    {
        if (_spill is null) return false;
        if (SpillLimit < 0)
        {
            try
            {
                SpillLimit = new DriveInfo(SpillDirectory()).AvailableFreeSpace;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                SpillLimit = long.MaxValue;
            }
        }

        if (Interlocked.Add(ref _spillUsed, length) <= SpillLimit) return true;
        Interlocked.Add(ref _spillUsed, -length);
        return false;
    }

    internal void UnchargeSpill(long length)
    {
        if (length != 0) Interlocked.Add(ref _spillUsed, -length);
    }

    /// <summary>
    /// Room for <paramref name="length"/> more bytes: free what nothing reaches (sweep, then a GC here, then a GC in
    /// every worker), then spill the oldest values nobody is reading to disk. False when all that is not enough.
    /// </summary>
    internal bool Reserve(long length)
    {
        if (TryCharge(length)) return true;
        lock (_relieving)
        {
            if (TryCharge(length)) return true;
            // Kept files are the first to go, and values freed from here on are deleted rather than kept.
            Files.Refuse();
            try
            {
                Files.Drain();
                if (TryCharge(length)) return true;
                Sweep();
                if (TryCharge(length)) return true;
                CollectLocal();
                if (TryCharge(length)) return true;
                if (CollectRemote is { } remote)
                {
                    remote();
                    CollectLocal();
                    if (TryCharge(length)) return true;
                }

                SpillUntil(length);
                return TryCharge(length);
            }
            finally
            {
                Files.Accept();
            }
        }
    }

    /// <summary>
    /// A kept file for a new value of <paramref name="needed"/> bytes (see <see cref="FilePool"/>). When none
    /// fits but a value that would is no longer reachable, frees it first: a sweep, then for a large value a
    /// collection of the young generations, which costs far less than faulting in a fresh file of that size.
    /// </summary>
    internal bool TryTakeKept(long needed, out FilePool.Kept kept)
    {
        // A worker's large value: refs dropped since the last collection are reported now, without a collection of its
        // own, so that the driver frees their values and gives their files back while this one is written.
        if (!IsOwner && needed >= CollectForReuseAbove) SweepIfCollected();
        if (Files.TryTake(needed, out kept)) return true;
        if (!IsOwner) return TryReclaim(needed, out kept);
        if (!HasReusable(needed)) return false;
        Sweep();
        if (Files.TryTake(needed, out kept)) return true;
        if (needed < CollectForReuseAbove) return false;
        // Generation 1 too: a ref dropped just before the put may have lived through one collection already.
        GC.Collect(1, GCCollectionMode.Forced, blocking: true);
        Sweep();
        return Files.TryTake(needed, out kept);
    }

    private int _sweptAtCollection = -1;

    /// <summary>Sweeps when the garbage collector ran since the last sweep (refs it collected are found only by a sweep); true when it swept.</summary>
    internal bool SweepIfCollected()
    {
        if (GC.CollectionCount(0) == Volatile.Read(ref _sweptAtCollection)) return false;
        Sweep();
        return true;
    }

    /// <summary>Values at least this large may collect the young generations to find a freed file to reuse.</summary>
    internal const long CollectForReuseAbove = 4L * 1024 * 1024;

    private bool HasReusable(long needed)
    {
        lock (_objects)
        {
            foreach (var shared in _objects)
            {
                if (shared.IsReusable && FilePool.Fits(shared.MappedLength, IsOwner ? shared.Charged : shared.Length, needed)) return true;
            }
        }

        return false;
    }

    private readonly object _relieving = new();

    private void SpillUntil(long length)
    {
        SharedObject[] candidates;
        lock (_objects) candidates = _objects.ToArray();
        foreach (var shared in candidates)
        {
            if (Fits(length)) return;
            shared.TrySpill();
        }
    }

    /// <summary>
    /// The driver takes a file a worker wrote (a task's result or a put) when it fits as things are; false, and the
    /// file untouched, when room must be made first (<see cref="AdoptOrRefuse"/>, which may wait on every worker).
    /// </summary>
    internal bool TryAdopt(in Payload payload, out SharedObject shared)
    {
        ValidateHandedOver(payload);
        if (!TryCharge(payload.Length))
        {
            shared = null!;
            return false;
        }

        shared = new SharedObject(this, payload.File!, payload.Length, owned: true, spilled: false, charged: payload.Length);
        Track(shared);
        return true;
    }

    /// <summary>
    /// The driver takes a file a worker wrote (a task's result or a put) only when it fits, as a put in the driver:
    /// room is made (freeing, spilling others), else the value itself moves to the spill directory; when neither
    /// works the file is deleted and <see cref="ObjectStoreFullException"/> is thrown. <paramref name="what"/> names
    /// the value in that message.
    /// </summary>
    internal SharedObject AdoptOrRefuse(in Payload payload, string what)
    {
        ValidateHandedOver(payload);
        var path = PathOf(payload.File!, spilled: false);
        if (Reserve(payload.Length))
        {
            var kept = new SharedObject(this, payload.File!, payload.Length, owned: true, spilled: false, charged: payload.Length);
            Track(kept);
            return kept;
        }

        if (TryChargeSpill(payload.Length))
        {
            try
            {
                File.Move(path, PathOf(payload.File!, spilled: true, create: true));
                var spilled = new SharedObject(this, payload.File!, payload.Length, owned: true, spilled: true, charged: payload.Length);
                Track(spilled);
                return spilled;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                UnchargeSpill(payload.Length);
            }
        }

        TryDelete(path);
        throw new ObjectStoreFullException(
            $"The object store is full: {Used} of its capacity in use and {SpillUsed} bytes spilled, and {what} of " +
            $"{payload.Length} bytes fits neither after freeing unreachable values nor in the spill directory.");
    }

    /// <summary>Whether a frame hands this process a file of its own (a worker's large result or put).</summary>
    internal static bool IsHandedOver(in Payload payload) => payload.File is not null && payload.Transfer;

    /// <summary>Deletes a file handed over that nobody will take (its run was already reported), so it never outlives its frame.</summary>
    internal void Discard(in Payload payload)
    {
        if (!IsHandedOver(payload) || _disposed) return;
        ValidateName(payload.File!);
        TryDelete(PathOf(payload.File!, payload.Spilled));
    }

    private static void ValidateHandedOver(in Payload payload)
    {
        if (!IsHandedOver(payload) || payload.Spilled) throw new InvalidDataException("A worker must hand over a file in shared memory.");
        ValidateName(payload.File!);
    }

    /// <summary>A worker maps a value the driver owns (it arrived as an object's value).</summary>
    internal SharedObject Borrow(in Payload payload)
    {
        ValidateName(payload.File!);
        var shared = new SharedObject(this, payload.File!, payload.Length, owned: false, spilled: payload.Spilled, charged: 0);
        Track(shared);
        return shared;
    }

    /// <summary>The frame form of a shared object: its file's name.</summary>
    internal static Payload PayloadOf(SharedObject shared, bool transfer)
    {
        // A hand-over that does not take a lent file's charge over: the driver stops counting that file before it takes this one.
        if (transfer) shared.SettlePendingLent();
        return new() { File = shared.Name, Length = shared.Length, Spilled = shared.Spilled, Transfer = transfer };
    }

    /// <summary>
    /// Driver: takes a file a worker wrote for a put whose bytes are charged already (the charge of the file it was
    /// lent and wrote the value into, see LentFiles.TakeOver); checks the payload first.
    /// </summary>
    internal SharedObject AdoptCharged(in Payload payload)
    {
        ValidateHandedOver(payload);
        var shared = new SharedObject(this, payload.File!, payload.Length, owned: true, spilled: false, charged: payload.Length);
        Track(shared);
        return shared;
    }

    /// <summary>Driver: throws <see cref="InvalidDataException"/> unless the payload hands over a file in shared memory.</summary>
    internal static void CheckHandedOver(in Payload payload) => ValidateHandedOver(payload);

    internal string NewName() => $"{Environment.ProcessId}-{Interlocked.Increment(ref _next)}";

    internal string PathOf(string name, bool spilled, bool create = false)
    {
        if (!spilled) return Path.Combine(_directory, name);
        if (create) return Path.Combine(SpillDirectory(), name);
        var directory = _directory;
        // The spill directory sits beside the session's shared-memory directory under the same name, on disk.
        return Path.Combine(Path.GetTempPath(), Path.GetFileName(Path.GetDirectoryName(directory)!) + "-spill", name);
    }

    private static void ValidateName(string name)
    {
        if (name.Contains('/', StringComparison.Ordinal) || name.StartsWith('.') || name.IndexOf('-') <= 0)
            throw new InvalidDataException($"A payload named the file '{name}', which is not a store file name.");
    }

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
