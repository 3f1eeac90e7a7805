using System;
using System.Linq;
using System.Threading.Tasks;
using Orleans;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace RayGen.Cluster.Nodes;

using PlacementStrategy = Orleans.Runtime.PlacementStrategy;

/// <summary>Places a grain on the silo its key names (a <c>SiloAddress.ToParsableString()</c>).</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
internal sealed class NodePlacement : PlacementStrategy
{
    internal static readonly NodePlacement Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class NodePlacementAttribute() : PlacementAttribute(NodePlacement.Instance);

internal sealed class NodePlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString();
        var silo = SiloAddress.FromParsableString(key);
        // Never elsewhere: a node agent on another node would answer for a node that is gone.
        return context.GetCompatibleSilos(target).Contains(silo)
            ? Task.FromResult(silo)
            : throw new SiloUnavailableException($"RayGen node {key} is not an alive member of the cluster.");
    }
}

/// <summary>Places a grain on the head node: the silo listening at the seed endpoint every node joined through.</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
internal sealed class HeadPlacement : PlacementStrategy
{
    internal static readonly HeadPlacement Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class HeadPlacementAttribute() : PlacementAttribute(HeadPlacement.Instance);

internal sealed class HeadPlacementDirector(NodeIdentity identity) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var head = context.GetCompatibleSilos(target).FirstOrDefault(s => s.Endpoint.Equals(identity.HeadEndpoint));
        return head is not null
            ? Task.FromResult(head)
            : throw new SiloUnavailableException($"The RayGen head node ({identity.HeadEndpoint}) is not an alive member of the cluster: the cluster has ended.");
    }
}
