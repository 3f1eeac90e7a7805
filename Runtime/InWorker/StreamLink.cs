using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.InWorker;

/// <summary>
/// A worker's side of streams: a streaming run sends each item to the driver as it is yielded and, once it knows
/// its bound, pauses while that many wait unread; code reading a stream asks the driver for each next item.
/// </summary>
internal sealed class StreamLink
{
    private readonly FrameConnection _connection;
    private readonly SharedStore _store;
    private readonly DriverLink _link;
    private readonly ConcurrentDictionary<long, Producer> _producers = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<StreamNextReplyFrame>> _asked = new();
    private long _nextRequest;

    public StreamLink(FrameConnection connection, SharedStore store, DriverLink link)
    {
        _connection = connection;
        _store = store;
        _link = link;
    }

    public IStreamSink OpenSink(long runId)
    {
        var producer = new Producer(this, runId);
        _producers[runId] = producer;
        return producer;
    }

    public void OnAck(StreamAckFrame frame)
    {
        if (_producers.TryGetValue(frame.RunId, out var producer)) producer.OnAck(frame.Consumed, frame.Bound);
    }

    public IStreamReader OpenReader(ObjectId stream) => new Reader(this, stream);

    public void OnNextReply(StreamNextReplyFrame frame)
    {
        if (_asked.TryRemove(frame.RequestId, out var reply)) reply.TrySetResult(frame);
    }

    /// <summary>The driver is gone: reads waiting for it fail rather than hang.</summary>
    public void FailAll()
    {
        foreach (var reply in _asked.Values) reply.TrySetException(new RayException("The connection to the RayGen driver was lost."));
        _asked.Clear();
    }

    private void Send(IFrame frame)
    {
        if (!_connection.Send(frame)) throw new RayException("The connection to the RayGen driver was lost.");
    }

    private sealed class Producer(StreamLink link, long runId) : IStreamSink
    {
        private readonly object _lock = new();
        private long _produced;
        private long _consumed;
        private int _bound;
        private bool _boundKnown;
        private TaskCompletionSource? _room;

        public ValueTask AddAsync(long index, object stored, CancellationToken cancellationToken)
        {
            // A large item is already in shared memory (this worker wrote it there): only its name travels, and the driver takes the file.
            var shared = stored as SharedObject;
            var payload = shared is not null ? SharedStore.PayloadOf(shared, transfer: true) : link._store.Wrap((byte[])stored);
            link.Send(new StreamItemFrame { RunId = runId, Index = index, Value = payload, Contained = Containment.IdsHeldBy(stored) });
            GC.KeepAlive(stored); // it holds the refs inside it: this worker still borrows them when the driver reads the frame
            shared?.TryFree(force: true);

            TaskCompletionSource room;
            lock (_lock)
            {
                _produced = Math.Max(_produced, index + 1);
                if (MayGoOn()) return default;
                room = _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            // The answer this waits for follows the items, which must not sit in a held-back send meanwhile.
            link._link.Deferral.FlushAll();
            return new ValueTask(room.Task.WaitAsync(cancellationToken));
        }

        // Until the driver's first answer the bound is unknown: nothing past item 0 is produced before it.
        private bool MayGoOn() => _boundKnown && (_bound == 0 || _produced - _consumed < _bound);

        public void OnAck(long consumed, int bound)
        {
            TaskCompletionSource? room = null;
            lock (_lock)
            {
                _boundKnown = true;
                _bound = bound;
                _consumed = Math.Max(_consumed, consumed);
                if (_room is not null && MayGoOn())
                {
                    room = _room;
                    _room = null;
                }
            }

            room?.TrySetResult();
        }

        public void Close() => link._producers.TryRemove(runId, out _);
    }

    private sealed class Reader(StreamLink link, ObjectId stream) : IStreamReader
    {
        private volatile bool _ended;

        public ValueTask<ObjectEntry?> NextAsync()
        {
            if (_ended) return new ValueTask<ObjectEntry?>((ObjectEntry?)null);
            var id = Interlocked.Increment(ref link._nextRequest);
            var reply = new TaskCompletionSource<StreamNextReplyFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
            link._asked[id] = reply;
            link.Send(new StreamNextFrame { RequestId = id, Stream = stream });
            return Receive(reply.Task);
        }

        private async ValueTask<ObjectEntry?> Receive(Task<StreamNextReplyFrame> reply)
        {
            var frame = await reply.ConfigureAwait(false);
            if (!frame.End) return link._link.Import(frame.Item);
            _ended = true;
            return null;
        }
    }
}
