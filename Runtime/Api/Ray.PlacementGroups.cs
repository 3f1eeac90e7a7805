using System;
using System.Collections.Generic;
using System.Linq;

namespace RayGen;

public static partial class Ray
{
    /// <summary>
    /// Reserves <paramref name="bundles"/> as one placement group (Ray's <c>ray.util.placement_group</c>). Returns at
    /// once; the group is reserved whole as soon as all of it fits (<see cref="RayGen.PlacementGroup.Ready"/>), and
    /// until then holds nothing. A group that can never fit stays pending, with a warning.
    /// </summary>
    /// <exception cref="ArgumentException">No bundles, or a bundle that reserves nothing.</exception>
    public static PlacementGroup PlacementGroup(IEnumerable<Bundle> bundles, PlacementStrategy strategy = PlacementStrategy.Pack)
    {
        ArgumentNullException.ThrowIfNull(bundles);
        return CurrentCore("create a placement group").CreatePlacementGroup(bundles as IReadOnlyList<Bundle> ?? bundles.ToList(), strategy);
    }

    /// <summary>
    /// Removes a placement group: its resources return to the runtime, the tasks running in it fail with a
    /// <see cref="RayException"/>, its actors die (<see cref="ActorDiedException"/>), and work still to run in it fails.
    /// </summary>
    public static void RemovePlacementGroup(PlacementGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        CurrentCore("remove a placement group").RemovePlacementGroup(group);
    }
}
