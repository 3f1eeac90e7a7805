namespace RayGen;

/// <summary>A <c>RayQueue&lt;T&gt;</c> put could not proceed: the queue was full and the put did not block, or its timeout passed.</summary>
public sealed class RayQueueFullException : RayException
{
    /// <summary>Creates the exception.</summary>
    public RayQueueFullException(string message) : base(message) { }
}
