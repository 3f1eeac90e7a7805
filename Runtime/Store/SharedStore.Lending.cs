using System;
using System.Collections.Generic;
using System.Threading;

namespace RayGen.Store;

/// <summary>
/// Reuse of the files workers write. A worker's large value (a result, a put) is handed over: the driver owns the file
/// from then on. The worker keeps its writable map of it (<see cref="HoldHandedOver"/>); once the driver frees the
/// value it gives the file back to the worker that wrote it (<see cref="LendBack"/>, a <c>FileFreedFrame</c>), still
/// charged to the driver's capacity, and the worker's next large value is written into those warm pages (its
/// <see cref="FilePool"/>) instead of faulting in a fresh file. Only the writer's own map is fast: mapping the same
/// file anew costs the faults again.
/// </summary>
/// <remarks>
/// Nothing is overwritten while another process reads it: the driver frees a value only once no ref reaches it in
/// any process (a worker unmaps its copy before it reports the release, a pinned run argument or an open view keeps
/// it), and a spilled value is never given back. The driver stops counting a lent file when the worker reports it
/// written again or deleted (<see cref="LentFilesSettled"/>), or when that worker dies (the driver deletes it then).
/// </remarks>
internal sealed unsafe partial class SharedStore
{
    private const int HandedOverKept = 16;

    private readonly LinkedList<HandedOverMap> _handedOver = new();

    private long _handedOverReuses;

    internal readonly record struct HandedOverMap(string Name, nint Map, long MapLength, long Size);

    /// <summary>Driver: offered a freed file a worker wrote; true when it went back to that worker (not deleted, still charged).</summary>
    internal Func<SharedObject, bool>? LendBack { get; set; }

    /// <summary>Worker: tells the driver to stop counting files it lent (written again under a new name, or deleted).</summary>
    internal Action<string[]>? LentFilesSettled { get; set; }

    /// <summary>Worker: asks the driver to free what nothing reaches now and waits for its answer; false when it could not ask.</summary>
    internal Func<bool>? ReclaimRemote { get; set; }

    /// <summary>Whether values written here keep their writable map once freed or handed over (the driver; a worker the driver lends files to).</summary>
    internal bool ReusesWrites => IsOwner || LentFilesSettled is not null;

    /// <summary>Worker: values written into a file the driver gave back (for tests and benchmarks).</summary>
    internal long HandedOverReuses => Interlocked.Read(ref _handedOverReuses);

    /// <summary>Worker: maps of handed-over files kept while the driver holds their values (for tests).</summary>
    internal int HandedOverCount
    {
        get
        {
            lock (_handedOver) return _handedOver.Count;
        }
    }

    /// <summary>
    /// Worker: keeps the writable map of a file handed over to the driver, in case the driver gives it back. The oldest
    /// map goes when too many are kept (the driver may hold those values for long); false when the store is closing.
    /// </summary>
    internal bool HoldHandedOver(string name, byte* map, long mapLength, long size)
    {
        if (IsOwner || _disposed || LentFilesSettled is null) return false;
        HandedOverMap? evicted = null;
        lock (_handedOver)
        {
            _handedOver.AddLast(new HandedOverMap(name, (nint)map, mapLength, size));
            if (_handedOver.Count > HandedOverKept)
            {
                evicted = _handedOver.First!.Value;
                _handedOver.RemoveFirst();
            }
        }

        if (evicted is { } old) Native.Unmap((byte*)old.Map, old.MapLength);
        return true;
    }

    /// <summary>
    /// Worker: the driver freed a file this worker wrote and gave it back. With its map still here it joins the pool of
    /// files to write into; otherwise (the map was let go, or the pool is full) it is deleted and the driver told.
    /// </summary>
    internal void OnFileFreed(string name)
    {
        ValidateName(name);
        HandedOverMap? found = null;
        lock (_handedOver)
        {
            for (var node = _handedOver.First; node is not null; node = node.Next)
            {
                if (node.Value.Name != name) continue;
                found = node.Value;
                _handedOver.Remove(node);
                break;
            }
        }

        if (found is { } map && !_disposed && Files.TryKeep(name, (byte*)map.Map, map.MapLength, map.Size, long.MaxValue)) return;
        if (found is { } unkept) Native.Unmap((byte*)unkept.Map, unkept.MapLength);
        if (!_disposed) TryDelete(PathOf(name, spilled: false));
        SettleLent(name);
    }

    /// <summary>Worker: the driver stops counting a file it lent (see <see cref="LentFilesSettled"/>).</summary>
    internal void SettleLent(string name)
    {
        if (IsOwner || _disposed) return;
        LentFilesSettled?.Invoke(new[] { name });
    }

    /// <summary>Worker: a value was written into a file the driver gave back.</summary>
    internal void NoteHandedOverReuse() => Interlocked.Increment(ref _handedOverReuses);

    /// <summary>
    /// Worker: a file given back for a value of <paramref name="needed"/> bytes. When none is here but a handed-over
    /// file that would fit may be free by now, frees this worker's unreachable values (which reports their release),
    /// then asks the driver to free and give back what nothing reaches: a round trip and two young collections cost far
    /// less than faulting in a fresh file of that size.
    /// </summary>
    private bool TryReclaim(long needed, out FilePool.Kept kept)
    {
        kept = default;
        if (needed < CollectForReuseAbove || ReclaimRemote is not { } reclaim) return false;
        if (HasReusable(needed))
        {
            GC.Collect(1, GCCollectionMode.Forced, blocking: true);
            Sweep();
        }

        if (!HandedOverFits(needed) || !reclaim()) return false;
        return Files.TryTake(needed, out kept);
    }

    private bool HandedOverFits(long needed)
    {
        lock (_handedOver)
        {
            foreach (var map in _handedOver)
            {
                if (FilePool.Fits(map.MapLength, map.Size, needed)) return true;
            }
        }

        return false;
    }

    /// <summary>Driver: a young collection and a sweep, so values nothing reaches are freed (and files given back) now.</summary>
    internal void CollectForReuse()
    {
        GC.Collect(1, GCCollectionMode.Forced, blocking: true);
        Sweep();
    }

    /// <summary>
    /// Worker, at each sweep: lets go of maps whose file the driver deleted rather than gave back (room was being
    /// made, the lent quarter was full, the value was spilled): a deleted tmpfs file's pages live as long as a map.
    /// </summary>
    private void DropStaleHandedOverMaps()
    {
        List<HandedOverMap>? stale = null;
        lock (_handedOver)
        {
            for (var node = _handedOver.First; node is not null;)
            {
                var next = node.Next;
                if (!System.IO.File.Exists(PathOf(node.Value.Name, spilled: false)))
                {
                    (stale ??= new List<HandedOverMap>()).Add(node.Value);
                    _handedOver.Remove(node);
                }

                node = next;
            }
        }

        if (stale is null) return;
        foreach (var map in stale) Native.Unmap((byte*)map.Map, map.MapLength);
    }

    private void DropHandedOverMaps()
    {
        List<HandedOverMap> all;
        lock (_handedOver)
        {
            all = new List<HandedOverMap>(_handedOver);
            _handedOver.Clear();
        }

        foreach (var map in all) Native.Unmap((byte*)map.Map, map.MapLength);
    }
}
