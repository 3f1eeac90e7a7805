using System;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MemoryPack;

namespace RayGen.Protocol;

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
    // Frames a leading thread sent while running a frame's work inline: they leave together once the frames
    // already read are handled (one write for a batch of results, not one each).
    private bool _deferred;
    // The receive loop's buffer belongs to whichever thread leads the loop (see HandOffReceiving).
    private readonly SemaphoreSlim _followers = new(0);
    private byte[] _rx = new byte[64 * 1024];
    private int _rxStart;
    private int _rxEnd;
    private int _idleFollowers;
    [ThreadStatic] private static FrameConnection? t_leading;
    // A handler that runs its work inline marks itself with a process-unique number; whoever clears the mark
    // (the handler when it ends, its explicit hand-off, or the watchdog) decides whether the loop moves on.
    [ThreadStatic] private static long t_takeover;
    private static long s_nextTakeover;
    private long _takeover;
    private long _takeoverSeen;
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

    /// <summary>
    /// Frames sent by the leading thread while it handles frames inline wait until the frames already read are
    /// handled, then leave in one write. Only for a side whose handlers never wait for an answer without first
    /// handing the loop off (the worker's); the watchdog flushes whatever a takeover left behind.
    /// </summary>
    public bool CorkWhileReading { get; init; }

    /// <summary>
    /// Every send waits for <see cref="FlushAllDeferred"/>, which the runtime calls before any thread waits for a
    /// result and each receive loop calls before it reads its socket: a burst of submissions then leaves in one
    /// write per worker. The watchdog flushes within a tick whatever no wait flushed (fire-and-forget calls).
    /// </summary>
    public bool DeferSends { get; init; }

    // Connections holding deferred frames, in the order they first deferred.
    private static readonly System.Collections.Concurrent.ConcurrentQueue<FrameConnection> s_deferred = new();

    /// <summary>Writes the frames every connection of this process deferred (cheap when there are none).</summary>
    public static void FlushAllDeferred()
    {
        while (s_deferred.TryDequeue(out var connection)) connection.FlushDeferred();
    }

    /// <summary>Socket writes made so far (for tests of batching; the writing thread alone updates it).</summary>
    internal long Writes { get; private set; }

    /// <summary>Free for the owner (the driver keeps its worker record here).</summary>
    public object? Tag { get; set; }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Starts the receive loop. <paramref name="onClosed"/> gets an error text when the peer misbehaved.</summary>
    public void Start(Action<FrameConnection, IFrame> onFrame, Action<FrameConnection, string?> onClosed)
    {
        _onFrame = onFrame;
        _onClosed = onClosed;
        StartReceiver();
    }

    /// <summary>Queues one frame and, unless another thread is writing, writes it now; never blocks on the socket. Returns false when the connection is closed.</summary>
    public bool Send(IFrame frame)
    {
        bool deferred;
        lock (_writeLock)
        {
            if (IsClosed) return false;
            var writer = _queued;
            var header = writer.BeginFrame();
            try
            {
                MemoryPackSerializer.Serialize(writer, frame);
                writer.EndFrame(header, MaxFrameBytes);
            }
            catch
            {
                // A frame that failed half-way must not leave its bytes behind: the peer would read garbage.
                writer.Truncate(header);
                throw;
            }

            if (_flushing) return true;
            deferred = DeferSends || (CorkWhileReading && t_leading == this && t_takeover != 0 && Volatile.Read(ref _takeover) == t_takeover);
            if (!deferred) _flushing = true;
            else if (!_deferred)
            {
                _deferred = true;
                s_deferred.Enqueue(this);
            }
        }

        if (deferred)
        {
            // Make sure a tick will come, in case no wait or receive loop flushes it first. The fence orders the
            // flag written above before the watchdog's armed flag is read (a disarming tick rescans the other way).
            Interlocked.MemoryBarrier();
            ReceiveWatchdog.Watch(this);
            return true;
        }

        // A direct write from the sender's thread: no hop to a pump thread, which is most of a small call's latency.
        Flush();
        return true;
    }

    /// <summary>Writes the frames a leading thread deferred (see <see cref="CorkWhileReading"/>), unless a write is under way, which takes them.</summary>
    private void FlushDeferred()
    {
        lock (_writeLock)
        {
            if (!_deferred) return;
            _deferred = false;
            if (_flushing || IsClosed) return;
            _flushing = true;
        }

        Flush();
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
                    Writes++;
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

    private void StartReceiver() =>
        new Thread(ReceiverThread) { IsBackground = true, Name = $"RayGen receive ({Name})" }.Start();

    /// <summary>
    /// Lets a frame handler run long work on the receiving thread itself: another thread takes over the receive
    /// loop (a parked one, or a new one), and this one leaves the loop when the handler returns. The frame's
    /// work then starts without waiting for a pool thread to wake, which is most of a small call's latency
    /// (the leader/followers pattern). Does nothing off the receiving thread.
    /// </summary>
    public void HandOffReceiving()
    {
        if (t_leading != this) return;
        t_leading = null;
        FlushDeferred();
        var mark = t_takeover;
        if (mark != 0)
        {
            t_takeover = 0;
            // The watchdog may have handed the loop off already.
            if (Interlocked.CompareExchange(ref _takeover, 0, mark) != mark) return;
        }

        WakeFollower();
    }

    /// <summary>
    /// Lets a frame handler run work inline on the receiving thread without handing the loop off first: most
    /// runs are short, and waking another thread for each costs two context switches. If the handler is still
    /// running a tick or two later, <see cref="ReceiveWatchdog"/> hands the loop to another thread; a handler about to
    /// block calls <see cref="HandOffReceiving"/> itself. Only for handlers that frames behind them may overtake.
    /// </summary>
    public void AllowTakeover()
    {
        if (t_leading != this || t_takeover != 0) return;
        var mark = Interlocked.Increment(ref s_nextTakeover);
        t_takeover = mark;
        Interlocked.Exchange(ref _takeover, mark); // a full fence before the watchdog's armed flag is read
        ReceiveWatchdog.Watch(this);
    }

    /// <summary>Set by <see cref="ReceiveWatchdog"/> once it lists this connection.</summary>
    internal bool Watched { get; set; }

    /// <summary>Watchdog tick: hands the loop off when the same inline handler was seen on the last tick. Returns whether a handler is marked.</summary>
    internal bool CheckTakeover()
    {
        // Frames deferred by a leader that lost the loop to a takeover in the same instant.
        if (Volatile.Read(ref _deferred)) FlushDeferred();
        var mark = Volatile.Read(ref _takeover);
        if (mark == 0) return false;
        if (mark != _takeoverSeen)
        {
            _takeoverSeen = mark;
            return true;
        }

        if (Interlocked.CompareExchange(ref _takeover, 0, mark) == mark && !IsClosed) WakeFollower();
        return true;
    }

    /// <summary>Ends the inline-handler mark of this thread; false when the watchdog took the loop meanwhile.</summary>
    private static bool EndTakeover(FrameConnection connection)
    {
        var mark = t_takeover;
        if (mark == 0) return true;
        t_takeover = 0;
        return Interlocked.CompareExchange(ref connection._takeover, 0, mark) == mark;
    }

    private void WakeFollower()
    {
        if (Interlocked.Decrement(ref _idleFollowers) >= 0)
        {
            _followers.Release();
            return;
        }

        Interlocked.Increment(ref _idleFollowers);
        StartReceiver();
    }

    /// <summary>Leads the receive loop; once handed off, parks until it is asked to lead again (or the connection closes).</summary>
    private void ReceiverThread()
    {
        while (Lead())
        {
            Interlocked.Increment(ref _idleFollowers);
            _followers.Wait();
        }
    }

    /// <summary>
    /// Reads and dispatches frames until the connection closes (false) or a handler hands the loop off (true).
    /// A blocking wait for the socket to turn readable wakes this thread directly, where an async receive
    /// would wake the epoll thread and then a pool thread.
    /// </summary>
    private bool Lead()
    {
        if (IsClosed) return false;
        t_leading = this;
        string? error = null;
        try
        {
            while (true)
            {
                while (TryReadFrame(_rx.AsSpan(_rxStart, _rxEnd - _rxStart), out var frame, out var consumed))
                {
                    _rxStart += consumed;
                    _onFrame!(this, frame);
                    if (!EndTakeover(this))
                    {
                        t_leading = null;
                        FlushDeferred();
                        return true; // taken over by the watchdog: the new leader owns the buffer now
                    }

                    if (t_leading != this) return true; // handed off: the new leader owns the buffer now
                    if (IsClosed) return false;
                }

                // The frames read are handled: what they produced leaves in one write per connection.
                FlushDeferred();
                FlushAllDeferred();
                if (_rxStart == _rxEnd) _rxStart = _rxEnd = 0;
                if (_rx.Length - _rxEnd < 4096)
                {
                    // Make room: slide the partial frame to the front, or grow for a frame larger than the buffer.
                    var pending = _rxEnd - _rxStart;
                    var target = pending > _rx.Length / 2 ? GC.AllocateUninitializedArray<byte>((int)Math.Min(Array.MaxLength, (long)_rx.Length * 2)) : _rx;
                    _rx.AsSpan(_rxStart, pending).CopyTo(target);
                    _rx = target;
                    _rxStart = 0;
                    _rxEnd = pending;
                }

                var received = _socket.Receive(_rx.AsSpan(_rxEnd), SocketFlags.None, out var status);
                if (status is SocketError.WouldBlock or SocketError.Interrupted)
                {
                    _socket.Poll(-1, SelectMode.SelectRead);
                    continue;
                }

                if (status != SocketError.Success) break;
                if (received == 0)
                {
                    if (_rxEnd > _rxStart) error = $"the connection ended inside a frame ({_rxEnd - _rxStart} bytes left over)";
                    break;
                }

                _rxEnd += received;
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
            if (t_leading == this) t_leading = null;
            t_takeover = 0;
        }

        Close(error);
        return false;
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
        // Unconditionally: a Watch racing this close sees it closed under the watchdog's lock, or is undone here.
        ReceiveWatchdog.Forget(this);
        // Parked receivers wake, see the connection closed and end.
        _followers.Release(Math.Max(1, Volatile.Read(ref _idleFollowers) + 1));
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
