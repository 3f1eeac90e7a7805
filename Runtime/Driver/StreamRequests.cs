using System;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Core;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.Driver;

/// <summary>
/// The driver's side of streams that cross processes: items a worker's producer yields (stored like results, in
/// order, and acknowledged so that a bounded producer knows when to go on), and next-item requests from code in a
/// worker that reads a stream the driver owns.
/// </summary>
internal sealed class StreamRequests
{
    private readonly TaskOwner _owner;
    private readonly SharedStore _store;

    public StreamRequests(TaskOwner owner, SharedStore store)
    {
        _owner = owner;
        _store = store;
    }

    /// <summary>An item of a run; read on the worker's connection thread, so items arrive in the order they were yielded.</summary>
    public void OnItem(FrameConnection connection, StreamItemFrame frame)
    {
        var worker = (WorkerProcess)connection.Tag!;
        if (worker.Find(frame.RunId) is not { Task.Stream: { } stream } run)
        {
            _store.Discard(frame.Value); // the run was already reported (cancelled with force, or its worker died)
            return;
        }

        if (frame.Index == 0)
        {
            // A run learns its bound from the answer to its first item; later answers say how far the reader got. A
            // retried run starts from 0 again, on its own worker: the answers follow it there.
            var runId = frame.RunId;
            stream.ConsumedChanged = consumed => worker.Send(new StreamAckFrame { RunId = runId, Consumed = consumed, Bound = stream.Bound });
            worker.Send(new StreamAckFrame { RunId = runId, Consumed = stream.Consumed, Bound = stream.Bound });
        }

        if (stream.TryAdd(frame.Index) is not { } entry)
        {
            _store.Discard(frame.Value);
            return;
        }

        // Found now, before a later frame of the worker (a release of these refs) is read.
        var contained = WorkerRequests.ContainedEntries(_owner.Objects, frame.Contained);
        if (WorkerRequests.TryTake(_store, frame.Value, contained, out var value))
        {
            entry.TrySetStored(value);
            return;
        }

        // Making room may collect in every worker and wait for their answers: not on this connection's thread. The
        // entry already holds the item's place in the stream.
        ThreadPool.UnsafeQueueUserWorkItem(static s => s.Item1.Adopt(s.entry, s.Value, s.contained, s.DisplayName),
            (this, entry, frame.Value, contained, run.Task.Function.DisplayName), preferLocal: false);
    }

    private void Adopt(ObjectEntry entry, Payload payload, ObjectEntry[]? contained, string producer)
    {
        if (WorkerRequests.TakeMakingRoom(_store, payload, contained, $"an item of {producer}", out var value) is { } error) entry.TrySetError(error);
        else entry.TrySetStored(value!);
    }

    /// <summary>Code in a worker reads a stream: the next item is borrowed by that worker and named in the answer.</summary>
    public void OnNext(FrameConnection connection, StreamNextFrame frame)
    {
        IStreamReader reader = _owner.Streams.Find(frame.Stream) ?? (IStreamReader)EndedStream.Instance;
        var next = reader.NextAsync();
        if (next.IsCompleted) Reply(connection, frame.RequestId, next.GetAwaiter().GetResult());
        else _ = ReplyLater(connection, frame.RequestId, next);
    }

    private async Task ReplyLater(FrameConnection connection, long requestId, ValueTask<ObjectEntry?> next) =>
        Reply(connection, requestId, await next.ConfigureAwait(false));

    private void Reply(FrameConnection connection, long requestId, ObjectEntry? item)
    {
        // Borrowed before the answer leaves: the worker's subscription to the item finds it, and it stays until the worker lets it go.
        if (item is not null) _owner.Objects.Borrow(connection, item);
        connection.Send(new StreamNextReplyFrame { RequestId = requestId, Item = item?.Id ?? default, End = item is null });
    }
}
