using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RayGen.Core;
using RayGen.Observability;
using RayGen.Protocol;

namespace RayGen.Driver;

/// <summary>
/// The State API's rows (<c>Ray.State</c>), read from the driver's runtime when asked: live tasks where the owner keeps
/// them, finished ones from the observer's bounded history, actors from the actor manager, workers from the pool,
/// objects from the shared-memory store. Nothing is kept for it beyond that history.
/// </summary>
internal sealed class RuntimeState
{
    private const string Localhost = "127.0.0.1";

    private readonly DriverRuntime _runtime;

    public RuntimeState(DriverRuntime runtime) => _runtime = runtime;

    private TaskOwner Owner => _runtime.Owner;
    private TaskObserver Observer => Owner.Observer;
    private ProcessBackend? Processes => Owner.Backend as ProcessBackend;

    public IReadOnlyList<TaskInfo> Tasks() => Tasks(int.MaxValue);

    /// <summary>
    /// The live tasks and the newest <paramref name="finished"/> finished ones, in submission order: what a dashboard
    /// refreshing every second can afford, where reading the whole history (100,000 rows) each time could not.
    /// </summary>
    public IReadOnlyList<TaskInfo> Tasks(int finished)
    {
        // The history first: a task that finishes while the live set is read is then seen at least once.
        var history = Observer.History.Snapshot(finished);
        var queued = Observer.QueuedInWorkers();
        var rows = new List<TaskInfo>(history.Count + 16);
        var seen = new HashSet<ObjectId>();
        foreach (var task in Observer.LiveTasks())
        {
            if (seen.Add(task.Result.Id)) rows.Add(LiveRow(task, Observer.StatusOf(task, queued)));
        }

        for (var i = history.Count - 1; i >= 0; i--)
        {
            if (seen.Add(history[i].Id)) rows.Add(FinishedRow(history[i]));
        }

        rows.Sort(static (a, b) => a.SubmittedAt.CompareTo(b.SubmittedAt));
        return rows;
    }

    private TaskInfo LiveRow(TaskSpec task, RayTaskStatus status)
    {
        var placed = status is RayTaskStatus.Running or RayTaskStatus.SubmittedToWorker;
        return new TaskInfo
        {
            TaskId = TaskObserver.IdText(task.Result.Id),
            Name = task.Function.DisplayName,
            State = status,
            Type = TaskObserver.TypeOf(task),
            NodeId = placed ? Observer.NodeId : null,
            WorkerPid = placed && task.WorkerPid != 0 ? task.WorkerPid : null,
            ActorId = ActorIdOf(task.Actor?.Id ?? task.CreatesActor?.Id ?? 0),
            RequiredResources = task.Actor is null ? Resources(task.Request) : Empty,
            Attempts = task.Attempts,
            SubmittedAt = Utc(task.SubmittedAt) ?? default,
            StartedAt = placed ? Utc(task.StartedAt) : null,
        };
    }

    private TaskInfo FinishedRow(TaskRecord record) => new()
    {
        TaskId = TaskObserver.IdText(record.Id),
        Name = record.Function,
        State = record.Error is null ? RayTaskStatus.Finished : RayTaskStatus.Failed,
        Type = record.Type,
        NodeId = record.Pid != 0 ? Observer.NodeId : null,
        WorkerPid = record.Pid != 0 ? record.Pid : null,
        ErrorType = record.Error is null ? null : TaskObserver.ErrorTypeOf(record.Error),
        ErrorMessage = record.Error?.Message,
        ActorId = ActorIdOf(record.ActorId),
        RequiredResources = record.Request is null ? Empty : Resources(record.Request),
        Attempts = record.Attempts,
        SubmittedAt = Utc(record.SubmittedAt) ?? default,
        StartedAt = Utc(record.StartedAt),
        EndedAt = Utc(record.EndedAt != 0 ? record.EndedAt : record.FinishedAt),
    };

    public IReadOnlyList<ActorInfo> Actors()
    {
        var rows = new List<ActorInfo>();
        foreach (var actor in Owner.Actors.Snapshot())
        {
            var state = TaskObserver.StateOf(actor);
            rows.Add(new ActorInfo
            {
                ActorId = TaskObserver.ActorIdText(actor.Id),
                ClassName = actor.ActorType.FullName ?? actor.ActorType.Name,
                Name = actor.Name,
                State = state,
                NodeId = Observer.NodeId,
                Pid = state is ActorState.Alive or ActorState.PendingCreation or ActorState.Restarting ? PidOf(actor) : null,
                NumRestarts = actor.Restarts,
                DeathCause = actor.Death?.Message,
            });
        }

        rows.Sort(static (a, b) => long.Parse(a.ActorId, CultureInfo.InvariantCulture).CompareTo(long.Parse(b.ActorId, CultureInfo.InvariantCulture)));
        return rows;
    }

    private int? PidOf(ActorRecord actor)
    {
        if (_runtime.Options.Mode == RayMode.InProcess) return actor.BackendHandle is null ? null : Environment.ProcessId;
        return actor.BackendHandle is WorkerProcess { Pid: > 0 } worker ? worker.Pid : null;
    }

    public IReadOnlyList<ObjectInfo> Objects()
    {
        var rows = new List<ObjectInfo>();
        // Pending results first: what is being made.
        foreach (var task in Observer.LiveTasks())
        {
            rows.Add(new ObjectInfo { ObjectId = TaskObserver.IdText(task.Result.Id), Location = "PENDING", TaskId = TaskObserver.IdText(task.Result.Id) });
        }

        if (_runtime.Store is { } store)
        {
            foreach (var shared in store.ObjectsSnapshot())
            {
                if (shared.Owner is not { } owner || !owner.TryGetTarget(out var entry)) continue;
                rows.Add(new ObjectInfo
                {
                    ObjectId = TaskObserver.IdText(entry.Id),
                    SizeBytes = shared.Length,
                    Location = shared.Spilled ? "SPILLED" : "SHARED_MEMORY",
                    Pins = shared.Pins,
                });
            }
        }

        return rows;
    }

    public IReadOnlyList<NodeInfo> Nodes() => new[]
    {
        // The resources the scheduler places by, as Ray.ClusterResources() counts them; the store's bytes are in Objects().
        new NodeInfo { NodeId = Observer.NodeId, Address = Localhost, IsHead = true, IsAlive = true, Resources = Owner.Scheduler.Resources(free: false) },
    };

    public IReadOnlyList<WorkerInfo> Workers()
    {
        var rows = new List<WorkerInfo>
        {
            new()
            {
                WorkerId = "driver", WorkerType = "DRIVER", Pid = Environment.ProcessId, IsAlive = true, NodeId = Observer.NodeId,
                RunningTasks = Processes is null ? CountRunning() : 0,
            },
        };
        if (Processes is { } backend)
        {
            foreach (var worker in backend.Workers.OrderBy(w => w.Id))
            {
                rows.Add(new WorkerInfo
                {
                    WorkerId = worker.Id.ToString(CultureInfo.InvariantCulture),
                    WorkerType = "WORKER",
                    Pid = worker.Pid,
                    IsAlive = !worker.IsLeaving,
                    NodeId = Observer.NodeId,
                    ActorId = worker.Actor is { } actor ? TaskObserver.ActorIdText(actor.Id) : null,
                    RunningTasks = Math.Max(0, worker.ActiveRuns),
                });
            }
        }

        return rows;
    }

    private int CountRunning()
    {
        var queued = Observer.QueuedInWorkers();
        return Observer.LiveTasks().Count(t => Observer.StatusOf(t, queued) == RayTaskStatus.Running);
    }

    public IReadOnlyList<TaskSummary> SummarizeTasks() =>
        Tasks()
            .GroupBy(t => (t.Name, t.Type))
            .Select(g => new TaskSummary
            {
                Name = g.Key.Name,
                Type = g.Key.Type,
                Total = g.Count(),
                StateCounts = g.GroupBy(t => t.State).ToDictionary(s => s.Key, s => s.Count()),
            })
            .OrderByDescending(s => s.Total)
            .ThenBy(s => s.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>A Chrome trace of the finished tasks in the history (see <see cref="TaskObserver.HistoryCapacity"/>).</summary>
    public void WriteTimeline(string path)
    {
        using var stream = System.IO.File.Create(path);
        WriteTimeline(stream);
    }

    /// <inheritdoc cref="WriteTimeline(string)"/>
    public void WriteTimeline(System.IO.Stream stream)
    {
        var start = Observer.StartedAt;
        var driverPid = Environment.ProcessId;
        var names = new Dictionary<int, string> { [driverPid] = "driver" };
        var events = new List<TraceEvent>();
        foreach (var record in Observer.History.Snapshot())
        {
            if (record.StartedAt == 0 || record.Pid == 0) continue; // never ran (cancelled, failed dependency)
            if (!names.ContainsKey(record.Pid)) names[record.Pid] = $"worker pid={record.Pid}";
            var args = new List<KeyValuePair<string, string>>(4) { new("task_id", TaskObserver.IdText(record.Id)) };
            if (record.ArgRefs is { } refs) args.Add(new("arg_refs", string.Join(",", refs.Select(TaskObserver.IdText))));
            if (record.ActorId != 0) args.Add(new("actor_id", TaskObserver.ActorIdText(record.ActorId)));
            args.Add(new("state", record.Error is null ? "FINISHED" : "FAILED"));
            events.Add(new TraceEvent(record.Function, Category(record.Type), Micros(record.StartedAt - start),
                Math.Max(0, Micros(record.EndedAt - record.StartedAt)), record.Pid, record.Slot, args));
        }

        ChromeTrace.Write(stream, events, names);
    }

    private static string Category(string type) => type switch
    {
        "ACTOR_TASK" => "actor_task",
        "ACTOR_CREATION_TASK" => "actor_creation_task",
        _ => "task",
    };

    private static long Micros(long stopwatchTicks) => (long)(stopwatchTicks * (1_000_000.0 / System.Diagnostics.Stopwatch.Frequency));

    private static DateTime? Utc(long timestamp) => timestamp == 0 ? null : RayTelemetry.ToUtc(timestamp);

    private static string? ActorIdOf(long id) => id == 0 ? null : TaskObserver.ActorIdText(id);

    private static readonly IReadOnlyDictionary<string, double> Empty = new Dictionary<string, double>();

    private static IReadOnlyDictionary<string, double> Resources(ResourceRequest request)
    {
        var resources = new Dictionary<string, double>(StringComparer.Ordinal);
        if (request.Cpus > 0) resources["CPU"] = request.Cpus;
        if (request.Gpus > 0) resources["GPU"] = request.Gpus;
        foreach (var (name, amount) in request.Custom) resources[name] = amount;
        return resources;
    }
}
