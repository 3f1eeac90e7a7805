using System;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Store;

namespace RayGen.Core;

internal abstract partial class RuntimeCore : IStreamHost
{
    /// <inheritdoc />
    public abstract IStreamReader OpenStream(ObjectEntry stream);

    /// <summary>Where the items of run <paramref name="runId"/> go (a worker's runs; in process a task's stream is its sink).</summary>
    public virtual IStreamSink OpenStreamSink(long runId) =>
        throw new InvalidOperationException("A stream's producer ran with no stream to put its items in.");

    /// <inheritdoc />
    public ValueTask<ObjectEntry?> NextAsync(IStreamReader reader, CancellationToken cancellationToken)
    {
        var next = reader.NextAsync();
        if (next.IsCompleted) return next;
        // The item may wait behind a deferred send (an ask to the driver, or an ack that lets the producer go on).
        FlushPendingSends();
        return cancellationToken.CanBeCanceled ? new ValueTask<ObjectEntry?>(next.AsTask().WaitAsync(cancellationToken)) : next;
    }

    /// <inheritdoc />
    public ObjectEntry? Next(IStreamReader reader)
    {
        var next = reader.NextAsync();
        if (next.IsCompleted) return next.GetAwaiter().GetResult();
        var pending = next.AsTask();
        FlushPendingSends();
        // Task.Wait tells the thread pool a worker thread is blocked, so the producer still gets one in process.
        BlockUntil(timeout => WaitQuietly(pending, timeout), Timeout.InfiniteTimeSpan);
        return pending.GetAwaiter().GetResult();
    }

    private static bool WaitQuietly(Task task, TimeSpan timeout)
    {
        try
        {
            return task.Wait(timeout);
        }
        catch (AggregateException)
        {
            return true; // the caller reads the failure from the task
        }
    }
}
