using System.Collections.Generic;
using MemoryPack;

namespace RayGen.Protocol;

/// <summary>One bundle of a placement group on the wire.</summary>
[MemoryPackable]
internal partial struct WireBundle
{
    public double NumCpus { get; set; }
    public double NumGpus { get; set; }
    public Dictionary<string, double>? Resources { get; set; }

    public static WireBundle From(Bundle b) => new()
    {
        NumCpus = b.NumCpus,
        NumGpus = b.NumGpus,
        Resources = b.Resources is null ? null : new Dictionary<string, double>(b.Resources),
    };

    public Bundle ToBundle() => new() { NumCpus = NumCpus, NumGpus = NumGpus, Resources = Resources };
}

/// <summary>
/// A scheduling strategy on the wire: its kind; for a placement group the group's id and the bundle; for node
/// affinity the node's id and whether it is soft.
/// </summary>
[MemoryPackable]
internal sealed partial class WireStrategy
{
    private const byte Default = 0, Spread = 1, PlacementGroup = 2, NodeAffinity = 3;

    public byte Kind { get; set; }
    public long GroupId { get; set; }
    public int BundleIndex { get; set; }
    public string? NodeId { get; set; }
    public bool Soft { get; set; }

    public static WireStrategy? From(SchedulingStrategy? strategy) => strategy switch
    {
        null => null,
        PlacementGroupSchedulingStrategy pg => new WireStrategy { Kind = PlacementGroup, GroupId = pg.Group.Number, BundleIndex = pg.BundleIndex },
        NodeAffinitySchedulingStrategy affinity => new WireStrategy { Kind = NodeAffinity, NodeId = affinity.NodeId, Soft = affinity.Soft },
        _ when ReferenceEquals(strategy, SchedulingStrategy.Spread) => new WireStrategy { Kind = Spread },
        _ => new WireStrategy { Kind = Default },
    };

    // The driver's scheduler finds the group by id, so the group named here carries nothing else.
    public SchedulingStrategy ToStrategy() => Kind switch
    {
        PlacementGroup => PlacementGroupSchedulingStrategy.ById(GroupId, BundleIndex),
        NodeAffinity => SchedulingStrategy.NodeAffinity(NodeId!, Soft), // From always sets the id
        Spread => SchedulingStrategy.Spread,
        _ => SchedulingStrategy.Default,
    };
}

/// <summary>The scheduling strategy of a nested submission (kept beside the other options).</summary>
internal sealed partial class WireOptions
{
    public WireStrategy? Strategy { get; set; }
}

/// <summary>Worker -> driver: make a placement group; the answer (an ActorReplyFrame) carries its id in ActorId.</summary>
[MemoryPackable]
internal sealed partial class CreatePlacementGroupFrame : IFrame
{
    public long RequestId { get; set; }
    public WireBundle[] Bundles { get; set; } = System.Array.Empty<WireBundle>();
    public PlacementStrategy Strategy { get; set; }
}

/// <summary>Worker -> driver: remove a placement group.</summary>
[MemoryPackable]
internal sealed partial class RemovePlacementGroupFrame : IFrame
{
    public long GroupId { get; set; }
}

/// <summary>Worker -> driver: answer (an ActorReplyFrame, Error set if it was removed first) once the group is reserved.</summary>
[MemoryPackable]
internal sealed partial class PlacementGroupReadyFrame : IFrame
{
    public long RequestId { get; set; }
    public long GroupId { get; set; }
}
