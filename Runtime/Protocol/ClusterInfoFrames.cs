using System.Collections.Generic;
using MemoryPack;

namespace RayGen.Protocol;

/// <summary>What a <see cref="ClusterInfoFrame"/> asks for.</summary>
internal enum ClusterInfoKind
{
    Nodes,
    ClusterResources,
    AvailableResources,
}

/// <summary>
/// Worker -> driver (or job host), job host -> node: <c>Ray.Nodes()</c>, <c>ClusterResources()</c> or
/// <c>AvailableResources()</c> called in a task or actor; answered by a <see cref="ClusterInfoReplyFrame"/>.
/// </summary>
[MemoryPackable]
internal sealed partial class ClusterInfoFrame : IFrame
{
    public long RequestId { get; set; }
    public ClusterInfoKind Kind { get; set; }
}

/// <summary>The answer to a <see cref="ClusterInfoFrame"/>: the nodes, or the resources, or why not.</summary>
[MemoryPackable]
internal sealed partial class ClusterInfoReplyFrame : IFrame
{
    public long RequestId { get; set; }
    public WireNode[]? Nodes { get; set; }
    public Dictionary<string, double>? Resources { get; set; }
    public string? Error { get; set; }
}

/// <summary>A <c>NodeInfo</c> on the wire.</summary>
[MemoryPackable]
internal sealed partial class WireNode
{
    public string NodeId { get; set; } = "";
    public string Address { get; set; } = "";
    public bool IsHead { get; set; }
    public bool IsAlive { get; set; }
    public Dictionary<string, double> Resources { get; set; } = new();

    public static WireNode From(NodeInfo node) => new()
    {
        NodeId = node.NodeId,
        Address = node.Address,
        IsHead = node.IsHead,
        IsAlive = node.IsAlive,
        Resources = new Dictionary<string, double>(node.Resources),
    };

    public NodeInfo ToNodeInfo() => new() { NodeId = NodeId, Address = Address, IsHead = IsHead, IsAlive = IsAlive, Resources = Resources };
}
