using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Driver;
using RayGen.Protocol;
using RayGen.Store;
using RayGen.InWorker;
using RayGen.WorkerHost;

namespace RayGen.Core;

/// <summary>
/// The driver's runtime: owns every task from submit to result — dependencies, resources, retries,
/// cancellation — and hands ready tasks to the execution backend.
/// </summary>
internal sealed partial class RuntimeCore
{
    private readonly object _liveLock = new();
    private readonly HashSet<TaskSpec> _live = new();
    private volatile bool _shutDown;

    public RuntimeCore(RayOptions options) : this(options, null)
    {
    }

    /// <summary>
    /// With <paramref name="driver"/>, the runtime of a worker process: it owns nothing, and every submit, put,
    /// cancel and blocking wait goes to the driver (as Ray's core worker does in a worker).
    /// </summary>
    internal RuntimeCore(RayOptions options, DriverLink? driver)
    {
        Options = options;
        Driver = driver;
        var cpus = options.NumCpus ?? Environment.ProcessorCount;
        if (cpus < 0 || double.IsNaN(cpus)) throw new ArgumentException($"RayOptions.NumCpus must be non-negative, not {cpus}.");
        Objects = new ObjectDirectory(this, Random.Shared.NextInt64(1, long.MaxValue));
        Scheduler = new Scheduler(new ResourcePool(cpus, options.NumGpus ?? 0, options.Resources), Dispatch, Warn);
        Backend = driver is not null ? new NoLocalBackend() : options.Mode switch
        {
            RayMode.InProcess => new InProcessBackend(this),
            RayMode.Processes => new ProcessBackend(this, cpus),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Mode, "Unknown RayMode."),
        };
        Actors = new ActorManager(this);
    }

    public RayOptions Options { get; }
    public ObjectDirectory Objects { get; }
    public Scheduler Scheduler { get; }
    public IExecutionBackend Backend { get; }
    public ActorManager Actors { get; }
    public bool IsShutDown => _shutDown;

    /// <summary>In a worker process: the link to the driver that owns all work; null in the driver.</summary>
    public DriverLink? Driver { get; }

    /// <summary>Receives runtime warnings (infeasible requests and the like); stderr unless a test swaps it.</summary>
    public Action<string> WarningSink { get; set; } = message => Console.Error.WriteLine($"[RayGen] warning: {message}");

    private void Warn(string message) => WarningSink(message);

    /// <param name="value">The serialized value: a byte array, or a <see cref="SharedObject"/> already in shared memory.</param>
    public ObjectEntry Put(object value)
    {
        ThrowIfShutDown("put a value");
        var entry = Objects.NewEntry();
        entry.TrySetStored(value);
        Driver?.Put(entry);
        return entry;
    }

    public ObjectEntry Submit(TaskSpec task)
    {
        ThrowIfShutDown(task.Function.CallAction);
        if (Driver is { } driver) return driver.Submit(task);
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
        task.Actor?.Enqueue(task);
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
            task.Actor?.Pump();
            return;
        }

        if (task.Actor is { } actor)
        {
            if (task.TryMove(TaskState.WaitingForDependencies, TaskState.Queued)) actor.Pump();
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
        Scheduler.Release(task);
        if (!task.CancelRequested && !_shutDown && (!spendsRetry || task.Attempts < (task.Options.MaxRetries ?? 3)))
        {
            if (spendsRetry) task.Attempts++;
            task.MoveTo(TaskState.Queued);
            Scheduler.Enqueue(task);
            return;
        }

        Finish(task, null, task.CancelRequested
            ? CancelledError(task)
            : ErrorInfo.Of(ErrorKind.WorkerCrashed,
                $"The worker running {task.Function.DisplayName} died ({detail}); retries used: {task.Attempts} of {task.Options.MaxRetries ?? 3}."));
    }

    private static bool ShouldRetry(TaskSpec task) =>
        (task.Options.RetryExceptions ?? false) && task.Attempts < (task.Options.MaxRetries ?? 3);

    /// <summary>Ends a task for good: its result is set and it leaves the live set.</summary>
    public void Finish(TaskSpec task, object? result, ErrorInfo? error)
    {
        task.MoveTo(TaskState.Finished);
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
        if (Driver is { } driver)
        {
            driver.Cancel(entry, force);
            return;
        }

        if (entry.Producer is not { } task || entry.IsCompleted) return;
        if (!task.RequestCancel()) return;
        if (task.TryMove(TaskState.WaitingForDependencies, TaskState.Finished) || task.TryMove(TaskState.Queued, TaskState.Finished))
        {
            // Never started: the scheduler (or the actor's mailbox) drops it when it reaches the queue head.
            Finish(task, null, CancelledError(task));
            task.Actor?.Pump();
            return;
        }

        // Forced, the ref fails before anything is stopped: whatever stopping does (signalling the token can finish
        // the task inline, a kill can find the worker gone or fail) cannot leave it pending or end it another way.
        if (force) task.Result.TrySetError(CancelledError(task));
        task.Cancellation?.Cancel();
        // A forced task's worker is killed; an actor's calls share the actor's process, so only the ref fails.
        if (force && task.Actor is null) Backend.ForceStop(task);
    }

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
    }

    public void ThrowIfShutDown(string action)
    {
        if (_shutDown) throw new RayException($"Cannot {action}: the RayGen runtime was shut down. Call Ray.Init() to start a new one.");
    }
}
