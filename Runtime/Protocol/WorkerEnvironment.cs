namespace RayGen.Protocol;

/// <summary>What the driver hands a worker process through its environment (never argv, which other users can read).</summary>
internal static class WorkerEnvironment
{
    /// <summary>The session token a worker presents in its hello frame.</summary>
    public const string TokenVariable = "RAYGEN_SESSION_TOKEN";

    /// <summary>The driver's pid, which a worker watches as a backstop for its socket.</summary>
    public const string DriverPidVariable = "RAYGEN_DRIVER_PID";
}
