using System;
using System.Collections.Generic;
using RayGen.Core;

namespace RayGen.Cluster.Scheduling;

/// <summary>
/// What this driver has placed on each node and not yet released, per resource name. Only this driver's work is
/// counted: the chooser subtracts it from a node's totals rather than trusting figures read from the node, which
/// lag behind what was just sent there.
/// </summary>
/// <remarks>Not thread-safe: a choice and the Take that follows it must be one step anyway, so the caller locks both.</remarks>
internal sealed class NodeLedger
{
    private static readonly IReadOnlyDictionary<string, double> Nothing = new Dictionary<string, double>();
    private readonly Dictionary<string, Dictionary<string, double>> _used = new(StringComparer.Ordinal);

    /// <summary>Counts <paramref name="request"/> as held on <paramref name="nodeId"/>.</summary>
    public void Take(string nodeId, ResourceRequest request)
    {
        if (!_used.TryGetValue(nodeId, out var used))
        {
            used = new Dictionary<string, double>(StringComparer.Ordinal);
            _used.Add(nodeId, used);
        }

        foreach (var (name, amount) in ResourceAmounts.Of(request)) used[name] = used.GetValueOrDefault(name) + amount;
    }

    /// <summary>Work placed on <paramref name="nodeId"/> ended: its request is no longer held there.</summary>
    public void Give(string nodeId, ResourceRequest request)
    {
        // Work that was on a node when it died ends after Forget: nothing is counted there any more, so nothing to give back.
        if (!_used.TryGetValue(nodeId, out var used)) return;
        foreach (var (name, amount) in ResourceAmounts.Of(request))
        {
            var left = used.GetValueOrDefault(name) - amount;
            // Fractions summed and subtracted leave dust; dust must not read as "busy".
            if (left > ResourcePool.Epsilon) used[name] = left;
            else used.Remove(name);
        }

        if (used.Count == 0) _used.Remove(nodeId);
    }

    /// <summary>What is held on <paramref name="nodeId"/> by resource name (empty when nothing): a live view, copy it to keep it.</summary>
    public IReadOnlyDictionary<string, double> Used(string nodeId) => _used.TryGetValue(nodeId, out var used) ? used : Nothing;

    /// <summary>The node died: nothing is held there any more, and what its work gives back later is ignored.</summary>
    public void Forget(string nodeId) => _used.Remove(nodeId);
}
