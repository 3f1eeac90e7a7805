namespace RayGen;

/// <summary>
/// The cluster node running the task died (its process ended, or the cluster declared it dead) and the task's
/// retries were used up, or the task was pinned to that node (hard <c>NodeAffinity</c>). A
/// <see cref="WorkerCrashedException"/>, as in Ray: every worker of the node died with it.
/// </summary>
public sealed class NodeDiedException : WorkerCrashedException
{
    /// <summary>Creates the exception.</summary>
    public NodeDiedException(string message, string nodeId) : base(message) => NodeId = nodeId;

    /// <summary>The node that died, as <c>Ray.Nodes()</c> names it.</summary>
    public string NodeId { get; }
}
