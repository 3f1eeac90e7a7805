using System;
using System.Net.Sockets;
using System.Threading;

namespace RayGen.Protocol;

/// <summary>
/// One Unix-socket connection carrying frames both ways: a <see cref="FrameWriter"/> (batched sends, optionally
/// held back in a <see cref="SendDeferral"/>), a <see cref="ReceiveLoop"/> (frames read in order, handlers run on
/// the reading thread), the <see cref="FrameCodec"/> between them and the wire, and the
/// <see cref="ReceiveWatchdog"/> for what must happen even if no thread comes back in time.
/// </summary>
internal sealed class FrameConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _closing = new();
    private readonly FrameWriter _writer;
    private readonly ReceiveLoop _receiver;
    private Action<FrameConnection, string?>? _onClosed;
    private int _closed;

    /// <param name="socket">The connected socket; the connection owns it from here on.</param>
    /// <param name="name">Who is at the other end, for log lines.</param>
    /// <param name="deferral">Shared by the connections of one runtime, whose waits flush it; null for a private one.</param>
    public FrameConnection(Socket socket, string name, SendDeferral? deferral = null)
    {
        _socket = socket;
        // Sends are tried at once on the sender's thread and never block (see FrameWriter).
        _socket.Blocking = false;
        Name = name;
        Deferral = deferral ?? new SendDeferral();
        _writer = new FrameWriter(socket, this, Deferral, _closing.Token);
        _receiver = new ReceiveLoop(socket, this, _writer, Deferral);
    }

    /// <summary>Who is at the other end, for log lines.</summary>
    public string Name { get; set; }

    /// <summary>Where this connection's held-back sends wait for a flush.</summary>
    public SendDeferral Deferral { get; }

    /// <summary>
    /// Frames sent by the leading thread while it handles frames inline wait until the frames already read are
    /// handled, then leave in one write. Only for a side whose handlers never wait for an answer without first
    /// handing the loop off (the worker's); the watchdog flushes whatever a takeover left behind.
    /// </summary>
    public bool CorkWhileReading { get; init; }

    /// <summary>
    /// Every send waits for <see cref="Deferral"/> to be flushed, which the runtime does before any thread waits
    /// for a result and each receive loop does before it reads its socket: a burst of submissions then leaves in
    /// one write per worker. The watchdog flushes within a tick whatever no wait flushed (fire-and-forget calls).
    /// </summary>
    public bool DeferSends { get; init; }

    /// <summary>Socket writes made so far (for tests of batching).</summary>
    internal long Writes => _writer.Writes;

    /// <summary>Free for the owner (the driver keeps its worker record here).</summary>
    public object? Tag { get; set; }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Starts the receive loop. <paramref name="onClosed"/> gets an error text when the peer misbehaved.</summary>
    public void Start(Action<FrameConnection, IFrame> onFrame, Action<FrameConnection, string?> onClosed)
    {
        _onClosed = onClosed;
        _receiver.Start(onFrame);
    }

    /// <summary>Queues one frame and, unless another thread is writing or the frame is held back, writes it now; never blocks on the socket. Returns false when the connection is closed.</summary>
    public bool Send(IFrame frame)
    {
        var result = _writer.Send(frame, DeferSends || (CorkWhileReading && _receiver.RunsInlineHere));
        if (result == SendResult.Deferred)
        {
            // Make sure a tick will come, in case no wait or receive loop flushes it first. The fence orders the
            // deferred flag before the watchdog's armed flag is read (a disarming tick rescans the other way).
            Interlocked.MemoryBarrier();
            ReceiveWatchdog.Watch(this);
        }

        return result != SendResult.Closed;
    }

    /// <summary>
    /// Lets a frame handler run long work on the receiving thread itself: another thread takes over the receive
    /// loop (a parked one, or a new one), and this one leaves the loop when the handler returns. The frame's
    /// work then starts without waiting for a pool thread to wake, which is most of a small call's latency.
    /// Does nothing off the receiving thread.
    /// </summary>
    public void HandOffReceiving() => _receiver.HandOff();

    /// <summary>
    /// Lets a frame handler run work inline on the receiving thread without handing the loop off first: most
    /// runs are short, and waking another thread for each costs two context switches. If the handler is still
    /// running a tick or two later, <see cref="ReceiveWatchdog"/> hands the loop to another thread; a handler about
    /// to block calls <see cref="HandOffReceiving"/> itself. Only for handlers that frames behind them may overtake.
    /// </summary>
    public void AllowTakeover()
    {
        if (_receiver.AllowTakeover()) ReceiveWatchdog.Watch(this);
    }

    /// <summary>Writes what this connection holds back now (a handler that runs many calls in a row lets their results go part-way).</summary>
    public void FlushDeferred() => _writer.FlushDeferred();

    /// <summary>Set by <see cref="ReceiveWatchdog"/> while it lists this connection.</summary>
    internal bool Watched { get; set; }

    /// <summary>Counts the times this connection asked the watchdog for a tick (it keeps ticking while they come).</summary>
    internal int Activity;

    /// <summary>A watchdog tick: flushes what a takeover left deferred, rescues an overrunning handler; returns whether a handler is still marked.</summary>
    internal bool OnTick()
    {
        // Frames deferred by a leader that lost the loop to a takeover in the same instant, or that no wait flushed.
        if (_writer.HasDeferred) _writer.FlushDeferred();
        return _receiver.CheckTakeover();
    }

    /// <summary>Closes the connection; the close callback runs once, with <paramref name="error"/> when the peer misbehaved.</summary>
    public void Close(string? error = null)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        // Unconditionally: a Watch racing this close sees it closed under the watchdog's lock, or is undone here.
        ReceiveWatchdog.Forget(this);
        _receiver.ReleaseFollowers();
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
}
