namespace RayGen;

/// <summary>How the bundles of a <see cref="PlacementGroup"/> are spread over nodes (Ray's placement strategies).</summary>
public enum PlacementStrategy
{
    /// <summary>As few nodes as possible, more when one cannot hold them all.</summary>
    Pack,

    /// <summary>As many nodes as possible, fewer when there are not enough.</summary>
    Spread,

    /// <summary>All bundles on one node, or the group stays pending.</summary>
    StrictPack,

    /// <summary>Every bundle on a node of its own, or the group stays pending (on one node: one bundle at most).</summary>
    StrictSpread,
}
