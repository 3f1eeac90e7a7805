using System.Collections.Generic;
using RayGen.Core;

namespace RayGen.Cluster.Scheduling;

/// <summary>A request and a node's figures compared by Ray's resource names, so CPUs, GPUs and custom resources are alike.</summary>
internal static class ResourceAmounts
{
    public const string Cpu = "CPU";
    public const string Gpu = "GPU";

    /// <summary>The request's non-zero amounts by name.</summary>
    public static IEnumerable<(string Name, double Amount)> Of(ResourceRequest request)
    {
        if (request.Cpus > 0) yield return (Cpu, request.Cpus);
        if (request.Gpus > 0) yield return (Gpu, request.Gpus);
        foreach (var kv in request.Custom) yield return (kv.Key, kv.Value);
    }

    /// <summary>The first resource <paramref name="node"/> lacks for <paramref name="request"/> even when idle; null when it could hold it.</summary>
    public static string? ShortOfTotal(NodeView node, ResourceRequest request)
    {
        foreach (var (name, amount) in Of(request))
        {
            if (amount > node.Total.GetValueOrDefault(name) + ResourcePool.Epsilon) return name;
        }

        return null;
    }

    /// <summary>Whether what <paramref name="node"/> has left after <paramref name="used"/> holds <paramref name="request"/>.</summary>
    public static bool FitsNow(NodeView node, IReadOnlyDictionary<string, double> used, ResourceRequest request)
    {
        foreach (var (name, amount) in Of(request))
        {
            if (amount > node.Total.GetValueOrDefault(name) - used.GetValueOrDefault(name) + ResourcePool.Epsilon) return false;
        }

        return true;
    }

    /// <summary>
    /// The node's CPU utilization once <paramref name="extraCpus"/> more are held. CPUs are what packing and spreading
    /// are judged by, even for a request of none; a node without CPUs reads 0, as nothing of it is used up.
    /// </summary>
    public static double CpuUtilization(NodeView node, IReadOnlyDictionary<string, double> used, double extraCpus = 0)
    {
        var total = node.Total.GetValueOrDefault(Cpu);
        return total <= ResourcePool.Epsilon ? 0 : (used.GetValueOrDefault(Cpu) + extraCpus) / total;
    }
}
