using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace RayGen.Store;

/// <summary>
/// Freed shared-memory files this process wrote, kept with their writable map for its next large value (the driver's
/// own, or in a worker those the driver gave back, see SharedStore.Lending). Writing into
/// pages this process has mapped and touched before costs a memcpy; a fresh file's pages cost many times that to
/// fault in (on a virtual machine, several times more again). A kept file still counts against the store's
/// capacity: it is given back at once when room is short, after a few idle seconds, and at shutdown.
/// </summary>
/// <remarks>
/// Only a file no other process can read is kept: the driver frees a value once no ref in any process reaches it
/// (a worker unmaps its copy before it reports the release, and an open view holds its ref), so new bytes written
/// into a kept file are never seen through an old value.
/// </remarks>
internal sealed unsafe class FilePool
{
    private const int MaxFiles = 4;
    private const long IdleMilliseconds = 5000;

    private readonly SharedStore _store;
    private readonly List<Kept> _kept = new();
    private long _bytes;
    private int _refusing;
    private long _reuses;

    /// <summary>A kept file: its name, its writable map, and the bytes it holds (its size, charged to the store).</summary>
    public FilePool(SharedStore store) => _store = store;

    internal readonly record struct Kept(string Name, nint Map, long MapLength, long Size, long KeptAt);

    /// <summary>Bytes of the files kept now (part of <see cref="SharedStore.Used"/>).</summary>
    internal long Bytes => Interlocked.Read(ref _bytes);

    internal int Count
    {
        get
        {
            lock (_kept) return _kept.Count;
        }
    }

    /// <summary>How many values were written into a kept file (for tests and benchmarks).</summary>
    internal long Reuses => Interlocked.Read(ref _reuses);

    /// <summary>
    /// Keeps a freed file mapped writable at <paramref name="map"/>, with <paramref name="size"/> bytes charged to the
    /// store (the charge moves to the pool); false when the pool is full, or while room is being made.
    /// </summary>
    public bool TryKeep(string name, byte* map, long mapLength, long size, long capacity)
    {
        if (Volatile.Read(ref _refusing) > 0) return false;
        lock (_kept)
        {
            // A quarter of the store at most, so that kept files never crowd out the values themselves.
            if (_kept.Count >= MaxFiles || _bytes + size > capacity / 4) return false;
            _kept.Add(new Kept(name, (nint)map, mapLength, size, Environment.TickCount64));
            _bytes += size;
        }

        return true;
    }

    /// <summary>
    /// Takes the kept file that fits a value of <paramref name="needed"/> bytes best: mapped at least that long, and not
    /// twice as long (the rest of a bigger file would be cut off and its warm pages lost). Its charge goes with it.
    /// </summary>
    public bool TryTake(long needed, out Kept kept)
    {
        lock (_kept)
        {
            var best = -1;
            for (var i = 0; i < _kept.Count; i++)
            {
                var candidate = _kept[i];
                if (candidate.MapLength < needed || candidate.Size > 2 * needed + (64 * 1024)) continue;
                if (best < 0 || candidate.MapLength < _kept[best].MapLength) best = i;
            }

            if (best < 0)
            {
                kept = default;
                return false;
            }

            kept = _kept[best];
            _kept.RemoveAt(best);
            _bytes -= kept.Size;
        }

        Interlocked.Increment(ref _reuses);
        return true;
    }

    /// <summary>Whether a kept file would fit a value of <paramref name="needed"/> bytes (see <see cref="TryTake"/>).</summary>
    public static bool Fits(long mapLength, long size, long needed) => mapLength >= needed && size <= 2 * needed + (64 * 1024);

    /// <summary>While room is made, freed files are deleted rather than kept; pair with <see cref="Accept"/>.</summary>
    public void Refuse() => Interlocked.Increment(ref _refusing);

    public void Accept() => Interlocked.Decrement(ref _refusing);

    /// <summary>Whether room is being made now (then a freed file a worker wrote is deleted too, not given back to it).</summary>
    public bool Refusing => Volatile.Read(ref _refusing) > 0;

    /// <summary>Gives every kept file back; returns the bytes that frees.</summary>
    public long Drain() => Release(static _ => true);

    /// <summary>Gives back the files kept for a while without use (called by the periodic sweep).</summary>
    public void Trim()
    {
        var before = Environment.TickCount64 - IdleMilliseconds;
        Release(kept => kept.KeptAt < before);
    }

    private long Release(Predicate<Kept> which)
    {
        List<Kept>? released = null;
        lock (_kept)
        {
            for (var i = _kept.Count - 1; i >= 0; i--)
            {
                if (!which(_kept[i])) continue;
                (released ??= new List<Kept>()).Add(_kept[i]);
                _bytes -= _kept[i].Size;
                _kept.RemoveAt(i);
            }
        }

        if (released is null) return 0;
        long freed = 0;
        foreach (var kept in released)
        {
            Drop(kept);
            freed += kept.Size;
        }

        return freed;
    }

    /// <summary>Unmaps and deletes a file taken from the pool that cannot be used after all, and gives its bytes back.</summary>
    public void Drop(in Kept kept)
    {
        Native.Unmap((byte*)kept.Map, kept.MapLength);
        // At shutdown the session's directory goes as a whole.
        if (!_store.IsDisposed) SharedStore.TryDelete(_store.PathOf(kept.Name, spilled: false));
        // A worker's kept file was lent by the driver, which counts it until told.
        if (_store.IsOwner) _store.Uncharge(kept.Size);
        else _store.SettleLent(kept.Name);
    }

    /// <summary>Renames a taken file for the value it will hold and opens it for writing; null (and the file dropped) on failure.</summary>
    public FileStream? Reopen(in Kept kept, string name)
    {
        try
        {
            var path = _store.PathOf(name, spilled: false);
            File.Move(_store.PathOf(kept.Name, spilled: false), path);
            return new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 0 });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The file is under one name or the other.
            Drop(kept);
            SharedStore.TryDelete(_store.PathOf(name, spilled: false));
            return null;
        }
    }
}
