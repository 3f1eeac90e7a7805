using System;
using System.Collections.Generic;
using System.Linq;
using RayGen.Core;

namespace RayGen.Cluster.Scheduling;

/// <summary>
/// Chooses the node a task or actor runs on, by Ray's policies: <see cref="SchedulingStrategy.Default"/> (the node
/// holding the arguments, else pack up to half and then the least used), <see cref="SchedulingStrategy.Spread"/> (the
/// least used, in turn), and <see cref="SchedulingStrategy.NodeAffinity"/> (hard: that node or nothing; soft: that
/// node while it has room). Policy only: the caller supplies the nodes and the ledger, and takes the request on the
/// ledger when it sends the work.
/// </summary>
/// <remarks>Not thread-safe (the spread turn moves): the caller chooses under the lock that guards its ledger.</remarks>
internal sealed class NodeChooser
{
    /// <summary>How full Default packs a node before it moves to the next (Ray's scheduler_spread_threshold).</summary>
    public const double PackUpTo = 0.5;

    // Where in the stable node order the next tie among equally used nodes starts looking, so Spread takes turns.
    private int _spreadTurn;

    /// <summary>
    /// Chooses for <paramref name="request"/> among <paramref name="nodes"/> (alive and dead), net of what
    /// <paramref name="ledger"/> says is held. <paramref name="preferredNodeId"/>: the node that holds the work's
    /// arguments, which Default prefers while it has room.
    /// </summary>
    /// <exception cref="ArgumentException">A placement group strategy: its work goes to its bundle's node, which the
    /// caller knows; it asks for that node with hard NodeAffinity.</exception>
    public NodeChoice Choose(IReadOnlyList<NodeView> nodes, NodeLedger ledger, ResourceRequest request, SchedulingStrategy? strategy, string? preferredNodeId)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(request);
        var ordered = StableOrder(nodes);
        return strategy switch
        {
            NodeAffinitySchedulingStrategy { Soft: false } hard => HardAffinity(ordered, ledger, request, hard.NodeId),
            NodeAffinitySchedulingStrategy soft => SoftAffinity(ordered, ledger, request, soft.NodeId, preferredNodeId),
            PlacementGroupSchedulingStrategy => throw new ArgumentException(
                "Work in a placement group runs on its bundle's node: choose with NodeAffinity(that node, soft: false).", nameof(strategy)),
            _ when ReferenceEquals(strategy, SchedulingStrategy.Spread) => Spread(ordered, ledger, request),
            _ => Default(ordered, ledger, request, preferredNodeId),
        };
    }

    // Head first, then by id: the order Default packs in and Spread's turns go round, the same on every call.
    private static List<NodeView> StableOrder(IReadOnlyList<NodeView> nodes) =>
        nodes.OrderByDescending(n => n.IsHead).ThenBy(n => n.NodeId, StringComparer.Ordinal).ToList();

    private static NodeView? Alive(List<NodeView> nodes, string nodeId) => nodes.Find(n => n.IsAlive && n.NodeId == nodeId);

    private static NodeChoice HardAffinity(List<NodeView> nodes, NodeLedger ledger, ResourceRequest request, string nodeId)
    {
        var prefix = $"Hard NodeAffinity to node {nodeId} for {request}";
        if (Alive(nodes, nodeId) is not { } node)
        {
            var why = nodes.Exists(n => n.NodeId == nodeId) ? "that node is dead" : "no node with that id has joined";
            return new NodeChoice.Fail($"{prefix}: no alive node has that id ({why}).");
        }

        if (ResourceAmounts.ShortOfTotal(node, request) is { } lacking)
        {
            return new NodeChoice.Fail($"{prefix}: node {nodeId} has {lacking}: {node.Total.GetValueOrDefault(lacking)} in total, " +
                                       "less than asked, so it can never run there.");
        }

        if (ResourceAmounts.FitsNow(node, ledger.Used(nodeId), request)) return new NodeChoice.Chosen(nodeId);
        // Another node with room does not help: hard affinity means this node, so it waits for this node's work to end.
        return new NodeChoice.Wait($"{prefix}: node {nodeId} has not enough free now; it waits for that node.", Infeasible: false);
    }

    private static NodeChoice SoftAffinity(List<NodeView> nodes, NodeLedger ledger, ResourceRequest request, string nodeId, string? preferredNodeId)
    {
        if (Alive(nodes, nodeId) is { } node && ResourceAmounts.FitsNow(node, ledger.Used(nodeId), request)) return new NodeChoice.Chosen(nodeId);
        // The named node has no room (or is gone), so Default cannot pick it either: Default over all nodes is Default over the others.
        return Default(nodes, ledger, request, preferredNodeId);
    }

    private NodeChoice Spread(List<NodeView> nodes, NodeLedger ledger, ResourceRequest request)
    {
        int? best = null;
        var lowest = double.MaxValue;
        for (var step = 0; step < nodes.Count; step++)
        {
            // Walking from the turn's position makes the first of the equally used nodes the one whose turn it is.
            var index = (_spreadTurn + step) % nodes.Count;
            var node = nodes[index];
            var used = ledger.Used(node.NodeId);
            if (!node.IsAlive || !ResourceAmounts.FitsNow(node, used, request)) continue;
            var utilization = ResourceAmounts.CpuUtilization(node, used);
            if (utilization >= lowest - ResourcePool.Epsilon) continue;
            lowest = utilization;
            best = index;
        }

        if (best is not { } chosen) return Waiting(nodes, request);
        _spreadTurn = (chosen + 1) % nodes.Count;
        return new NodeChoice.Chosen(nodes[chosen].NodeId);
    }

    private static NodeChoice Default(List<NodeView> nodes, NodeLedger ledger, ResourceRequest request, string? preferredNodeId)
    {
        // Ray's locality: moving the arguments costs more than a busier node does.
        if (preferredNodeId is not null && Alive(nodes, preferredNodeId) is { } preferred &&
            ResourceAmounts.FitsNow(preferred, ledger.Used(preferredNodeId), request))
        {
            return new NodeChoice.Chosen(preferredNodeId);
        }

        NodeView? leastUsed = null;
        var lowest = double.MaxValue;
        foreach (var node in nodes)
        {
            var used = ledger.Used(node.NodeId);
            if (!node.IsAlive || !ResourceAmounts.FitsNow(node, used, request)) continue;
            // Judged after placing, so a node is filled to half and no further before the next one is used.
            var after = ResourceAmounts.CpuUtilization(node, used, request.Cpus);
            if (after <= PackUpTo + ResourcePool.Epsilon) return new NodeChoice.Chosen(node.NodeId);
            if (after >= lowest - ResourcePool.Epsilon) continue;
            lowest = after;
            leastUsed = node;
        }

        return leastUsed is null ? Waiting(nodes, request) : new NodeChoice.Chosen(leastUsed.NodeId);
    }

    private static NodeChoice.Wait Waiting(List<NodeView> nodes, ResourceRequest request) =>
        nodes.Exists(n => n.IsAlive && ResourceAmounts.ShortOfTotal(n, request) is null)
            ? new NodeChoice.Wait($"No node has {request} free now; it waits until work ends and gives resources back.", Infeasible: false)
            : new NodeChoice.Wait($"Infeasible: no alive node has that much in total for {request}; it waits until a node that can hold it joins.",
                Infeasible: true);
}
