using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using RayGen.Protocol;

namespace RayGen.Store;

/// <summary>
/// Moves large values between processes through files under /dev/shm (mode 0600): the sender writes the
/// bytes once, the receiver reads them once. A value the driver holds keeps one file for as long as its
/// bytes live, however many workers it is sent to; the whole directory goes with the session.
/// </summary>
internal static partial class SharedPayloads
{
    /// <summary>Values at least this large travel through shared memory, as Ray's 100 KiB inline limit.</summary>
    public const int Threshold = 100 * 1024;

    private static string? s_directory;
    private static Func<string>? s_spill;
    private static string? s_spillDirectory;
    private static long s_capacity = long.MaxValue;
    private static long s_used;
    private static long s_next;

    /// <summary>The directory in use; null turns shared memory off (every payload inline).</summary>
    public static string? Directory => Volatile.Read(ref s_directory);

    /// <summary>Bytes of kept (not transferred) values in shared memory now.</summary>
    public static long Used => Interlocked.Read(ref s_used);

    /// <summary>Bytes of shared memory the store may use (RayOptions.ObjectStoreMemory in the driver).</summary>
    internal static long Capacity => s_capacity;

    /// <summary>The most <see cref="Used"/> has been since <see cref="Configure"/> (for tests: capacity is never exceeded, not even for a moment).</summary>
    internal static long PeakUsed => Interlocked.Read(ref s_peak);

    private static long s_peak;

    /// <param name="directory">The shared-memory directory; null turns shared memory off.</param>
    /// <param name="capacity">Bytes of shared memory kept values may use (RayOptions.ObjectStoreMemory); beyond it they spill.</param>
    /// <param name="spill">Creates the spill directory on disk when first needed (driver only).</param>
    public static void Configure(string? directory, long capacity = long.MaxValue, Func<string>? spill = null)
    {
        // Kept files belong to the session that ends here (or to none, at the first Init).
        FilePool.Drain();
        Volatile.Write(ref s_directory, directory);
        s_capacity = capacity;
        s_spill = spill;
        s_spillDirectory = null;
        Interlocked.Exchange(ref s_used, 0);
        Interlocked.Exchange(ref s_peak, 0);
        StartSweeper(directory);
    }

    private static string SpillDirectory()
    {
        var spill = s_spill ?? throw new ObjectStoreFullException(
            $"The object store is full ({Used} of {s_capacity} bytes) and this process cannot spill.");
        return s_spillDirectory ??= spill();
    }

    /// <summary>
    /// Wraps bytes for a frame. A shared object is named by its file. Large bytes on the heap (only a worker's
    /// nested-submit argument, or a value left on the heap because tmpfs was full) are copied into a file that the
    /// receiver takes over and deletes; values that the driver keeps are in the store already and never take this path.
    /// </summary>
    public static Payload Wrap(ReadOnlyMemory<byte> data)
    {
        var directory = Directory;
        if (directory is null || data.Length < Threshold) return new Payload { Inline = data };
        if (MemoryMarshal.TryGetMemoryManager(data, out SharedObject? shared)) return PayloadOf(shared, transfer: false);
        try
        {
            var name = SharedFile.WriteNew(directory, data.Span);
            Interlocked.Increment(ref s_heapCopies);
            return new Payload { File = name, Length = data.Length, Transfer = true };
        }
        catch (IOException)
        {
            // tmpfs full or gone: the socket still works.
            return new Payload { Inline = data };
        }
    }

    private static long s_heapCopies;

    /// <summary>How many times this process copied heap bytes into a shared-memory file (for tests: large values should not be on the heap).</summary>
    internal static long HeapCopies => Interlocked.Read(ref s_heapCopies);

    /// <summary>
    /// The payload's bytes for one use: inline bytes as they are, a file mapped and read in place.
    /// <paramref name="mapping"/> (when not null) must be disposed once the bytes are no longer read.
    /// </summary>
    public static ReadOnlyMemory<byte> Open(in Payload payload, out IDisposable? mapping)
    {
        mapping = null;
        if (payload.File is null) return payload.Inline;
        var path = PathOf(payload);
        var mapped = new MappedPayload(path, payload.Length);
        // A transferred file is this process's to delete; the mapping keeps the pages until it is disposed.
        if (payload.Transfer) SharedFile.TryDelete(path);
        mapping = mapped;
        return mapped.Memory;
    }

    private static string PathOf(in Payload payload)
    {
        var directory = Directory ?? throw new InvalidOperationException("A shared-memory payload arrived but this process has no shared-memory directory.");
        // The spill directory sits beside the session's shared-memory directory under the same name, on disk.
        if (payload.Spilled) directory = Path.Combine(Path.GetTempPath(), Path.GetFileName(Path.GetDirectoryName(directory)!) + "-spill");
        if (payload.File!.Contains('/', StringComparison.Ordinal) || payload.File.StartsWith('.'))
            throw new InvalidDataException($"A payload named the file '{payload.File}', which is not a plain name.");
        return Path.Combine(directory, payload.File);
    }

    /// <summary>The payload's bytes as an array of their own.</summary>
    public static byte[] Unwrap(in Payload payload)
    {
        if (payload.File is null)
        {
            var inline = payload.Inline;
            return MemoryMarshal.TryGetArray(inline, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
                ? segment.Array
                : inline.ToArray();
        }

        var path = PathOf(payload);
        var data = GC.AllocateUninitializedArray<byte>(payload.Length);
        using (var handle = System.IO.File.OpenHandle(path, FileMode.Open, FileAccess.Read))
        {
            var read = 0;
            while (read < data.Length)
            {
                var n = RandomAccess.Read(handle, data.AsSpan(read), read);
                if (n == 0) throw new InvalidDataException($"The shared-memory payload {payload.File} is shorter than {payload.Length} bytes.");
                read += n;
            }
        }

        if (payload.Transfer) SharedFile.TryDelete(path);
        return data;
    }

    /// <summary>Files written from heap bytes, each taken over (and deleted) by the process that receives it.</summary>
    private static class SharedFile
    {
        public static string WriteNew(string directory, ReadOnlySpan<byte> data)
        {
            var name = $"{Environment.ProcessId}-{Interlocked.Increment(ref s_next)}";
            var path = Path.Combine(directory, name);
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                BufferSize = 0,
                PreallocationSize = data.Length,
            };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var stream = new FileStream(path, options);
            var handle = stream.SafeFileHandle;
            RandomAccess.Write(handle, data, 0);
            return name;
        }

        public static void TryDelete(string path)
        {
            try
            {
                System.IO.File.Delete(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }
}
