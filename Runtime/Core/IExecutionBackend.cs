using System;
using RayGen.Store;

namespace RayGen.Core;

/// <summary>
/// Where tasks and actors execute: the thread pool (in-process mode) or worker processes. The runtime core
/// owns scheduling, dependencies, retries, actor lifecycles and the object directory; a backend only runs
/// what it is handed and reports back: tasks through <see cref="TaskOwner.CompleteTask(TaskSpec, object?, Exception?)"/> (or
/// <see cref="TaskOwner.OnWorkerCrashed"/>), actor constructors and calls through the <see cref="ActorRecord"/>.
/// </summary>
internal interface IExecutionBackend : IDisposable
{
    /// <summary>Starts a task whose dependencies are ready and whose resources are held. Must not block.</summary>
    void Execute(TaskSpec task);

    /// <summary>Forcibly stops a running task (Cancel with force): in process mode its worker is killed and replaced.</summary>
    void ForceStop(TaskSpec task);

    /// <summary>
    /// Signals the token of a task or actor call where its run is (Ray.Cancel), after <see cref="TaskSpec.RequestCancel"/>.
    /// A run handed over later carries the request itself: a backend checks <see cref="TaskSpec.CancelRequested"/> after
    /// handing a run over, so no run needs a token registration of its own.
    /// </summary>
    void Cancel(TaskSpec task);

    /// <summary>Builds the actor's instance with its constructor arguments, then calls <see cref="ActorRecord.OnConstructed"/>. Must not block.</summary>
    void StartActor(ActorRecord actor, TaskSpec constructor, ReadOnlyMemory<byte>[] arguments);

    /// <summary>Runs one call on the actor's instance, then calls <see cref="ActorRecord.OnCallCompleted(TaskSpec, object?, Exception?, int)"/>. Must not block.</summary>
    void ExecuteActorCall(ActorRecord actor, TaskSpec call);

    /// <summary>The shared-memory store large values live in (worker processes); null in process, where values stay on the heap.</summary>
    SharedStore? Store { get; }

    /// <summary>Sends what the backend's connections hold back (see FrameConnection.DeferSends), before a thread waits for what they ask.</summary>
    void FlushPendingSends();

    /// <summary>Whether an actor's calls are sent ahead of the running ones (to a worker process, which queues them in order).</summary>
    bool PipelinesActorCalls { get; }

    /// <summary>Drops the actor's instance (in process mode: ends its worker). Calls still running are abandoned.</summary>
    void StopActor(ActorRecord actor);
}

/// <summary>A backend that runs tasks on this process's threads: a task dispatched as a thread-pool work item runs through it.</summary>
internal interface IThreadRunner
{
    /// <summary>Runs <paramref name="task"/> (already holding its resources) on the calling thread, then the tasks handed on to it.</summary>
    void RunFrom(TaskSpec task);
}
