using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace RayGen.Store;

/// <summary>
/// Freed shared-memory files the driver wrote, kept with their writable map for its next large value. Writing into
/// pages this process has mapped and touched before costs a memcpy; a fresh file's pages cost many times that to
/// fault in (on a virtual machine, several times more again). A kept file still counts against the store's
/// capacity: it is given back at once when room is short, after a few idle seconds, and at shutdown.
/// </summary>
/// <remarks>
/// Only a file no other process can read is kept: the driver frees a value once no ref in any process reaches it
/// (a worker unmaps its copy before it reports the release, and an open view holds its ref), so new bytes written
/// into a kept file are never seen through an old value.
/// </remarks>
internal static unsafe class FilePool
{
    private const int MaxFiles = 4;
    private const long IdleMilliseconds = 5000;

    private static readonly List<Kept> s_kept = new();
    private static long s_bytes;
    private static int s_refusing;
    private static long s_reuses;

    /// <summary>A kept file: its name, its writable map, and the bytes it holds (its size, charged to the store).</summary>
    internal readonly record struct Kept(string Name, nint Map, long MapLength, long Size, long KeptAt);

    /// <summary>Bytes of the files kept now (part of <see cref="SharedPayloads.Used"/>).</summary>
    internal static long Bytes => Interlocked.Read(ref s_bytes);

    internal static int Count
    {
        get
        {
            lock (s_kept) return s_kept.Count;
        }
    }

    /// <summary>How many values were written into a kept file (for tests and benchmarks).</summary>
    internal static long Reuses => Interlocked.Read(ref s_reuses);

    /// <summary>
    /// Keeps a freed file mapped writable at <paramref name="map"/>, with <paramref name="size"/> bytes charged to the
    /// store (the charge moves to the pool); false when the pool is full, or while room is being made.
    /// </summary>
    public static bool TryKeep(string name, byte* map, long mapLength, long size, long capacity)
    {
        if (Volatile.Read(ref s_refusing) > 0) return false;
        lock (s_kept)
        {
            // A quarter of the store at most, so that kept files never crowd out the values themselves.
            if (s_kept.Count >= MaxFiles || s_bytes + size > capacity / 4) return false;
            s_kept.Add(new Kept(name, (nint)map, mapLength, size, Environment.TickCount64));
            s_bytes += size;
        }

        return true;
    }

    /// <summary>
    /// Takes the kept file that fits a value of <paramref name="needed"/> bytes best: mapped at least that long, and not
    /// twice as long (the rest of a bigger file would be cut off and its warm pages lost). Its charge goes with it.
    /// </summary>
    public static bool TryTake(long needed, out Kept kept)
    {
        lock (s_kept)
        {
            var best = -1;
            for (var i = 0; i < s_kept.Count; i++)
            {
                var candidate = s_kept[i];
                if (candidate.MapLength < needed || candidate.Size > 2 * needed + (64 * 1024)) continue;
                if (best < 0 || candidate.MapLength < s_kept[best].MapLength) best = i;
            }

            if (best < 0)
            {
                kept = default;
                return false;
            }

            kept = s_kept[best];
            s_kept.RemoveAt(best);
            s_bytes -= kept.Size;
        }

        Interlocked.Increment(ref s_reuses);
        return true;
    }

    /// <summary>Whether a kept file would fit a value of <paramref name="needed"/> bytes (see <see cref="TryTake"/>).</summary>
    public static bool Fits(long mapLength, long size, long needed) => mapLength >= needed && size <= 2 * needed + (64 * 1024);

    /// <summary>While room is made, freed files are deleted rather than kept; pair with <see cref="Accept"/>.</summary>
    public static void Refuse() => Interlocked.Increment(ref s_refusing);

    public static void Accept() => Interlocked.Decrement(ref s_refusing);

    /// <summary>Gives every kept file back; returns the bytes that frees.</summary>
    public static long Drain() => Release(static _ => true);

    /// <summary>Gives back the files kept for a while without use (called by the periodic sweep).</summary>
    public static void Trim()
    {
        var before = Environment.TickCount64 - IdleMilliseconds;
        Release(kept => kept.KeptAt < before);
    }

    private static long Release(Predicate<Kept> which)
    {
        List<Kept>? released = null;
        lock (s_kept)
        {
            for (var i = s_kept.Count - 1; i >= 0; i--)
            {
                if (!which(s_kept[i])) continue;
                (released ??= new List<Kept>()).Add(s_kept[i]);
                s_bytes -= s_kept[i].Size;
                s_kept.RemoveAt(i);
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
    public static void Drop(in Kept kept)
    {
        Native.Unmap((byte*)kept.Map, kept.MapLength);
        // At shutdown the session's directory goes as a whole (and Directory is already unset).
        if (SharedPayloads.Directory is not null) SharedPayloads.TryDelete(SharedPayloads.PathOf(kept.Name, spilled: false));
        SharedPayloads.Uncharge(kept.Size);
    }

    /// <summary>Renames a taken file for the value it will hold and opens it for writing; null (and the file dropped) on failure.</summary>
    public static FileStream? Reopen(in Kept kept, string name)
    {
        try
        {
            var path = SharedPayloads.PathOf(name, spilled: false);
            File.Move(SharedPayloads.PathOf(kept.Name, spilled: false), path);
            return new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 0 });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The file is under one name or the other.
            Drop(kept);
            SharedPayloads.TryDelete(SharedPayloads.PathOf(name, spilled: false));
            return null;
        }
    }
}
