using System.Collections.Generic;

namespace RayGen.Core;

/// <summary>
/// Chooses a node for every bundle of a placement group, or none at all: a group is placed whole or not at all. The
/// one place bundle placement is decided; one machine is one node here, and a cluster passes every node's pool, so
/// a node is just another place a bundle can go.
/// </summary>
internal static class BundlePlacement
{
    /// <summary>
    /// The node of each bundle, or null when the group cannot be placed on <paramref name="nodes"/> as they are now
    /// (or, with <paramref name="fromTotals"/>, even with everything free: then it never can).
    /// </summary>
    public static ResourcePool[]? Place(IReadOnlyList<ResourceRequest> bundles, PlacementStrategy strategy,
        IReadOnlyList<ResourcePool> nodes, bool fromTotals)
    {
        var scratch = new ResourcePool[nodes.Count];
        for (var n = 0; n < nodes.Count; n++) scratch[n] = nodes[n].Scratch(fromTotals);
        switch (strategy)
        {
            case PlacementStrategy.StrictPack:
                return PackOnOneNode(bundles, nodes, scratch);
            case PlacementStrategy.Pack:
                return PackOnOneNode(bundles, nodes, scratch) ?? Greedy(bundles, nodes, scratch, spread: false, distinct: false);
            case PlacementStrategy.Spread:
                return Greedy(bundles, nodes, scratch, spread: true, distinct: false);
            default:
                return Greedy(bundles, nodes, scratch, spread: true, distinct: true);
        }
    }

    private static ResourcePool[]? PackOnOneNode(IReadOnlyList<ResourceRequest> bundles, IReadOnlyList<ResourcePool> nodes, ResourcePool[] scratch)
    {
        for (var n = 0; n < nodes.Count; n++)
        {
            var node = scratch[n].Scratch(fromTotals: false);
            var fits = true;
            foreach (var bundle in bundles)
            {
                if (!node.Fits(bundle))
                {
                    fits = false;
                    break;
                }

                node.Take(bundle);
            }

            if (!fits) continue;
            var hosts = new ResourcePool[bundles.Count];
            for (var b = 0; b < hosts.Length; b++) hosts[b] = nodes[n];
            return hosts;
        }

        return null;
    }

    // Bundle by bundle: spreading prefers the node holding the fewest of the group's bundles, packing the most;
    // distinct (StrictSpread) never puts two on one node.
    private static ResourcePool[]? Greedy(IReadOnlyList<ResourceRequest> bundles, IReadOnlyList<ResourcePool> nodes, ResourcePool[] scratch,
        bool spread, bool distinct)
    {
        var hosts = new ResourcePool[bundles.Count];
        var placed = new int[nodes.Count];
        for (var b = 0; b < bundles.Count; b++)
        {
            var best = -1;
            for (var n = 0; n < nodes.Count; n++)
            {
                if ((distinct && placed[n] > 0) || !scratch[n].Fits(bundles[b])) continue;
                if (best < 0 || (spread ? placed[n] < placed[best] : placed[n] > placed[best])) best = n;
            }

            if (best < 0) return null;
            scratch[best].Take(bundles[b]);
            placed[best]++;
            hosts[b] = nodes[best];
        }

        return hosts;
    }
}
