namespace RayGen.Generators;

/// <summary>Names of the pipeline stages, so tests can prove each one is cached on an unrelated edit.</summary>
public static class TrackingNames
{
    /// <summary>Each [Remote] static method, parsed.</summary>
    public const string RemoteMethods = "RayGen.RemoteMethods";

    /// <summary>Each [Remote] class, parsed.</summary>
    public const string Actors = "RayGen.Actors";

    /// <summary>Methods and actors grouped into one model per type.</summary>
    public const string RemoteTypes = "RayGen.RemoteTypes";
}
