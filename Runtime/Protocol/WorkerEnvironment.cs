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

    /// <summary>
    /// The node's id, as <c>Ray.Nodes()</c> names it: set for a job host on a cluster node, and by every driver runtime
    /// for its workers. A runtime started with it set is that node (<c>Ray.RuntimeContext</c>, its one local node).
    /// </summary>
    public const string NodeIdVariable = "RAYGEN_NODE_ID";

    /// <summary>
    /// The id of the driver's job: set for a job host on a cluster node (the job it serves), and by every driver
    /// runtime for its workers. A runtime started with it set reports it as its job.
    /// </summary>
    public const string JobIdVariable = "RAYGEN_JOB_ID";

    /// <summary>The variable's value; null when it is unset or empty.</summary>
    public static string? Read(string variable) => System.Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null;
}
