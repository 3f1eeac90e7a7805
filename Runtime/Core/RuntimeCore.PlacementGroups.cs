using System.Collections.Generic;

namespace RayGen.Core;

internal abstract partial class RuntimeCore
{
    /// <summary>Makes a placement group (Ray.PlacementGroup); it is reserved as soon as all of it fits.</summary>
    public abstract PlacementGroup CreatePlacementGroup(IReadOnlyList<Bundle> bundles, PlacementStrategy strategy);

    /// <summary>Removes a group (Ray.RemovePlacementGroup): what runs in it ends, its resources return.</summary>
    public abstract void RemovePlacementGroup(PlacementGroup group);

    /// <summary>The group a handle read from bytes names.</summary>
    public abstract PlacementGroup PlacementGroupById(long id, IReadOnlyList<Bundle> bundles, PlacementStrategy strategy);
}
