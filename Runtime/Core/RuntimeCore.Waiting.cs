using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Observability;
using RayGen.Store;

namespace RayGen.Core;

internal abstract partial class RuntimeCore
{
    /// <summary>Blocks until <paramref name="entry"/> completes, lending the current task's resources meanwhile; throws its error.</summary>
    public void WaitReady(ObjectEntry entry, TimeSpan timeout)
    {
        var started = RayTelemetry.GetLatency.Enabled ? Stopwatch.GetTimestamp() : 0;
        if (!entry.IsCompleted && !Block(entry.Wait, timeout))
            throw new GetTimeoutException($"Get timed out after {timeout.TotalMilliseconds} ms waiting for {entry.Id}.");
        if (started != 0) RayTelemetry.GetLatency.Record(RayTelemetry.Seconds(started, Stopwatch.GetTimestamp()));
        if (entry.Error is { } error) throw error.ToException();
    }

    public T Read<T>(ObjectEntry entry, TimeSpan timeout)
    {
        WaitReady(entry, timeout);
        return ObjectValues.Read<T>(entry);
    }

    public async Task<T> ReadAsync<T>(ObjectEntry entry, CancellationToken cancellationToken)
    {
        await WhenReady(entry, cancellationToken).ConfigureAwait(false);
        return ObjectValues.Read<T>(entry);
    }

    public async Task WhenReady(ObjectEntry entry, CancellationToken cancellationToken)
    {
        var started = RayTelemetry.GetLatency.Enabled ? Stopwatch.GetTimestamp() : 0;
        await WhenReadyUnmeasured(entry, cancellationToken).ConfigureAwait(false);
        if (started != 0) RayTelemetry.GetLatency.Record(RayTelemetry.Seconds(started, Stopwatch.GetTimestamp()));
    }

    private async Task WhenReadyUnmeasured(ObjectEntry entry, CancellationToken cancellationToken)
    {
        // What this caller waits for may sit in a deferred send (see FrameConnection.DeferSends).
        if (!entry.IsCompleted) FlushPendingSends();
        if (!entry.IsCompleted) await entry.WhenCompleted().WaitAsync(cancellationToken).ConfigureAwait(false);
        if (entry.Error is { } error) throw error.ToException();
    }

    private bool Block(Func<TimeSpan, bool> wait, TimeSpan timeout)
    {
        // What this caller waits for may sit in a deferred send (see FrameConnection.DeferSends).
        FlushPendingSends();
        return BlockUntil(wait, timeout);
    }

    /// <summary>Gets many values; throws as soon as any of them has failed, without waiting for the rest.</summary>
    public T[] GetMany<T>(IReadOnlyList<ObjectRef<T>> refs, TimeSpan timeout)
    {
        var started = RayTelemetry.GetLatency.Enabled ? Stopwatch.GetTimestamp() : 0;
        var waiter = new CountdownWaiter(refs.Count, refs.Count, stopOnFailure: true);
        foreach (var r in refs) r.Entry.Subscribe(waiter);
        if (!waiter.IsDone)
        {
            using var progress = ProgressBar.StartIfWanted(Options.ShowProgress, "Get", refs.Count, () => waiter.Completed);
            if (!Block(waiter.Wait, timeout))
                throw new GetTimeoutException($"Get of {refs.Count} refs timed out after {timeout.TotalMilliseconds} ms.");
        }

        if (started != 0) RayTelemetry.GetLatency.Record(RayTelemetry.Seconds(started, Stopwatch.GetTimestamp()));
        for (var i = 0; i < refs.Count; i++)
        {
            if (refs[i].Entry.Error is { } error) throw error.ToException();
        }

        var values = new T[refs.Count];
        for (var i = 0; i < refs.Count; i++) values[i] = ObjectValues.Read<T>(refs[i].Entry);
        return values;
    }

    public (IReadOnlyList<ObjectRef<T>> Ready, IReadOnlyList<ObjectRef<T>> NotReady) Wait<T>(
        IReadOnlyList<ObjectRef<T>> refs, int numReturns, TimeSpan? timeout)
    {
        var waiter = new CountdownWaiter(refs.Count, numReturns, stopOnFailure: false);
        foreach (var r in refs) r.Entry.Subscribe(waiter);
        if (!waiter.IsDone)
        {
            using var progress = ProgressBar.StartIfWanted(Options.ShowProgress, "Wait", Math.Min(refs.Count, numReturns), () => waiter.Completed);
            Block(waiter.Wait, timeout ?? Timeout.InfiniteTimeSpan);
        }

        // Input order in both lists, and at most numReturns ready, as in ray.wait.
        var ready = new List<ObjectRef<T>>(numReturns);
        var notReady = new List<ObjectRef<T>>(Math.Max(0, refs.Count - numReturns));
        foreach (var r in refs)
        {
            if (ready.Count < numReturns && r.Entry.IsCompleted) ready.Add(r);
            else notReady.Add(r);
        }

        return (ready, notReady);
    }

    /// <summary>Counts completions of a set of entries; done at a target count, or at the first failure when asked.</summary>
    private sealed class CountdownWaiter : IEntryWaiter
    {
        private readonly int _target;
        private readonly bool _stopOnFailure;
        // A task, not an event: Task.Wait tells the thread pool its thread is blocked, so nested tasks get threads.
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _completed;

        public CountdownWaiter(int total, int target, bool stopOnFailure)
        {
            _target = Math.Min(total, target);
            _stopOnFailure = stopOnFailure;
            if (_target <= 0) _done.TrySetResult();
        }

        public bool IsDone => _done.Task.IsCompleted;

        /// <summary>How many have completed so far (a progress bar reads it).</summary>
        public int Completed => Math.Min(Volatile.Read(ref _completed), _target);

        public void OnEntryCompleted(ObjectEntry entry)
        {
            if (Interlocked.Increment(ref _completed) >= _target || (_stopOnFailure && entry.IsFailed)) _done.TrySetResult();
        }

        public bool Wait(TimeSpan timeout) => _done.Task.Wait(timeout);
    }
}
