using System.Collections.Generic;
using System.Threading.Tasks;
using Orleans;

namespace RayGen.Cluster.Nodes;

/// <summary>A node as the cluster records it: what it joined with and, when asked, what is free on it.</summary>
[GenerateSerializer, Immutable]
internal sealed record NodeReport(
    [property: Id(0)] string NodeId,
    [property: Id(1)] string Address,
    [property: Id(2)] string SiloAddress,
    [property: Id(3)] bool IsHead,
    [property: Id(4)] Dictionary<string, double> Total,
    [property: Id(5)] Dictionary<string, double> Available,
    [property: Id(6)] bool IsAlive);

/// <summary>
/// One per node, keyed by its silo address (<c>SiloAddress.ToParsableString()</c>) and pinned to that silo by
/// <see cref="NodePlacementDirector"/>: the node's voice in the cluster. Later slices submit tasks and pull
/// objects through it; after the node dies a call fails instead of reactivating it elsewhere.
/// </summary>
internal interface INodeAgent : IGrainWithStringKey
{
    /// <summary>The node's figures now (its runtime's free resources).</summary>
    Task<NodeReport> Report();
}

/// <summary>
/// The cluster's node table, one activation on the head (<see cref="HeadPlacementDirector"/>): every node
/// registers on joining; a node stays listed after it dies, as in Ray. Alive or dead is read from Orleans'
/// membership when asked.
/// </summary>
internal interface INodeDirectory : IGrainWithIntegerKey
{
    Task Register(NodeReport node);

    /// <summary>Every node that ever joined, alive ones with their free resources now.</summary>
    Task<NodeReport[]> Nodes();
}
