using System.Collections.Generic;

namespace RayGen.Core;

internal abstract partial class RuntimeCore
{
    /// <summary>The nodes this runtime's work may run on: the cluster's, or this machine alone.</summary>
    public abstract IReadOnlyList<NodeInfo> Nodes();

    /// <summary>The alive nodes' total resources.</summary>
    public abstract IReadOnlyDictionary<string, double> ClusterResources();

    /// <summary>The alive nodes' free resources.</summary>
    public abstract IReadOnlyDictionary<string, double> AvailableResources();

    /// <summary>
    /// Where the calling code runs (<c>Ray.RuntimeContext</c>): this runtime's node and job, and the actor the code
    /// belongs to. A cached instance, never one made per call.
    /// </summary>
    public abstract RuntimeContext CurrentContext();
}
