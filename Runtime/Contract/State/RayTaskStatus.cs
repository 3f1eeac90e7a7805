namespace RayGen;

/// <summary>Where a task or actor call is in its life, as Ray's <c>TaskStatus</c> names it (<c>ray list tasks</c>).</summary>
/// <remarks>Named <c>RayTaskStatus</c> because <see cref="System.Threading.Tasks.TaskStatus"/> already exists.</remarks>
public enum RayTaskStatus
{
    /// <summary>Waiting for a ref passed as an argument to be ready.</summary>
    PendingArgsAvail,

    /// <summary>Its arguments are ready; it waits for resources (or, for an actor call, for its turn in the actor's mailbox).</summary>
    PendingNodeAssignment,

    /// <summary>Handed to a worker that has not started it yet (its process is still starting, or earlier calls of the actor run first).</summary>
    SubmittedToWorker,

    /// <summary>Executing.</summary>
    Running,

    /// <summary>Ended with a result.</summary>
    Finished,

    /// <summary>Ended with an error (the code threw, its worker died, it was cancelled or a dependency failed).</summary>
    Failed,
}

/// <summary>Where an actor is in its life, as Ray's <c>ActorState</c> names it (<c>ray list actors</c>).</summary>
public enum ActorState
{
    /// <summary>Its constructor's arguments are not ready yet.</summary>
    DependenciesUnready,

    /// <summary>Waiting for resources, or its constructor is running.</summary>
    PendingCreation,

    /// <summary>Constructed and serving calls.</summary>
    Alive,

    /// <summary>Its process died; it is being rebuilt from its constructor (MaxRestarts).</summary>
    Restarting,

    /// <summary>Ended for good: killed, its constructor threw, or its restarts were used up.</summary>
    Dead,
}
