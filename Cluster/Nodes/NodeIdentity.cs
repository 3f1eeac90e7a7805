using System.Collections.Generic;
using System.Net;
using RayGen.Cluster.Security;

namespace RayGen.Cluster;

/// <summary>Who this node is: fixed before its silo starts, so the token handshake can hand it out.</summary>
internal sealed class NodeIdentity(NodeDetails details, IPEndPoint headEndpoint, IPEndPoint siloEndpoint, IReadOnlyDictionary<string, double> resources)
{
    public NodeDetails Details { get; } = details;

    /// <summary>The head's silo endpoint: the seed every node joins through (the head's own, on the head).</summary>
    public IPEndPoint HeadEndpoint { get; } = headEndpoint;

    public IPEndPoint SiloEndpoint { get; } = siloEndpoint;

    /// <summary>The node's total resources, as its own runtime places by them (from its flags, defaults filled in).</summary>
    public IReadOnlyDictionary<string, double> Resources { get; } = resources;
}
