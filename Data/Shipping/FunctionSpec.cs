using System;
using MemoryPack;

namespace RayGen.Data.Shipping;

/// <summary>
/// Where a transform function lives in the build both the driver and the workers load: enough to find the same
/// method again in another process, and to notice when that process runs a different build.
/// </summary>
[MemoryPackable]
internal sealed partial class FunctionSpec
{
    /// <summary>The declaring type, assembly-qualified (closed, when the type is generic).</summary>
    public string DeclaringType { get; set; } = "";

    /// <summary>The module's build id: a worker with another build of the assembly refuses to guess.</summary>
    public Guid ModuleVersionId { get; set; }

    /// <summary>The method's metadata token in its module.</summary>
    public int MethodToken { get; set; }

    /// <summary>Type arguments of a generic method, assembly-qualified; empty otherwise.</summary>
    public string[] MethodTypeArguments { get; set; } = [];

    /// <summary>Whether the delegate targets the compiler's singleton for static lambdas (<c>&lt;&gt;c.&lt;&gt;9</c>).</summary>
    public bool TargetsLambdaSingleton { get; set; }

    /// <summary>The call site's id in the generated function registry; empty when no interceptor shipped the delegate.</summary>
    public string RegistryId { get; set; } = "";

    /// <summary>The assembly whose module initializer registers <see cref="RegistryId"/>: a worker loads it to find the function.</summary>
    public string RegistryAssembly { get; set; } = "";

    /// <summary>The build id of <see cref="RegistryAssembly"/>: a registry of another build may hold other code under the same id.</summary>
    public Guid RegistryModuleVersionId { get; set; }

    /// <summary>Readable name for errors and stats.</summary>
    public string Display { get; set; } = "";

    /// <summary>The key a worker caches the resolved delegate under.</summary>
    public string CacheKey => $"{ModuleVersionId:N}:{MethodToken}:{DeclaringType}:{string.Join(",", MethodTypeArguments)}";
}
