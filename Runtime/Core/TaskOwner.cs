using System;
using System.Collections.Generic;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.Core;

/// <summary>
/// Owns every task from submit to result, as Ray's owner does: dependencies, resources, retries, cancellation
/// and actors; hands ready work to the execution backend and hears back from it. It lives in the driver (or
/// an in-process runtime); a worker forwards its submissions here through its driver.
/// </summary>
internal sealed class TaskOwner
{
    private readonly object _liveLock = new();
    private readonly HashSet<TaskSpec> _live = new();
    private volatile bool _shutDown;

    /// <param name="runtime">The runtime it owns tasks for.</param>
    /// <param name="cpus">The CPUs it schedules; null: no bound at all (a backend that counts resources itself, per node).</param>
    /// <param name="newJob">Mint a job id even when the environment names one (see <see cref="TaskObserver.JobId"/>).</param>
    public TaskOwner(RuntimeCore runtime, double? cpus, bool newJob = false)
    {
        Runtime = runtime;
        var pool = cpus is { } bounded ? new ResourcePool(bounded, runtime.Options.NumGpus ?? 0, runtime.Options.Resources) : ResourcePool.Unbounded();
        Scheduler = new Scheduler(pool, Dispatch, Warn);
        Actors = new ActorManager(this);
        PlacementGroups = new PlacementGroupTable(this);
        Observer = new TaskObserver(this, newJob);
    }

    /// <summary>The placement groups this owner reserves and removes.</summary>
    public PlacementGroupTable PlacementGroups { get; }

    /// <summary>Timings, the finished-task history, the State API's and the metrics' view of this owner's tasks.</summary>
    public TaskObserver Observer { get; }

    /// <summary>For a cluster node's job host: where nested tasks this node cannot or must not run go (null elsewhere).</summary>
    public INestedTaskSpill? NestedSpill { get; set; }

    /// <summary>The runtime this owner serves (its directory mints the entries of the tasks it owns).</summary>
    public RuntimeCore Runtime { get; }

    public RayOptions Options => Runtime.Options;
    public ObjectDirectory Objects => Runtime.Objects;
    public Scheduler Scheduler { get; }
    public ActorManager Actors { get; }
    public StreamTable Streams { get; } = new();
    public bool IsShutDown => _shutDown;

    /// <summary>Where ready work runs; set once, right after the owner is built (a backend needs its owner first).</summary>
    public IExecutionBackend Backend { get; set; } = null!;

    public Action<string> WarningSink => Runtime.WarningSink;

    private void Warn(string message) => Runtime.WarningSink(message);

    public ObjectEntry Submit(TaskSpec task)
    {
        task.SubmittedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        // Tracing and the latency histogram cost only while someone listens (and, for spans, while a trace is recorded);
        // the histogram takes a sample of submits, so an unsampled one pays a field read and a thread-local increment.
        var timed = Observability.RayTelemetry.SubmitLatency.Enabled && Observability.RayTelemetry.SampleSubmit();
        var traced = TaskTracing.ShouldTrace(task);
        if (!timed && !traced) return SubmitUnobserved(task);
        return SubmitObserved(task, traced, timed);
    }

    private ObjectEntry SubmitObserved(TaskSpec task, bool traced, bool timed)
    {
        var span = traced ? TaskTracing.StartSubmit(task) : null;
        try
        {
            return SubmitUnobserved(task);
        }
        finally
        {
            if (span is not null) TaskTracing.StopSubmit(span);
            if (timed) Observability.RayTelemetry.SubmitLatency.Record(Observability.RayTelemetry.Seconds(task.SubmittedAt, System.Diagnostics.Stopwatch.GetTimestamp()));
        }
    }

    /// <summary>For the State API: the tasks in the live set (waiting for arguments, and actor calls).</summary>
    public void SnapshotLive(List<TaskSpec> into)
    {
        lock (_liveLock) into.AddRange(_live);
    }

    private ObjectEntry SubmitUnobserved(TaskSpec task)
    {
        Runtime.ThrowIfShutDown(task.Function.CallAction);
        task.Owner = this;
        if (task.Function.IsStream)
            task.Stream = Streams.Open(task.Result, Objects, task.Options.StreamBackpressure ?? task.Function.Defaults.StreamBackpressure);
        // A task whose arguments are all there goes straight to the scheduler, which tracks it from then on (queued
        // or holding resources); only tasks that wait somewhere else, and actor calls, join the live set.
        if (task.Actor is not null || task.HasPendingDependencies())
        {
            lock (_liveLock)
            {
                _live.Add(task);
                task.IsTrackedLive = true;
            }
        }

        // Actor calls join the mailbox before their arguments resolve, so they run in the order they were made.
        task.OwnedActor?.Enqueue(task);
        if (task.SubscribeToDependencies()) OnDependenciesResolved(task);
        return task.Result;
    }

    public void OnDependenciesResolved(TaskSpec task)
    {
        if (task.FailedDependency() is { } error)
        {
            // As in Ray, a task whose input failed fails with that same error, without running.
            if (task.IsConstructor) task.CreatesActor?.Die(error, allowRestart: false);
            Finish(task, null, error);
            task.OwnedActor?.Pump();
            return;
        }

        if (task.OwnedActor is { } actor)
        {
            if (task.TryMove(TaskState.WaitingForDependencies, TaskState.Queued)) actor.Pump();
            return;
        }

        // Checked once the task is ready to place, as Ray's scheduler does: only then is where it may run decided.
        // On a cluster the backend places by node (the pool here is unbounded) and judges affinity itself.
        if (Scheduler.Pool.IsBounded && LocalNodeAffinity.Refusal(task.Options.SchedulingStrategy, Observer.NodeId) is { } refusal)
        {
            if (!task.TryMove(TaskState.WaitingForDependencies, TaskState.Finished)) return; // cancelled meanwhile
            var unplaceable = ErrorInfo.Of(task.IsConstructor ? ErrorKind.ActorDied : ErrorKind.Runtime, $"{task.Function.DisplayName} {refusal}");
            if (task.IsConstructor) task.CreatesActor?.Die(unplaceable, allowRestart: false);
            Finish(task, null, unplaceable);
            return;
        }

        if (!task.TryMove(TaskState.WaitingForDependencies, TaskState.Queued)) return; // cancelled meanwhile
        Scheduler.Enqueue(task);
    }

    private void Dispatch(TaskSpec task)
    {
        if (task.CreatesActor is { } actor) actor.Construct(task);
        else Backend.Execute(task);
    }

    /// <summary>A backend reports a finished attempt: a result, or the exception the code threw.</summary>
    public void CompleteTask(TaskSpec task, object? result, Exception? exception) => CompleteTask(task, result, exception, takeNext: false);

    /// <summary>
    /// Reports a finished attempt; with <paramref name="takeNext"/> (a thread of this process that can run tasks) the
    /// next task that fits the freed resources is returned, already holding them, instead of being dispatched.
    /// </summary>
    public TaskSpec? CompleteTask(TaskSpec task, object? result, Exception? exception, bool takeNext)
    {
        TaskObserver.OnAttemptEnded(task, exception);
        TaskSpec? next = null;
        if (task.Actor is null)
        {
            var handedOff = false;
            if (takeNext) next = Scheduler.HandOff(task, out handedOff);
            if (!handedOff) next = Scheduler.Release(task, takeNext);
        }

        if (task.CancelRequested)
        {
            Finish(task, null, CancelledError(task));
            return next;
        }

        if (exception is null)
        {
            Finish(task, result ?? ObjectEntry.Unit, null);
            return next;
        }

        if (exception is ResultNotStoredException notStored)
        {
            Finish(task, null, notStored.Error);
            return next;
        }

        if (exception is OperationCanceledException && task.CancelRequested)
        {
            Finish(task, null, CancelledError(task));
            return next;
        }

        if (task.Actor is null && ShouldRetry(task) && !_shutDown)
        {
            task.Attempts++;
            task.MoveTo(TaskState.Queued);
            Scheduler.Enqueue(task);
            return next;
        }

        Finish(task, null, ErrorInfo.FromException(exception, task.Function.DisplayName));
        return next;
    }

    /// <summary>
    /// The worker running <paramref name="task"/> died: retry on a fresh worker while MaxRetries allow (default 3).
    /// With <paramref name="spendsRetry"/> false the death was none of the task's doing (its worker was killed to stop
    /// another run), so it runs again whatever its retries.
    /// </summary>
    public void OnWorkerCrashed(TaskSpec task, string detail, bool spendsRetry = true)
    {
        TaskObserver.OnAttemptEnded(task, null, detail);
        Scheduler.Release(task);
        if (!task.CancelRequested && !_shutDown && (!spendsRetry || task.Attempts < task.MaxRetries))
        {
            if (spendsRetry) task.Attempts++;
            task.MoveTo(TaskState.Queued);
            Scheduler.Enqueue(task);
            return;
        }

        Finish(task, null, task.CancelRequested
            ? CancelledError(task)
            : ErrorInfo.Of(ErrorKind.WorkerCrashed,
                $"The worker running {task.Function.DisplayName} died ({detail}); retries used: {task.Attempts} of {task.MaxRetries}."));
    }

    private static bool ShouldRetry(TaskSpec task) =>
        (task.Options.RetryExceptions ?? false) && task.Attempts < task.MaxRetries;

    /// <summary>Ends a task for good: its result is set and it leaves the live set.</summary>
    public void Finish(TaskSpec task, object? result, ErrorInfo? error)
    {
        task.MoveTo(TaskState.Finished);
        // Recorded before the result is set: whoever sees the result finds the task finished in the history.
        Observer.OnFinished(task, error);
        if (task.IsTrackedLive)
        {
            lock (_liveLock) _live.Remove(task);
        }

        if (error is not null) task.Result.TrySetError(error);
        else task.Result.TrySetStored(result!);
        // The token source is not disposed: a Cancel racing with this finish may still signal it (cancelling
        // it can run the task's continuation inline, up to this very line), and one without timers holds nothing.
    }

    private static ErrorInfo CancelledError(TaskSpec task) =>
        ErrorInfo.Of(ErrorKind.Cancelled, $"{task.Function.DisplayName} was cancelled (task {task.Result.Id}).");

    public void Cancel(ObjectEntry entry, bool force)
    {
        if (entry.Producer is not TaskSpec task || entry.IsCompleted) return;
        // A second cancel changes nothing, unless it is forced after a polite one (as in Ray, force escalates: a cluster
        // node gets the token's signal and then the force for the same run).
        var first = task.RequestCancel();
        if (!first && !force) return;
        if (first && (task.TryMove(TaskState.WaitingForDependencies, TaskState.Finished) || task.TryMove(TaskState.Queued, TaskState.Finished)))
        {
            // Never started: the scheduler (or the actor's mailbox) drops it when it reaches the queue head.
            Finish(task, null, CancelledError(task));
            task.OwnedActor?.Pump();
            return;
        }

        // Forced, the ref fails before anything is stopped: whatever stopping does (signalling the token can finish
        // the task inline, a kill can find the worker gone or fail) cannot leave it pending or end it another way.
        if (force) task.Result.TrySetError(CancelledError(task));
        task.Cancellation?.Cancel();
        Backend.Cancel(task);
        // A forced task's worker is killed; an actor's calls share the actor's process, so only the ref fails.
        if (force && task.Actor is null) Backend.ForceStop(task);
    }

    /// <summary>Fails every task not yet finished and every actor, then stops the backend and forgets the objects.</summary>
    public void Shutdown()
    {
        if (_shutDown) return;
        _shutDown = true;
        Actors.Shutdown();
        List<TaskSpec> live;
        lock (_liveLock)
        {
            live = new List<TaskSpec>(_live);
            _live.Clear();
        }

        live.AddRange(Scheduler.DrainQueuedAndRunning());
        var error = ErrorInfo.Of(ErrorKind.Runtime, "The RayGen runtime was shut down before this task finished.");
        foreach (var task in live)
        {
            task.RequestCancel();
            task.Cancellation?.Cancel();
            task.MoveTo(TaskState.Finished);
            task.Result.TrySetError(error);
        }

        Backend.Dispose();
        Objects.Clear();
        Streams.Clear();
    }

    /// <summary>A run about to block in Get or Wait lends its resources out meanwhile (Ray does the same for ray.get).</summary>
    public bool BlockUntil(Func<TimeSpan, bool> wait, TimeSpan timeout)
    {
        var task = TaskContext.Current;
        // An actor's constructor and calls lend nothing: what an actor holds, it holds for its lifetime.
        if (task is null || task.Actor is not null || task.CreatesActor is not null) return wait(timeout);
        Scheduler.Lend(task);
        try
        {
            return wait(timeout);
        }
        finally
        {
            Scheduler.Reclaim(task);
        }
    }
}
