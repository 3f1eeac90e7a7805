using System.Collections.Generic;
using System.Threading;
using RayGen.Core;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.Driver;

/// <summary>One run handed to a worker: a task, an actor's constructor or one actor call.</summary>
internal sealed class WorkerRun
{
    public WorkerRun(long id, RunKind kind, TaskSpec task, ActorRecord? actor, WorkerProcess worker)
    {
        Id = id;
        Kind = kind;
        Task = task;
        Actor = actor;
        Worker = worker;
    }

    public long Id { get; }
    public RunKind Kind { get; }
    public TaskSpec Task { get; }
    public ActorRecord? Actor { get; }
    public WorkerProcess Worker { get; }

    /// <summary>Shared-memory arguments the run's frame names by file, pinned until the run ends.</summary>
    public List<SharedObject>? Pinned;

    /// <summary>The pipelined lane the run belongs to (see <see cref="RunLane"/>); null for a run sent on its own.</summary>
    public RunLane? Lane { get; set; }

    /// <summary>The run is blocked in Get or Wait; its worker can take other work meanwhile.</summary>
    public bool Blocked { get; set; }
}
