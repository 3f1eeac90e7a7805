namespace RayGen.Core;

/// <summary>
/// For a cluster node's job host: a nested task that this node cannot run (it asks for what the node lacks) or must
/// not (pinned to another node, or spread) goes to the driver, which places it on the cluster, as Ray's raylet
/// spills a task back to a node that has room. One that fits here runs here, next to its caller.
/// </summary>
internal interface INestedTaskSpill
{
    /// <summary>True when it took <paramref name="task"/> (it completes the task's result); false: run it here.</summary>
    bool TrySpill(TaskSpec task);
}
