using System;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace RayGen.Protocol;

/// <summary>
/// The send side of a connection. A sender encodes its frame into a buffer and, when no other thread is writing,
/// writes it to the socket itself; frames queued while a write is under way leave together in the next one
/// (many small submissions, few syscalls). A frame may instead be held back until its
/// <see cref="SendDeferral"/> is flushed, so that a burst leaves in one write.
/// </summary>
internal sealed class FrameWriter
{
    private readonly Socket _socket;
    private readonly FrameConnection _owner;
    private readonly SendDeferral _deferral;
    private readonly CancellationToken _closing;
    private readonly object _lock = new();
    // Frames wait in _queued; the thread that owns the write side (_flushing) swaps it with _writing and writes
    // that batch, so frames queued meanwhile by other threads leave together in its next write.
    private FrameBuffer _queued = new();
    private FrameBuffer _writing = new();
    private bool _flushing;
    private bool _deferred;

    public FrameWriter(Socket socket, FrameConnection owner, SendDeferral deferral, CancellationToken closing)
    {
        _socket = socket;
        _owner = owner;
        _deferral = deferral;
        _closing = closing;
    }

    /// <summary>Socket writes made so far (for tests of batching; the writing thread alone updates it).</summary>
    public long Writes { get; private set; }

    /// <summary>Whether frames are held back waiting for a flush (read without the lock, by the watchdog).</summary>
    public bool HasDeferred => Volatile.Read(ref _deferred);

    /// <summary>
    /// Queues one frame and, unless another thread is writing or <paramref name="defer"/> holds it back, writes it
    /// now. Never blocks on the socket: a full socket buffer hands the rest to an async write, so no receive loop
    /// ever waits on its peer (no send-send deadlock).
    /// </summary>
    public SendResult Send(IFrame frame, bool defer)
    {
        lock (_lock)
        {
            if (_owner.IsClosed) return SendResult.Closed;
            FrameCodec.Write(_queued, frame);
            if (_flushing) return SendResult.Queued; // the writing thread takes it with its next batch
            if (defer)
            {
                if (!_deferred)
                {
                    _deferred = true;
                    _deferral.Add(this);
                }

                return SendResult.Deferred;
            }

            _flushing = true;
        }

        // A direct write from the sender's thread: no hop to a pump thread, which is most of a small call's latency.
        Flush();
        return SendResult.Queued;
    }

    /// <summary>Writes the frames held back, unless a write is under way, which takes them.</summary>
    public void FlushDeferred()
    {
        lock (_lock)
        {
            if (!_deferred) return;
            _deferred = false;
            if (_flushing || _owner.IsClosed) return;
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
            lock (_lock)
            {
                if (_queued.Count == 0 || _owner.IsClosed)
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

                _owner.Close(null);
                return;
            }

            batch.Reset();
        }
    }

    private async Task FlushRestAsync(FrameBuffer batch, int sent)
    {
        try
        {
            await _socket.SendAsync(batch.WrittenMemory[sent..], SocketFlags.None, _closing).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            _owner.Close(null);
            return;
        }

        batch.Reset();
        Flush();
    }
}

/// <summary>What became of a frame handed to <see cref="FrameWriter.Send"/>.</summary>
internal enum SendResult
{
    /// <summary>The connection is closed; the frame was dropped.</summary>
    Closed,

    /// <summary>Written, or queued behind a write under way that will take it.</summary>
    Queued,

    /// <summary>Held back until the deferral is flushed (or the watchdog's next tick).</summary>
    Deferred,
}
