using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace RayGen;

/// <summary>
/// Resources reserved as a set of <see cref="Bundle"/>s (Ray's <c>ray.util.placement_group</c>), made with
/// <c>Ray.PlacementGroup</c>. The group is reserved whole or not at all: until everything it asks for is free
/// it stays pending and holds nothing. Tasks and actors run in it through
/// <see cref="SchedulingStrategy.PlacementGroup(RayGen.PlacementGroup, int)"/>; only they may use its resources.
/// A group is a value: it can be passed to tasks and actors.
/// </summary>
public sealed class PlacementGroup
{
    private readonly Func<Task> _ready;

    internal PlacementGroup(long id, IReadOnlyList<Bundle> bundles, PlacementStrategy strategy, Func<Task> ready)
    {
        Number = id;
        BundleSpecs = bundles;
        Strategy = strategy;
        _ready = ready;
    }

    /// <summary>The group's id in its runtime.</summary>
    internal long Number { get; }

    /// <summary>The group's id, as text (the same in every process of the session).</summary>
    public string Id => Number.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The bundles, in the order they were given; a bundle index refers to this order.</summary>
    public IReadOnlyList<Bundle> BundleSpecs { get; }

    /// <summary>How many bundles the group has.</summary>
    public int BundleCount => BundleSpecs.Count;

    /// <summary>How the bundles are placed.</summary>
    public PlacementStrategy Strategy { get; }

    /// <summary>
    /// Completes once every bundle is reserved; never, while the group cannot fit. Faults with a
    /// <see cref="RayException"/> when the group is removed before it was reserved.
    /// </summary>
    public Task Ready() => _ready();

    /// <summary>Blocks until the group is reserved or <paramref name="timeout"/> passed; returns whether it is reserved.</summary>
    /// <exception cref="RayException">The group was removed before it was reserved.</exception>
    public bool Wait(TimeSpan timeout)
    {
        var ready = Ready();
        try
        {
            return ready.Wait(timeout);
        }
        catch (AggregateException e) when (e.InnerException is RayException inner)
        {
            throw new RayException(inner.Message, inner);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"PlacementGroup({Id}, {Strategy}, {BundleCount} bundles)";
}
