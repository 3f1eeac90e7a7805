using System;
using System.Collections.Generic;

namespace RayGen;

/// <summary>One task or actor call, as <c>Ray.State.Tasks()</c> lists it (Ray's <c>ray list tasks</c> row).</summary>
public sealed record TaskInfo
{
    /// <summary>The task's id: the id of the object its result goes to (as in Ray, where a return id derives from its task id).</summary>
    public required string TaskId { get; init; }

    /// <summary>The function or actor method, e.g. <c>MathTasks.Add</c> or <c>Counter.Increment</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Where the task is in its life.</summary>
    public required RayTaskStatus State { get; init; }

    /// <summary><c>NORMAL_TASK</c>, <c>ACTOR_CREATION_TASK</c> or <c>ACTOR_TASK</c>, as Ray types them.</summary>
    public required string Type { get; init; }

    /// <summary>The node it runs or ran on; null while it waits.</summary>
    public string? NodeId { get; init; }

    /// <summary>The process id of the worker that runs or ran it (the driver's own in <see cref="RayMode.InProcess"/>); null while it waits.</summary>
    public int? WorkerPid { get; init; }

    /// <summary>For a failed task: the full name of the exception type the code threw (as <see cref="RayTaskException.ErrorType"/>), or the runtime's error kind (<c>WorkerCrashed</c>, <c>Cancelled</c>...).</summary>
    public string? ErrorType { get; init; }

    /// <summary>For a failed task: the error's message.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>For actor calls and constructors: the actor's id (as <see cref="ActorInfo.ActorId"/>).</summary>
    public string? ActorId { get; init; }

    /// <summary>The resources it asks for ("CPU", "GPU", custom names); empty for actor calls, which use the actor's.</summary>
    public required IReadOnlyDictionary<string, double> RequiredResources { get; init; }

    /// <summary>How many times it was run again after a failure or a worker's death.</summary>
    public int Attempts { get; init; }

    /// <summary>When it was submitted (UTC).</summary>
    public DateTime SubmittedAt { get; init; }

    /// <summary>When its execution started (UTC); null before.</summary>
    public DateTime? StartedAt { get; init; }

    /// <summary>When it ended (UTC); null before.</summary>
    public DateTime? EndedAt { get; init; }
}

/// <summary>One actor, as <c>Ray.State.Actors()</c> lists it (Ray's <c>ray list actors</c> row).</summary>
public sealed record ActorInfo
{
    /// <summary>The actor's id, as text.</summary>
    public required string ActorId { get; init; }

    /// <summary>The actor's class, full name.</summary>
    public required string ClassName { get; init; }

    /// <summary>The name it was created with; null for an unnamed actor.</summary>
    public string? Name { get; init; }

    /// <summary>Where it is in its life.</summary>
    public required ActorState State { get; init; }

    /// <summary>The node it lives on.</summary>
    public string? NodeId { get; init; }

    /// <summary>Its worker's process id (the driver's in <see cref="RayMode.InProcess"/>); null until placed, and once dead.</summary>
    public int? Pid { get; init; }

    /// <summary>How many times it was restarted after its process died.</summary>
    public int NumRestarts { get; init; }

    /// <summary>For a dead actor: why.</summary>
    public string? DeathCause { get; init; }
}

/// <summary>One object the runtime holds, as <c>Ray.State.Objects()</c> lists it (Ray's <c>ray list objects</c> row).</summary>
public sealed record ObjectInfo
{
    /// <summary>The object's id, as text.</summary>
    public required string ObjectId { get; init; }

    /// <summary>Its size in bytes; null while its task has not finished.</summary>
    public long? SizeBytes { get; init; }

    /// <summary><c>SHARED_MEMORY</c> (in the shared-memory store), <c>SPILLED</c> (on disk) or <c>PENDING</c> (a task result not yet made).</summary>
    public required string Location { get; init; }

    /// <summary>For a pending result: the task making it (its id).</summary>
    public string? TaskId { get; init; }

    /// <summary>Processes reading it in place now (pinned); 0 when none.</summary>
    public int Pins { get; init; }
}

/// <summary>One node, as <c>Ray.State.Nodes()</c> lists it (Ray's <c>ray.nodes()</c> entry).</summary>
public sealed record NodeInfo
{
    /// <summary>The node's id, as text: the same text as <c>TaskInfo.NodeId</c> and <c>ActorInfo.NodeId</c>.</summary>
    public required string NodeId { get; init; }

    /// <summary>The address other nodes reach it at; <c>127.0.0.1</c> for the local runtime.</summary>
    public required string Address { get; init; }

    /// <summary>Whether it is the head node (the local runtime's only node is).</summary>
    public bool IsHead { get; init; }

    /// <summary>Whether it is alive.</summary>
    public bool IsAlive { get; init; }

    /// <summary>Its total resources ("CPU", "GPU", custom names).</summary>
    public required IReadOnlyDictionary<string, double> Resources { get; init; }
}

/// <summary>One process that runs work, as <c>Ray.State.Workers()</c> lists it (Ray's <c>ray list workers</c> row).</summary>
public sealed record WorkerInfo
{
    /// <summary>The worker's id within its runtime, as text.</summary>
    public required string WorkerId { get; init; }

    /// <summary><c>WORKER</c> for a worker process, <c>DRIVER</c> for the driver (which runs the work itself in <see cref="RayMode.InProcess"/>).</summary>
    public required string WorkerType { get; init; }

    /// <summary>Its process id; 0 while its process is starting.</summary>
    public int Pid { get; init; }

    /// <summary>Whether it is alive (a worker leaving after its actor ended, or retired when idle, is not).</summary>
    public bool IsAlive { get; init; }

    /// <summary>The node it runs on.</summary>
    public required string NodeId { get; init; }

    /// <summary>For an actor's worker: the actor's id.</summary>
    public string? ActorId { get; init; }

    /// <summary>Runs it executes now (tasks or actor calls).</summary>
    public int RunningTasks { get; init; }
}

/// <summary>Tasks of one function counted by state, as <c>Ray.State.SummarizeTasks()</c> gives them (Ray's <c>ray summary tasks</c>).</summary>
public sealed record TaskSummary
{
    /// <summary>The function or actor method.</summary>
    public required string Name { get; init; }

    /// <summary><c>NORMAL_TASK</c>, <c>ACTOR_CREATION_TASK</c> or <c>ACTOR_TASK</c>.</summary>
    public required string Type { get; init; }

    /// <summary>How many of its tasks are in each state (states with none are absent).</summary>
    public required IReadOnlyDictionary<RayTaskStatus, int> StateCounts { get; init; }

    /// <summary>All of its tasks the runtime knows of (live ones and those kept in the history).</summary>
    public int Total { get; init; }
}
