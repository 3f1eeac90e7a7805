using System;
using System.Collections.Concurrent;
using RayGen.ObjectStore;
using RayGen.Scheduling;
using RayGen.Transport;

namespace RayGen.Workers;

/// <summary>
/// A worker's side of the connection to the driver, as its runtime sees it: nested submits, puts and
/// cancels go to the driver; objects the worker waits for come back as <see cref="ObjectValueFrame"/>s;
/// a run blocked in Get or Wait tells the driver, which lends its resources meanwhile.
/// </summary>
internal sealed class DriverLink
{
    private readonly FrameConnection _connection;
    private readonly ConcurrentDictionary<ObjectId, ObjectEntry> _awaiting = new();

    public DriverLink(FrameConnection connection) => _connection = connection;

    public ObjectEntry Submit(TaskSpec task)
    {
        if (task.Actor is not null || task.IsConstructor)
            throw new NotSupportedException(
                $"{task.Function.DisplayName}: creating or calling actors from inside a worker process is not supported yet; do it from the driver.");
        var args = task.ArgCount == 0 ? Array.Empty<WireArg>() : new WireArg[task.ArgCount];
        for (var i = 0; i < args.Length; i++)
        {
            var slot = task.Args[i];
            args[i] = slot.Inline is { } inline ? new WireArg { Inline = inline } : new WireArg { Ref = slot.Ref!.Id };
        }

        // Subscribed before sending, so the driver's answer always finds the entry.
        _awaiting[task.Result.Id] = task.Result;
        Send(new SubmitFrame { ResultId = task.Result.Id, FunctionId = task.Function.Id, Options = WireOptions.From(task.Options), Args = args });
        return task.Result;
    }

    public void Put(ObjectEntry entry) => Send(new PutFrame { Id = entry.Id, Value = entry.Data! });

    /// <summary>Asks the driver for an object's value; <paramref name="entry"/> completes when it arrives.</summary>
    public void Subscribe(ObjectEntry entry)
    {
        _awaiting[entry.Id] = entry;
        Send(new SubscribeFrame { Id = entry.Id });
    }

    public void Cancel(ObjectEntry entry, bool force) => Send(new CancelObjectFrame { Id = entry.Id, Force = force });

    public void OnObjectValue(ObjectValueFrame frame)
    {
        if (!_awaiting.TryRemove(frame.Id, out var entry)) return;
        if (frame.Error is { } error) entry.TrySetError(error);
        else entry.TrySetValue(frame.Value ?? ObjectEntry.Unit);
    }

    public bool BlockUntil(Func<TimeSpan, bool> wait, TimeSpan timeout)
    {
        var run = WorkerExecutor.CurrentTaskRun;
        if (run == 0) return wait(timeout);
        Send(new BlockedFrame { RunId = run, Blocked = true });
        try
        {
            return wait(timeout);
        }
        finally
        {
            Send(new BlockedFrame { RunId = run, Blocked = false });
        }
    }

    /// <summary>The driver is gone: whatever the worker still waits for fails rather than hanging.</summary>
    public void FailAll()
    {
        foreach (var entry in _awaiting.Values)
            entry.TrySetError(ErrorInfo.Of(ErrorKind.Runtime, "The connection to the RayGen driver was lost."));
        _awaiting.Clear();
    }

    private void Send(IFrame frame)
    {
        if (!_connection.Send(frame)) throw new RayException("The connection to the RayGen driver was lost.");
    }
}
