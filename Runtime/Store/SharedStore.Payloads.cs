using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using RayGen.Protocol;

namespace RayGen.Store;

/// <summary>
/// Moves large values between processes through files under /dev/shm (mode 0600): the sender writes the
/// bytes once, the receiver reads them once. A value the driver holds keeps one file for as long as its
/// bytes live, however many workers it is sent to; the whole directory goes with the session. One store per
/// runtime: the driver's owns the session's values, each worker's maps them and hands its own over.
/// </summary>
internal sealed partial class SharedStore
{
    /// <summary>Values at least this large travel through shared memory, as Ray's 100 KiB inline limit.</summary>
    public const int Threshold = 100 * 1024;

    private readonly string _directory;
    private readonly Func<string>? _spill;
    private string? _spillDirectory;
    private readonly long _capacity;
    private long _used;
    private long _next;
    private long _peak;
    private volatile bool _disposed;

    /// <param name="directory">The session's shared-memory directory.</param>
    /// <param name="isOwner">Whether this process owns the values it writes (the driver): they count against the capacity, are spilled and reused; a worker's are handed over.</param>
    /// <param name="capacity">Bytes of shared memory kept values may use (RayOptions.ObjectStoreMemory); beyond it they spill.</param>
    /// <param name="spill">Creates the spill directory on disk when first needed (driver only).</param>
    public SharedStore(string directory, bool isOwner, long capacity = long.MaxValue, Func<string>? spill = null)
    {
        _directory = directory;
        IsOwner = isOwner;
        _capacity = capacity;
        _spill = spill;
        Files = new FilePool(this);
        _sweeper = new Timer(static store => ((SharedStore)store!).Sweep(), this, 1000, 1000);
    }

    /// <summary>The directory in use.</summary>
    public string Directory => _directory;

    /// <summary>Whether this process owns what it writes (the driver); see the constructor.</summary>
    public bool IsOwner { get; }

    /// <summary>Freed files the owner keeps mapped for its next large value.</summary>
    public FilePool Files { get; }

    /// <summary>Bytes of kept (not transferred) values in shared memory now.</summary>
    public long Used => Interlocked.Read(ref _used);

    /// <summary>Bytes of shared memory the store may use (RayOptions.ObjectStoreMemory in the driver).</summary>
    internal long Capacity => _capacity;

    /// <summary>The most <see cref="Used"/> has been since the store was made (for tests: capacity is never exceeded, not even for a moment).</summary>
    internal long PeakUsed => Interlocked.Read(ref _peak);

    private string SpillDirectory()
    {
        var spill = _spill ?? throw new ObjectStoreFullException(
            $"The object store is full ({Used} of {_capacity} bytes) and this process cannot spill.");
        return _spillDirectory ??= spill();
    }

    /// <summary>
    /// Wraps bytes for a frame. A shared object is named by its file. Large bytes on the heap (only a worker's
    /// nested-submit argument, or a value left on the heap because tmpfs was full) are copied into a file that the
    /// receiver takes over and deletes; values that the driver keeps are in the store already and never take this path.
    /// </summary>
    public Payload Wrap(ReadOnlyMemory<byte> data)
    {
        var directory = _directory;
        if (data.Length < Threshold) return new Payload { Inline = data };
        if (MemoryMarshal.TryGetMemoryManager(data, out SharedObject? shared)) return PayloadOf(shared, transfer: false);
        try
        {
            var name = SharedFile.WriteNew(Path.Combine(directory, NewName()), data.Span);
            Interlocked.Increment(ref _heapCopies);
            return new Payload { File = name, Length = data.Length, Transfer = true };
        }
        catch (IOException)
        {
            // tmpfs full or gone: the socket still works.
            return new Payload { Inline = data };
        }
    }

    private long _heapCopies;

    /// <summary>How many times this process copied heap bytes into a shared-memory file (for tests: large values should not be on the heap).</summary>
    internal long HeapCopies => Interlocked.Read(ref _heapCopies);

    /// <summary>
    /// The payload's bytes for one use: inline bytes as they are, a file mapped and read in place.
    /// <paramref name="mapping"/> (when not null) must be disposed once the bytes are no longer read.
    /// </summary>
    public ReadOnlyMemory<byte> Open(in Payload payload, out IDisposable? mapping)
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

    private string PathOf(in Payload payload)
    {
        var directory = _directory;
        // The spill directory sits beside the session's shared-memory directory under the same name, on disk.
        if (payload.Spilled) directory = Path.Combine(Path.GetTempPath(), Path.GetFileName(Path.GetDirectoryName(directory)!) + "-spill");
        if (payload.File!.Contains('/', StringComparison.Ordinal) || payload.File.StartsWith('.'))
            throw new InvalidDataException($"A payload named the file '{payload.File}', which is not a plain name.");
        return Path.Combine(directory, payload.File);
    }

    /// <summary>The payload's bytes as an array of their own.</summary>
    public byte[] Unwrap(in Payload payload)
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
        public static string WriteNew(string path, ReadOnlySpan<byte> data)
        {
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
            return Path.GetFileName(path);
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
