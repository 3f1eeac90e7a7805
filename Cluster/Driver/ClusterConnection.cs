using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using RayGen.Cluster.Nodes;
using RayGen.Cluster.Security;
using RayGen.Core;

[assembly: ClusterConnectorAttribute(typeof(RayGen.Cluster.Driver.OrleansClusterConnector))]

namespace RayGen.Cluster.Driver;

/// <summary>What <c>Ray.Init</c> finds in this assembly when given an address.</summary>
internal sealed class OrleansClusterConnector : ClusterConnector
{
    public override IClusterConnection Connect(string address, string? token, RayOptions options)
    {
        try
        {
            var (resolved, proof) = ClusterClient.Resolve(address, token);
            // Init is synchronous; the connect is bounded inside (probe 10 s, gateway 20 s), so this cannot hang.
            var client = Task.Run(() => ClusterClient.ConnectAsync(resolved, proof, default)).GetAwaiter().GetResult();
            return new ClusterConnection(client);
        }
        catch (ClusterConnectException e)
        {
            throw new RayException($"Ray.Init could not connect to the cluster at '{address}': {e.Message}", e);
        }
    }
}

internal sealed class ClusterConnection(ClusterClient client) : IClusterConnection
{
    public IReadOnlyList<NodeInfo> Nodes() => Read().Select(ToNodeInfo).ToList();

    public IReadOnlyDictionary<string, double> ClusterResources() => ClusterClient.Sum(Read(), free: false);

    public IReadOnlyDictionary<string, double> AvailableResources() => ClusterClient.Sum(Read(), free: true);

    public IExecutionBackend CreateBackend(TaskOwner owner) => new ClusterBackend(owner, client);

    public void Dispose() => Task.Run(() => client.DisposeAsync().AsTask()).GetAwaiter().GetResult();

    internal static NodeInfo ToNodeInfo(NodeReport n) => new()
    {
        NodeId = n.NodeId,
        Address = n.Address,
        IsHead = n.IsHead,
        IsAlive = n.IsAlive,
        Resources = n.Total,
    };

    private IReadOnlyList<NodeReport> Read()
    {
        try
        {
            return Task.Run(() => client.NodesAsync()).GetAwaiter().GetResult();
        }
        catch (ClusterConnectException e)
        {
            throw new RayException(e.Message, e);
        }
    }
}
