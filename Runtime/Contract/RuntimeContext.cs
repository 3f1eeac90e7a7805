namespace RayGen;

/// <summary>
/// Where the current code runs (Ray's <c>ray.get_runtime_context()</c>), as <c>Ray.RuntimeContext</c> gives it: in the
/// driver, in a task or in an actor, locally or on a cluster's node. Its ids are the same text the cluster API and the
/// State API name the same things by.
/// </summary>
public sealed class RuntimeContext
{
    internal RuntimeContext(string nodeId, string jobId, string? actorId)
    {
        NodeId = nodeId;
        JobId = jobId;
        ActorId = actorId;
    }

    /// <summary>
    /// The node the code runs on: the same text as <see cref="NodeInfo.NodeId"/> in <c>Ray.Nodes()</c> (locally, the one
    /// node's). A driver connected to a cluster is no node: it has an id of its own, which <c>Ray.Nodes()</c> does not list.
    /// </summary>
    public string NodeId { get; }

    /// <summary>The driver's job (hex text): the driver, its tasks and its actors share it, on whichever node they run.</summary>
    public string JobId { get; }

    /// <summary>
    /// The actor whose constructor or method the code runs in: the same text as <see cref="ActorInfo.ActorId"/> in
    /// <c>Ray.State.Actors()</c>; null in the driver and in a task.
    /// </summary>
    public string? ActorId { get; }

    /// <summary>The same node and job, in the actor <paramref name="actorId"/>.</summary>
    internal RuntimeContext ForActor(string actorId) => new(NodeId, JobId, actorId);

    /// <inheritdoc />
    public override string ToString() => ActorId is null ? $"node {NodeId}, job {JobId}" : $"node {NodeId}, job {JobId}, actor {ActorId}";
}
