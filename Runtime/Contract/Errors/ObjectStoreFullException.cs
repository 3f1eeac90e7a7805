namespace RayGen;

/// <summary>The object store is full even after freeing unreachable values and spilling to disk.</summary>
public sealed class ObjectStoreFullException : RayException
{
    /// <summary>Creates the exception.</summary>
    public ObjectStoreFullException(string message) : base(message) { }
}
