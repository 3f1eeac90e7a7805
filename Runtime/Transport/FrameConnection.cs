using System;
using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MemoryPack;

namespace RayGen.Transport;

/// <summary>
/// One Unix-socket connection carrying frames both ways. Senders on any thread serialize straight into an
/// in-memory pipe; one pump drains it into the socket, so frames written while a send is in progress leave
/// together in the next write (many small submissions, few syscalls). One receive loop reads frames in order.
/// </summary>
internal sealed class FrameConnection : IDisposable
{
    /// <summary>Frames above this are refused as malformed; large values belong in the shared-memory store.</summary>
    public const int MaxFrameBytes = int.MaxValue - 64;

    private readonly Socket _socket;
    private readonly Pipe _outgoing = new(new PipeOptions(
        pauseWriterThreshold: 0, resumeWriterThreshold: 0, minimumSegmentSize: 16 * 1024, useSynchronizationContext: false));
    private readonly object _writeLock = new();
    private readonly CancellationTokenSource _closing = new();
    private Action<FrameConnection, IFrame>? _onFrame;
    private Action<FrameConnection, string?>? _onClosed;
    private int _closed;

    public FrameConnection(Socket socket, string name)
    {
        _socket = socket;
        Name = name;
    }

    /// <summary>Who is at the other end, for log lines.</summary>
    public string Name { get; set; }

    /// <summary>Free for the owner (the driver keeps its worker record here).</summary>
    public object? Tag { get; set; }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Starts the send pump and the receive loop. <paramref name="onClosed"/> gets an error text when the peer misbehaved.</summary>
    public void Start(Action<FrameConnection, IFrame> onFrame, Action<FrameConnection, string?> onClosed)
    {
        _onFrame = onFrame;
        _onClosed = onClosed;
        _ = Task.Run(SendPumpAsync);
        _ = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Queues one frame; never blocks on the socket. Returns false when the connection is closed.</summary>
    public bool Send(IFrame frame)
    {
        lock (_writeLock)
        {
            if (IsClosed) return false;
            var writer = _outgoing.Writer;
            // The length goes in front; it is patched once the body is written, before the flush makes it visible.
            var header = writer.GetMemory(4);
            writer.Advance(4);
            var start = writer.UnflushedBytes;
            MemoryPackSerializer.Serialize(writer, frame);
            var length = writer.UnflushedBytes - start;
            if (length > MaxFrameBytes) throw new InvalidOperationException($"A frame of {length} bytes is too large to send.");
            BinaryPrimitives.WriteInt32LittleEndian(header.Span, (int)length);
            // No back-pressure threshold: the flush completes synchronously and only wakes the pump.
            var flush = writer.FlushAsync();
            if (!flush.IsCompleted) flush.AsTask().GetAwaiter().GetResult();
            return true;
        }
    }

    private async Task SendPumpAsync()
    {
        var reader = _outgoing.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_closing.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                foreach (var segment in buffer)
                {
                    await _socket.SendAsync(segment, SocketFlags.None, _closing.Token).ConfigureAwait(false);
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted) break;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            Close(null);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var reader = PipeReader.Create(new NetworkStream(_socket, ownsSocket: false),
            new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true));
        string? error = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_closing.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (TryReadFrame(ref buffer, out var frame))
                {
                    _onFrame!(this, frame);
                    if (IsClosed) return;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty) error = $"the connection ended inside a frame ({buffer.Length} bytes left over)";
                    break;
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
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }

        Close(error);
    }

    private static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out IFrame frame)
    {
        frame = null!;
        if (buffer.Length < 4) return false;
        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        var length = BinaryPrimitives.ReadInt32LittleEndian(prefix);
        if (length <= 0 || length > MaxFrameBytes) throw new MalformedFrameException($"a frame announced {length} bytes");
        if (buffer.Length < 4L + length) return false;
        var body = buffer.Slice(4, length);
        try
        {
            frame = MemoryPackSerializer.Deserialize<IFrame>(body)
                    ?? throw new MalformedFrameException("a frame decoded to nothing");
        }
        catch (Exception e) when (e is not MalformedFrameException)
        {
            // MemoryPack reports bad input with several exception types; any of them means the peer sent garbage.
            throw new MalformedFrameException($"a frame could not be decoded ({e.GetType().Name}: {e.Message})");
        }

        buffer = buffer.Slice(body.End);
        return true;
    }

    /// <summary>Closes the connection; the close callback runs once, with <paramref name="error"/> when the peer misbehaved.</summary>
    public void Close(string? error = null)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        lock (_writeLock) _outgoing.Writer.Complete();
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
