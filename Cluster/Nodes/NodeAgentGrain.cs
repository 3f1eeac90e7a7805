using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Orleans;
using Orleans.Runtime;

namespace RayGen.Cluster.Nodes;

[NodePlacement]
[KeepAlive]
internal sealed class NodeAgentGrain(NodeIdentity identity, ILocalSiloDetails silo) : Grain, INodeAgent
{
    public Task<NodeReport> Report() => Task.FromResult(Describe(identity, silo.SiloAddress));

    /// <summary>The node's report: totals from its flags, free figures from the node's own runtime.</summary>
    internal static NodeReport Describe(NodeIdentity identity, SiloAddress silo)
    {
        var total = new Dictionary<string, double>(identity.Resources, StringComparer.Ordinal);
        var available = Ray.IsInitialized ? Ray.AvailableResources().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal) : new(total);
        return new NodeReport(identity.Details.NodeId, identity.SiloEndpoint.ToString(), silo.ToParsableString(), identity.Details.IsHead, total,
            available, IsAlive: true);
    }
}

[HeadPlacement]
[KeepAlive]
internal sealed class NodeDirectoryGrain(IClusterMembershipService membership) : Grain, INodeDirectory
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);
    private readonly Dictionary<string, NodeReport> _nodes = new(StringComparer.Ordinal);

    public Task Register(NodeReport node)
    {
        _nodes[node.SiloAddress] = node;
        return Task.CompletedTask;
    }

    public async Task<NodeReport[]> Nodes()
    {
        var snapshot = membership.CurrentSnapshot;
        var reports = _nodes.Values.OrderBy(n => n.IsHead ? 0 : 1).ThenBy(n => n.Address, StringComparer.Ordinal).Select(async node =>
        {
            var silo = SiloAddress.FromParsableString(node.SiloAddress);
            var alive = snapshot.Members.TryGetValue(silo, out var member) && member.Status == SiloStatus.Active;
            if (!alive) return node with { IsAlive = false, Available = new Dictionary<string, double>() };
            try
            {
                return await GrainFactory.GetGrain<INodeAgent>(node.SiloAddress).Report().WaitAsync(AskTimeout);
            }
            catch (Exception e) when (e is TimeoutException or SiloUnavailableException or OrleansException)
            {
                // Alive by membership but not answering: show its totals and nothing free until it answers again.
                return node with { Available = new Dictionary<string, double>() };
            }
        });
        return await Task.WhenAll(reports);
    }
}
