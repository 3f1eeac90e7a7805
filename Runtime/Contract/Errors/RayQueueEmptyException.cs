namespace RayGen;

/// <summary>A <c>RayQueue&lt;T&gt;</c> get could not proceed: the queue was empty and the get did not block, or its timeout passed.</summary>
public sealed class RayQueueEmptyException : RayException
{
    /// <summary>Creates the exception.</summary>
    public RayQueueEmptyException(string message) : base(message) { }
}
