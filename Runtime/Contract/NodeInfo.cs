using System.Collections.Generic;

namespace RayGen;

/// <summary>A node of the cluster, as <see cref="Ray.Nodes"/> lists it (Ray's <c>ray.nodes()</c>).</summary>
public sealed class NodeInfo
{
    /// <summary>The node's id: the same text <c>SchedulingStrategy.NodeAffinity</c> takes.</summary>
    public required string NodeId { get; init; }

    /// <summary>Where other nodes and drivers reach the node (<c>IP:PORT</c>).</summary>
    public required string Address { get; init; }

    /// <summary>Whether this is the head node (the one drivers and other nodes join through).</summary>
    public bool IsHead { get; init; }

    /// <summary>Whether the node is alive; a dead node stays listed.</summary>
    public bool IsAlive { get; init; }

    /// <summary>The node's total resources: <c>"CPU"</c>, <c>"GPU"</c> and custom names.</summary>
    public required IReadOnlyDictionary<string, double> Resources { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"{NodeId} {Address}{(IsHead ? " head" : "")} {(IsAlive ? "alive" : "dead")}";
}
