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

    /// <summary>Each call of a RayGen.Data operator whose functions can be copied, parsed.</summary>
    public const string DataCalls = "RayGen.DataCalls";

    /// <summary>The calls of the compilation in order, as one registry file.</summary>
    public const string DataFunctions = "RayGen.DataFunctions";
}
