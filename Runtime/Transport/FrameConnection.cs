using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MemoryPack;

namespace RayGen.Transport;

/// <summary>
/// One Unix-socket connection carrying frames both ways. A sender serializes its frame into a buffer and, when
/// no other thread is writing, writes it to the socket itself; frames queued while a write is in progress leave
/// together in the next one (many small submissions, few syscalls). One receive loop reads frames in order.
/// </summary>
internal sealed class FrameConnection : IDisposable
{
    /// <summary>Frames above this are refused as malformed; large values belong in the shared-memory store.</summary>
    public const int MaxFrameBytes = int.MaxValue - 64;

    private readonly Socket _socket;
    private readonly object _writeLock = new();
    private readonly CancellationTokenSource _closing = new();
    // Frames wait in _queued; the thread that owns the write side (_flushing) swaps it with _writing and writes
    // that batch, so frames queued meanwhile by other threads leave together in its next write.
    private FrameBuffer _queued = new();
    private FrameBuffer _writing = new();
    private bool _flushing;
    private Action<FrameConnection, IFrame>? _onFrame;
    private Action<FrameConnection, string?>? _onClosed;
    private int _closed;

    public FrameConnection(Socket socket, string name)
    {
        _socket = socket;
        // Sends are tried at once on the sender's thread; a full socket buffer hands the rest to an async
        // write instead of blocking, so no receive loop ever waits on its peer (no send-send deadlock).
        _socket.Blocking = false;
        Name = name;
    }

    /// <summary>Who is at the other end, for log lines.</summary>
    public string Name { get; set; }

    /// <summary>Free for the owner (the driver keeps its worker record here).</summary>
    public object? Tag { get; set; }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Starts the receive loop. <paramref name="onClosed"/> gets an error text when the peer misbehaved.</summary>
    public void Start(Action<FrameConnection, IFrame> onFrame, Action<FrameConnection, string?> onClosed)
    {
        _onFrame = onFrame;
        _onClosed = onClosed;
        new Thread(ReceiveLoop) { IsBackground = true, Name = $"RayGen receive ({Name})" }.Start();
    }

    /// <summary>Queues one frame and, unless another thread is writing, writes it now; never blocks on the socket. Returns false when the connection is closed.</summary>
    public bool Send(IFrame frame)
    {
        lock (_writeLock)
        {
            if (IsClosed) return false;
            var writer = _queued;
            var header = writer.Count;
            writer.Advance(4);
            MemoryPackSerializer.Serialize(writer, frame);
            var length = writer.Count - header - 4;
            if (length > MaxFrameBytes) throw new InvalidOperationException($"A frame of {length} bytes is too large to send.");
            BinaryPrimitives.WriteInt32LittleEndian(writer.Written.Slice(header, 4), length);
            if (_flushing) return true;
            _flushing = true;
        }

        // A direct write from the sender's thread: no hop to a pump thread, which is most of a small call's latency.
        Flush();
        return true;
    }

    /// <summary>Writes queued batches until none is left; the caller owns the write side until it returns or hands it to <see cref="FlushRestAsync"/>.</summary>
    private void Flush()
    {
        while (true)
        {
            FrameBuffer batch;
            lock (_writeLock)
            {
                if (_queued.Count == 0 || IsClosed)
                {
                    _flushing = false;
                    return;
                }

                batch = _queued;
                _queued = _writing;
                _writing = batch;
            }

            var sent = 0;
            var bytes = batch.Written;
            while (sent < bytes.Length)
            {
                int n;
                SocketError error;
                try
                {
                    n = _socket.Send(bytes[sent..], SocketFlags.None, out error);
                }
                catch (ObjectDisposedException)
                {
                    return; // closed meanwhile; nothing more is written
                }

                if (error == SocketError.Success)
                {
                    sent += n;
                    continue;
                }

                if (error is SocketError.WouldBlock or SocketError.Interrupted)
                {
                    _ = FlushRestAsync(batch, sent);
                    return;
                }

                Close(null);
                return;
            }

            batch.Reset();
        }
    }

    private async Task FlushRestAsync(FrameBuffer batch, int sent)
    {
        try
        {
            await _socket.SendAsync(batch.WrittenMemory[sent..], SocketFlags.None, _closing.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            Close(null);
            return;
        }

        batch.Reset();
        Flush();
    }

    /// <summary>A growable byte buffer the frames are serialized into; it drops back to its first size after a large frame.</summary>
    private sealed class FrameBuffer : IBufferWriter<byte>
    {
        private const int InitialSize = 16 * 1024;
        private byte[] _buffer = new byte[InitialSize];

        public int Count { get; private set; }

        public Span<byte> Written => _buffer.AsSpan(0, Count);

        public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, Count);

        public void Reset()
        {
            Count = 0;
            if (_buffer.Length > 1024 * 1024) _buffer = new byte[InitialSize];
        }

        public void Advance(int count) => Count += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _buffer.AsMemory(Count);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Ensure(sizeHint);
            return _buffer.AsSpan(Count);
        }

        private void Ensure(int sizeHint)
        {
            var need = Math.Max(sizeHint, 256);
            if (_buffer.Length - Count >= need) return;
            var size = (int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, (long)Count + need));
            var grown = GC.AllocateUninitializedArray<byte>(size);
            _buffer.AsSpan(0, Count).CopyTo(grown);
            _buffer = grown;
        }
    }

    /// <summary>
    /// Runs on a thread of its own: a blocking wait for the socket to turn readable wakes this thread
    /// directly, where an async receive would wake the epoll thread and then a pool thread (two wake-ups per
    /// frame, most of a small call's latency).
    /// </summary>
    private void ReceiveLoop()
    {
        var buffer = new byte[64 * 1024];
        int start = 0, end = 0;
        string? error = null;
        try
        {
            while (true)
            {
                if (end == buffer.Length)
                {
                    // Make room: slide the partial frame to the front, or grow for a frame larger than the buffer.
                    var pending = end - start;
                    var target = pending > buffer.Length / 2 ? GC.AllocateUninitializedArray<byte>((int)Math.Min(Array.MaxLength, (long)buffer.Length * 2)) : buffer;
                    buffer.AsSpan(start, pending).CopyTo(target);
                    buffer = target;
                    start = 0;
                    end = pending;
                }

                var received = _socket.Receive(buffer.AsSpan(end), SocketFlags.None, out var status);
                if (status is SocketError.WouldBlock or SocketError.Interrupted)
                {
                    _socket.Poll(-1, SelectMode.SelectRead);
                    continue;
                }

                if (status != SocketError.Success) break;
                if (received == 0)
                {
                    if (end > start) error = $"the connection ended inside a frame ({end - start} bytes left over)";
                    break;
                }

                end += received;
                while (TryReadFrame(buffer.AsSpan(start, end - start), out var frame, out var consumed))
                {
                    start += consumed;
                    _onFrame!(this, frame);
                    if (IsClosed) return;
                }

                if (start == end) start = end = 0;
                else if (buffer.Length - end < 4096 && start > 0)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    end -= start;
                    start = 0;
                }
            }
        }
        catch (MalformedFrameException e)
        {
            error = e.Message;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or System.IO.IOException)
        {
        }
        catch (Exception e)
        {
            error = $"handling a frame failed: {e}";
        }

        Close(error);
    }

    private static bool TryReadFrame(ReadOnlySpan<byte> buffer, out IFrame frame, out int consumed)
    {
        frame = null!;
        consumed = 0;
        if (buffer.Length < 4) return false;
        var length = BinaryPrimitives.ReadInt32LittleEndian(buffer);
        if (length <= 0 || length > MaxFrameBytes) throw new MalformedFrameException($"a frame announced {length} bytes");
        if (buffer.Length < 4L + length) return false;
        try
        {
            frame = MemoryPackSerializer.Deserialize<IFrame>(buffer.Slice(4, length))
                    ?? throw new MalformedFrameException("a frame decoded to nothing");
        }
        catch (Exception e) when (e is not MalformedFrameException)
        {
            // MemoryPack reports bad input with several exception types; any of them means the peer sent garbage.
            throw new MalformedFrameException($"a frame could not be decoded ({e.GetType().Name}: {e.Message})");
        }

        consumed = 4 + length;
        return true;
    }

    /// <summary>Closes the connection; the close callback runs once, with <paramref name="error"/> when the peer misbehaved.</summary>
    public void Close(string? error = null)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        _closing.Cancel();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
        _onClosed?.Invoke(this, error);
    }

    public void Dispose() => Close();

    private sealed class MalformedFrameException(string message) : Exception(message);
}
