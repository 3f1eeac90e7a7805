using System.Collections.Generic;
using RayGen.Driver;

namespace RayGen;

/// <summary>
/// The runtime's state as rows (Ray's State API, <c>ray list ...</c> and <c>ray summary tasks</c>): read from the running
/// driver when called, so each call is a fresh snapshot. Finished tasks are kept in a bounded history (the last
/// 100,000); live tasks, actors, workers and objects are read where the runtime keeps them.
/// </summary>
public sealed class RayState
{
    internal static readonly RayState Instance = new();

    private RayState()
    {
    }

    private static RuntimeState Current(string what) =>
        (Ray.CurrentCore($"list {what}") as DriverRuntime)?.State
        ?? throw new RayException($"Cannot list {what} in a worker: Ray.State reads the driver's runtime. Call it from the driver.");

    /// <summary>Tasks and actor calls: those not finished, then the finished ones still in the history, in submission order.</summary>
    public IReadOnlyList<TaskInfo> Tasks() => Current("tasks").Tasks();

    /// <summary>Every actor this runtime created, dead ones included.</summary>
    public IReadOnlyList<ActorInfo> Actors() => Current("actors").Actors();

    /// <summary>
    /// Objects being made (pending task results) and objects in the shared-memory store (values of 100 KiB or more, in
    /// memory or spilled). Small values live on the heap of the refs that hold them and are not indexed.
    /// </summary>
    public IReadOnlyList<ObjectInfo> Objects() => Current("objects").Objects();

    /// <summary>The nodes (alive and dead; never drivers): the local runtime is one head node, a cluster lists its nodes.</summary>
    public IReadOnlyList<NodeInfo> Nodes() => Ray.Nodes();

    /// <summary>The driver and the worker processes.</summary>
    public IReadOnlyList<WorkerInfo> Workers() => Current("workers").Workers();

    /// <summary>Tasks counted by function and state.</summary>
    public IReadOnlyList<TaskSummary> SummarizeTasks() => Current("tasks").SummarizeTasks();
}
