namespace RayGen.Protocol;

/// <summary>What the driver hands a worker process through its environment (never argv, which other users can read).</summary>
internal static class WorkerEnvironment
{
    /// <summary>The session token a worker presents in its hello frame.</summary>
    public const string TokenVariable = "RAYGEN_SESSION_TOKEN";

    /// <summary>The driver's pid, which a worker watches as a backstop for its socket.</summary>
    public const string DriverPidVariable = "RAYGEN_DRIVER_PID";

    /// <summary>
    /// Set for a job host on a cluster node: the node's address, which its workers' output lines name
    /// (<c>(pid=N, node=ADDRESS)</c>) so that a driver tells the nodes apart.
    /// </summary>
    public const string NodeAddressVariable = "RAYGEN_NODE_ADDRESS";

    /// <summary>Set for a job host on a cluster node (and inherited by its workers): the node's id, as <c>Ray.Nodes()</c> names it.</summary>
    public const string NodeIdVariable = "RAYGEN_NODE_ID";

    /// <summary>Set for a job host on a cluster node (and inherited by its workers): the id of the driver's job it serves.</summary>
    public const string JobIdVariable = "RAYGEN_JOB_ID";
}
