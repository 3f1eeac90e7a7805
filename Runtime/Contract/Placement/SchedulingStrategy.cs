namespace RayGen;

/// <summary>
/// Where a task or actor may run (<see cref="RemoteOptions.SchedulingStrategy"/>), as Ray's scheduling strategies:
/// <see cref="Default"/>, <see cref="Spread"/>, onto one node (<see cref="NodeAffinity"/>), or into a bundle of a
/// placement group. A small class hierarchy, so that more kinds join without changing these.
/// </summary>
public abstract class SchedulingStrategy
{
    private protected SchedulingStrategy()
    {
    }

    /// <summary>The runtime's own choice (on one machine: wherever resources are free).</summary>
    public static SchedulingStrategy Default { get; } = new Named("Default");

    /// <summary>Spread over nodes as far as possible; on one machine the same as <see cref="Default"/>.</summary>
    public static SchedulingStrategy Spread { get; } = new Named("Spread");

    /// <summary>
    /// Runs the task or actor in bundle <paramref name="bundleIndex"/> of <paramref name="group"/> (-1: any bundle of
    /// it), with that bundle's resources only; it waits while the group is pending.
    /// </summary>
    /// <exception cref="System.ArgumentOutOfRangeException">The index is below -1 or not a bundle of the group.</exception>
    public static PlacementGroupSchedulingStrategy PlacementGroup(PlacementGroup group, int bundleIndex = -1) => new(group, bundleIndex);

    /// <summary>
    /// Runs the task or actor on the node whose id is <paramref name="nodeId"/> (the text of <c>NodeInfo.NodeId</c>
    /// from <see cref="Ray.Nodes"/>). With <paramref name="soft"/> false it runs there or nowhere: on a dead or unknown
    /// node it fails with a <see cref="RayException"/>, and while that node is busy it waits for it. With
    /// <paramref name="soft"/> true that node is preferred while it has room, and any other node is used otherwise.
    /// </summary>
    /// <exception cref="System.ArgumentException"><paramref name="nodeId"/> is null or empty.</exception>
    public static NodeAffinitySchedulingStrategy NodeAffinity(string nodeId, bool soft) => new(nodeId, soft);

    private sealed class Named(string name) : SchedulingStrategy
    {
        public override string ToString() => name;
    }
}

/// <summary>Schedules into a bundle of a <see cref="RayGen.PlacementGroup"/>; made by <see cref="SchedulingStrategy.PlacementGroup"/>.</summary>
public sealed class PlacementGroupSchedulingStrategy : SchedulingStrategy
{
    internal PlacementGroupSchedulingStrategy(PlacementGroup group, int bundleIndex, bool validate = true)
    {
        System.ArgumentNullException.ThrowIfNull(group);
        if (validate && (bundleIndex < -1 || bundleIndex >= group.BundleCount))
            throw new System.ArgumentOutOfRangeException(nameof(bundleIndex), bundleIndex,
                $"The bundle index must be -1 (any bundle) or between 0 and {group.BundleCount - 1}.");
        Group = group;
        BundleIndex = bundleIndex;
    }

    /// <summary>A strategy naming a group by id only (a nested submission's, read by the driver, which knows the group).</summary>
    internal static PlacementGroupSchedulingStrategy ById(long groupId, int bundleIndex) =>
        new(new PlacementGroup(groupId, System.Array.Empty<Bundle>(), PlacementStrategy.Pack,
            static () => System.Threading.Tasks.Task.FromException(new RayException("This placement group handle only names the group."))), bundleIndex, validate: false);

    /// <summary>The group.</summary>
    public PlacementGroup Group { get; }

    /// <summary>The bundle, or -1 for any bundle of the group.</summary>
    public int BundleIndex { get; }

    /// <inheritdoc />
    public override string ToString() => $"PlacementGroup({Group.Id}, bundle {BundleIndex})";
}

/// <summary>Schedules onto one node, hard or soft; made by <see cref="SchedulingStrategy.NodeAffinity"/>.</summary>
public sealed class NodeAffinitySchedulingStrategy : SchedulingStrategy
{
    internal NodeAffinitySchedulingStrategy(string nodeId, bool soft)
    {
        if (string.IsNullOrEmpty(nodeId))
            throw new System.ArgumentException("NodeAffinity needs a node id (NodeInfo.NodeId from Ray.Nodes()).", nameof(nodeId));
        NodeId = nodeId;
        Soft = soft;
    }

    /// <summary>The node's id, as <c>NodeInfo.NodeId</c> writes it.</summary>
    public string NodeId { get; }

    /// <summary>True: the node is a preference, and another node is used when it is busy, dead or unknown. False: that node only.</summary>
    public bool Soft { get; }

    /// <inheritdoc />
    public override string ToString() => $"NodeAffinity({NodeId}, {(Soft ? "soft" : "hard")})";
}
