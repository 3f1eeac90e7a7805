namespace RayGen;

/// <summary>The value behind a reference can no longer be read (its runtime shut down, or its bytes are gone).</summary>
public sealed class ObjectLostException : RayException
{
    /// <summary>Creates the exception.</summary>
    public ObjectLostException(string message) : base(message) { }
}
