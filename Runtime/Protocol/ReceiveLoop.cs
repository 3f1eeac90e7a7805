using System;
using System.Net.Sockets;
using System.Threading;

namespace RayGen.Protocol;

/// <summary>
/// The receive side of a connection, led by one thread at a time (the leader/followers pattern). The leader reads
/// frames and runs each frame's handler on its own thread, so a short call costs no thread wake-up. A handler that
/// may run long marks itself overtakable (<see cref="AllowTakeover"/>); if it is still running a tick or two later,
/// <see cref="ReceiveWatchdog"/> wakes a follower to lead, and frames behind it (a cancel, a reply) are read
/// meanwhile. A handler about to block hands the loop on itself (<see cref="HandOff"/>).
/// </summary>
internal sealed class ReceiveLoop
{
    [ThreadStatic] private static ReceiveLoop? t_leading;
    // A handler that runs inline marks itself with a process-unique number; whoever clears the mark (the handler
    // when it ends, its explicit hand-off, or the watchdog) decides whether the loop moves on, exactly once.
    [ThreadStatic] private static long t_takeover;
    private static long s_nextTakeover;

    private readonly Socket _socket;
    private readonly FrameConnection _owner;
    private readonly FrameWriter _writer;
    private readonly SendDeferral _deferral;
    private readonly SemaphoreSlim _followers = new(0);
    // The buffer belongs to whichever thread leads.
    private byte[] _rx = new byte[64 * 1024];
    private int _rxStart;
    private int _rxEnd;
    private int _idleFollowers;
    private long _takeover;
    private long _takeoverSeen;
    private Action<FrameConnection, IFrame>? _onFrame;

    public ReceiveLoop(Socket socket, FrameConnection owner, FrameWriter writer, SendDeferral deferral)
    {
        _socket = socket;
        _owner = owner;
        _writer = writer;
        _deferral = deferral;
    }

    /// <summary>Whether the calling thread leads this loop and runs an overtakable handler that still owns the loop.</summary>
    public bool RunsInlineHere
    {
        get
        {
            var mark = t_takeover;
            return t_leading == this && mark != 0 && Volatile.Read(ref _takeover) == mark;
        }
    }

    public void Start(Action<FrameConnection, IFrame> onFrame)
    {
        _onFrame = onFrame;
        StartThread();
    }

    /// <summary>See <see cref="FrameConnection.HandOffReceiving"/>.</summary>
    public void HandOff()
    {
        if (t_leading != this) return;
        t_leading = null;
        _writer.FlushDeferred();
        var mark = t_takeover;
        if (mark != 0)
        {
            t_takeover = 0;
            // The watchdog may have handed the loop off already.
            if (Interlocked.CompareExchange(ref _takeover, 0, mark) != mark) return;
        }

        WakeFollower();
    }

    /// <summary>Marks the running handler overtakable; true when it did (the caller then makes sure a tick comes).</summary>
    public bool AllowTakeover()
    {
        if (t_leading != this || t_takeover != 0) return false;
        var mark = Interlocked.Increment(ref s_nextTakeover);
        t_takeover = mark;
        Interlocked.Exchange(ref _takeover, mark); // a full fence before the watchdog's armed flag is read
        return true;
    }

    /// <summary>
    /// A watchdog tick: hands the loop off when the handler marked on the last tick is still running. Returns
    /// whether a handler is marked, which keeps the watchdog ticking.
    /// </summary>
    public bool CheckTakeover()
    {
        var mark = Volatile.Read(ref _takeover);
        if (mark == 0) return false;
        if (mark != _takeoverSeen)
        {
            _takeoverSeen = mark;
            return true;
        }

        if (Interlocked.CompareExchange(ref _takeover, 0, mark) == mark && !_owner.IsClosed) WakeFollower();
        return true;
    }

    /// <summary>Wakes every parked follower; each sees the connection closed and ends.</summary>
    public void ReleaseFollowers() => _followers.Release(Math.Max(1, Volatile.Read(ref _idleFollowers) + 1));

    /// <summary>Ends this thread's inline-handler mark; false when the watchdog took the loop meanwhile.</summary>
    private bool EndTakeover()
    {
        var mark = t_takeover;
        if (mark == 0) return true;
        t_takeover = 0;
        return Interlocked.CompareExchange(ref _takeover, 0, mark) == mark;
    }

    private void StartThread() =>
        new Thread(Run) { IsBackground = true, Name = $"RayGen receive ({_owner.Name})" }.Start();

    private void WakeFollower()
    {
        if (Interlocked.Decrement(ref _idleFollowers) >= 0)
        {
            _followers.Release();
            return;
        }

        Interlocked.Increment(ref _idleFollowers);
        StartThread();
    }

    /// <summary>Leads the loop; once handed off, parks until it is asked to lead again (or the connection closes).</summary>
    private void Run()
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
        if (_owner.IsClosed) return false;
        t_leading = this;
        string? error = null;
        try
        {
            while (true)
            {
                while (FrameCodec.TryRead(_rx.AsSpan(_rxStart, _rxEnd - _rxStart), out var frame, out var consumed))
                {
                    _rxStart += consumed;
                    _onFrame!(_owner, frame);
                    if (!EndTakeover())
                    {
                        t_leading = null;
                        _writer.FlushDeferred();
                        return true; // taken over by the watchdog: the new leader owns the buffer now
                    }

                    if (t_leading != this) return true; // handed off: the new leader owns the buffer now
                    if (_owner.IsClosed) return false;
                }

                // The frames read are handled: what they produced leaves in one write per connection.
                _writer.FlushDeferred();
                _deferral.FlushAll();
                if (_rxStart == _rxEnd) _rxStart = _rxEnd = 0;
                if (_rx.Length - _rxEnd < 4096) MakeRoom();

                var received = _socket.Receive(_rx.AsSpan(_rxEnd), SocketFlags.None, out var status);
                if (status is SocketError.WouldBlock or SocketError.Interrupted)
                {
                    _socket.Poll(-1, SelectMode.SelectRead);
                    continue;
                }

                if (status != SocketError.Success) break;
                if (received == 0)
                {
                    error = FrameCodec.Tail(_rxEnd - _rxStart);
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

        _owner.Close(error);
        return false;
    }

    /// <summary>Slides the partial frame to the front, or grows the buffer for a frame larger than half of it.</summary>
    private void MakeRoom()
    {
        var pending = _rxEnd - _rxStart;
        var target = pending > _rx.Length / 2 ? GC.AllocateUninitializedArray<byte>((int)Math.Min(Array.MaxLength, (long)_rx.Length * 2)) : _rx;
        _rx.AsSpan(_rxStart, pending).CopyTo(target);
        _rx = target;
        _rxStart = 0;
        _rxEnd = pending;
    }
}
