namespace RayGen;

/// <summary>The worker process running the task died and the task's retries were used up.</summary>
public class WorkerCrashedException : RayException
{
    /// <summary>Creates the exception.</summary>
    public WorkerCrashedException(string message) : base(message) { }
}
