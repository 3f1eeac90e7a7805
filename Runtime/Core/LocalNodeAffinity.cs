namespace RayGen.Core;

/// <summary>
/// What <see cref="NodeAffinitySchedulingStrategy"/> means to a runtime without a cluster: its one node is the only
/// node there is, so affinity to it, or soft affinity to anything, is the default placement, and hard affinity to any
/// other id can never be met.
/// </summary>
internal static class LocalNodeAffinity
{
    /// <summary>Why <paramref name="strategy"/> can never be met by the node <paramref name="localNodeId"/>; null when it can.</summary>
    public static string? Refusal(SchedulingStrategy? strategy, string localNodeId) =>
        strategy is NodeAffinitySchedulingStrategy { Soft: false } affinity && affinity.NodeId != localNodeId
            ? $"has hard NodeAffinity to node {affinity.NodeId}, but no alive node has that id " +
              $"(this runtime's one node is {localNodeId})."
            : null;
}
