using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using RayGen.Observability;
using RayGen.Protocol;

namespace RayGen.Core;

/// <summary>
/// What a task owner tells the observers: a task's timings as they happen, and, once it finished, a record in a bounded
/// history (the last <see cref="HistoryCapacity"/>, which the timeline and the State API read). Live tasks are not
/// tracked here at all: a snapshot reads them from where the owner already keeps them (its live set, the scheduler's
/// queues and slots, the actors' mailboxes), so a task costs two timestamps and one small record, whoever listens.
/// </summary>
internal sealed class TaskObserver : IRuntimeGauges
{
    /// <summary>Finished tasks kept (Ray keeps 100,000 task events in its GCS by default, RAY_task_events_max_num_task_in_gcs).</summary>
    public const int HistoryCapacity = 100_000;

    private readonly TaskOwner _owner;
    private long _finished;
    private long _failed;

    /// <param name="owner">The owner whose tasks it observes.</param>
    /// <param name="newJob">Mint a job id even when the environment names one.</param>
    public TaskObserver(TaskOwner owner, bool newJob)
    {
        _owner = owner;
        StartedAt = Stopwatch.GetTimestamp();
        // A job host is its cluster node's runtime: it answers with the ids the node gave it, so that
        // Ray.RuntimeContext and Ray.Nodes() on the node name what the driver's Ray.Nodes() names.
        NodeId = WorkerEnvironment.Read(WorkerEnvironment.NodeIdVariable)
                 ?? Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(BitConverter.GetBytes(owner.Runtime.Objects.Owner));
        JobId = (newJob ? null : WorkerEnvironment.Read(WorkerEnvironment.JobIdVariable))
                ?? Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
    }

    /// <summary>The last <see cref="HistoryCapacity"/> finished tasks, oldest first.</summary>
    public RingBuffer<TaskRecord> History { get; } = new(HistoryCapacity);

    /// <summary>When the runtime started (the timeline's zero).</summary>
    public long StartedAt { get; }

    /// <summary>This runtime's one node.</summary>
    public string NodeId { get; }

    /// <summary>This runtime's job: the driver's own, or, in a job host, the job of the driver it serves.</summary>
    public string JobId { get; }

    /// <summary>Where workers' output lines are kept for the dashboard; null (nothing kept) unless a dashboard is served.</summary>
    public WorkerLogs? WorkerLogs { get; set; }

    /// <summary>Set by a backend whose runs wait for a process: where a running task is, and whether its worker has started it.</summary>
    public Func<TaskSpec, bool>? IsWithWorker { get; set; }

    /// <summary>Set by a backend with worker processes: how many there are, by type.</summary>
    public Func<IEnumerable<KeyValuePair<string, long>>>? CountWorkers { get; set; }

    /// <summary>Set by a backend with a shared-memory store: its figures.</summary>
    public Func<(long Used, long Spilled, long Capacity, long Objects)>? StoreFigures { get; set; }

    public long FinishedCount => Interlocked.Read(ref _finished);
    public long FailedCount => Interlocked.Read(ref _failed);

    /// <summary>A thread of this process starts running <paramref name="task"/>; returns the activity to restore after.</summary>
    public static Activity? OnRunningHere(TaskSpec task)
    {
        task.StartedAt = Stopwatch.GetTimestamp();
        task.EndedAt = 0;
        task.WorkerPid = Environment.ProcessId;
        task.WorkerSlot = Environment.CurrentManagedThreadId;
        return task.TraceParent is null ? null : TaskTracing.StartExecution(task, makeCurrent: true);
    }

    /// <summary>An attempt ended: a result, the exception it ended with, or (<paramref name="crash"/>) its worker died.</summary>
    public static void OnAttemptEnded(TaskSpec task, Exception? exception, string? crash = null)
    {
        if (task.StartedAt != 0 && task.EndedAt < task.StartedAt) task.EndedAt = Stopwatch.GetTimestamp();
        if (task.ExecutionSpan is null) return;
        var error = exception is not null ? ErrorInfo.FromException(exception, task.Function.DisplayName)
            : crash is not null ? ErrorInfo.Of(ErrorKind.WorkerCrashed, crash) : null;
        TaskTracing.EndExecution(task, error);
    }

    /// <summary>The task ended for good: counted, and recorded in the history.</summary>
    public void OnFinished(TaskSpec task, ErrorInfo? error)
    {
        var now = Stopwatch.GetTimestamp();
        if (task.StartedAt != 0 && task.EndedAt < task.StartedAt) task.EndedAt = now;
        if (task.ExecutionSpan is not null) TaskTracing.EndExecution(task, error);
        Interlocked.Increment(ref error is null ? ref _finished : ref _failed);
        History.Add(new TaskRecord(task, error, now));
    }

    /// <summary>The tasks not finished, each once.</summary>
    public List<TaskSpec> LiveTasks()
    {
        var all = new List<TaskSpec>();
        _owner.SnapshotLive(all);
        _owner.Scheduler.Snapshot(all);
        var seen = new HashSet<TaskSpec>(ReferenceEqualityComparer.Instance);
        var live = new List<TaskSpec>(all.Count);
        foreach (var task in all)
        {
            if (task.State != TaskState.Finished && seen.Add(task)) live.Add(task);
        }

        return live;
    }

    /// <summary>
    /// Actor calls handed to a worker that runs them in order, MaxConcurrency at a time: those behind the first
    /// MaxConcurrency wait in the worker (Ray's SUBMITTED_TO_WORKER), not running yet.
    /// </summary>
    public HashSet<TaskSpec> QueuedInWorkers()
    {
        var queued = new HashSet<TaskSpec>(ReferenceEqualityComparer.Instance);
        if (!_owner.Backend.PipelinesActorCalls) return queued;
        foreach (var actor in _owner.Actors.Snapshot())
        {
            var calls = actor.InFlightSnapshot();
            if (calls.Count <= actor.MaxConcurrency) continue;
            calls.Sort(static (a, b) => a.Result.Id.Sequence.CompareTo(b.Result.Id.Sequence));
            for (var i = actor.MaxConcurrency; i < calls.Count; i++) queued.Add(calls[i]);
        }

        return queued;
    }

    /// <summary>The Ray state of a live task.</summary>
    public RayTaskStatus StatusOf(TaskSpec task, HashSet<TaskSpec> queuedInWorkers) => task.State switch
    {
        TaskState.WaitingForDependencies => RayTaskStatus.PendingArgsAvail,
        TaskState.Queued => RayTaskStatus.PendingNodeAssignment,
        TaskState.Running when queuedInWorkers.Contains(task) || (IsWithWorker is { } located && !located(task)) => RayTaskStatus.SubmittedToWorker,
        TaskState.Running => RayTaskStatus.Running,
        _ => RayTaskStatus.Finished,
    };

    public static string TypeOf(TaskSpec task) =>
        task.IsConstructor ? "ACTOR_CREATION_TASK" : task.Actor is not null ? "ACTOR_TASK" : "NORMAL_TASK";

    /// <summary>A failed task's error type: what the code threw (full name), else the RayGen exception Get throws.</summary>
    public static string ErrorTypeOf(ErrorInfo error) => error.Kind switch
    {
        ErrorKind.TaskError => error.ErrorType,
        ErrorKind.WorkerCrashed => typeof(WorkerCrashedException).FullName!,
        ErrorKind.NodeDied => typeof(NodeDiedException).FullName!,
        ErrorKind.ActorDied => typeof(ActorDiedException).FullName!,
        ErrorKind.ObjectLost => typeof(ObjectLostException).FullName!,
        ErrorKind.Cancelled => typeof(RayTaskCanceledException).FullName!,
        ErrorKind.ObjectStoreFull => typeof(ObjectStoreFullException).FullName!,
        _ => typeof(RayException).FullName!,
    };

    /// <summary>Ray's spelling of a task state, as metrics and the CLI show it.</summary>
    public static string RayName(RayTaskStatus status) => status switch
    {
        RayTaskStatus.PendingArgsAvail => "PENDING_ARGS_AVAIL",
        RayTaskStatus.PendingNodeAssignment => "PENDING_NODE_ASSIGNMENT",
        RayTaskStatus.SubmittedToWorker => "SUBMITTED_TO_WORKER",
        RayTaskStatus.Running => "RUNNING",
        RayTaskStatus.Finished => "FINISHED",
        _ => "FAILED",
    };

    /// <summary>Ray's spelling of an actor state.</summary>
    public static string RayName(ActorState state) => state switch
    {
        ActorState.DependenciesUnready => "DEPENDENCIES_UNREADY",
        ActorState.PendingCreation => "PENDING_CREATION",
        ActorState.Alive => "ALIVE",
        ActorState.Restarting => "RESTARTING",
        _ => "DEAD",
    };

    public static ActorState StateOf(ActorRecord actor) => actor.Status switch
    {
        ActorStatus.Pending when actor.Constructor.State == TaskState.WaitingForDependencies => ActorState.DependenciesUnready,
        ActorStatus.Pending => ActorState.PendingCreation,
        ActorStatus.Alive => ActorState.Alive,
        ActorStatus.Restarting => ActorState.Restarting,
        _ => ActorState.Dead,
    };

    /// <summary>The task's id as the State API and the timeline show it.</summary>
    public static string IdText(ObjectId id) => id.ToString();

    public static string ActorIdText(long id) => id.ToString(CultureInfo.InvariantCulture);

    IEnumerable<KeyValuePair<string, long>> IRuntimeGauges.TaskCounts()
    {
        var counts = new long[6];
        var queued = QueuedInWorkers();
        foreach (var task in LiveTasks()) counts[(int)StatusOf(task, queued)]++;
        counts[(int)RayTaskStatus.Finished] = FinishedCount;
        counts[(int)RayTaskStatus.Failed] = FailedCount;
        var result = new KeyValuePair<string, long>[counts.Length];
        for (var i = 0; i < counts.Length; i++) result[i] = new(RayName((RayTaskStatus)i), counts[i]);
        return result;
    }

    IEnumerable<KeyValuePair<string, long>> IRuntimeGauges.ActorCounts()
    {
        var counts = new long[5];
        foreach (var actor in _owner.Actors.Snapshot()) counts[(int)StateOf(actor)]++;
        var result = new KeyValuePair<string, long>[counts.Length];
        for (var i = 0; i < counts.Length; i++) result[i] = new(RayName((ActorState)i), counts[i]);
        return result;
    }

    IEnumerable<KeyValuePair<string, long>> IRuntimeGauges.WorkerCounts() =>
        CountWorkers?.Invoke() ?? Array.Empty<KeyValuePair<string, long>>();

    (long Used, long Spilled, long Capacity, long Objects)? IRuntimeGauges.ObjectStore() => StoreFigures?.Invoke();
}
