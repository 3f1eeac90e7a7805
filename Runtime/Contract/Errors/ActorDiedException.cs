namespace RayGen;

/// <summary>
/// The actor is gone: its process died (or it was killed) and its restarts were used up, or its
/// constructor threw (the message carries that error).
/// </summary>
public sealed class ActorDiedException : RayException
{
    /// <summary>Creates the exception.</summary>
    public ActorDiedException(string message) : base(message) { }
}
