using System.Collections.Generic;

namespace RayGen;

/// <summary>
/// One bundle of a <see cref="PlacementGroup"/>: resources reserved together, on one node, for the tasks and actors
/// scheduled into it (Ray's bundle, <c>{"CPU": 1, "GPU": 0, ...}</c>).
/// </summary>
public sealed class Bundle
{
    /// <summary>CPUs the bundle reserves.</summary>
    public double NumCpus { get; init; }

    /// <summary>GPUs the bundle reserves.</summary>
    public double NumGpus { get; init; }

    /// <summary>Custom resources (name -> amount) the bundle reserves.</summary>
    public IReadOnlyDictionary<string, double>? Resources { get; init; }

    /// <inheritdoc />
    public override string ToString()
    {
        var parts = new List<string> { $"CPU: {NumCpus}" };
        if (NumGpus > 0) parts.Add($"GPU: {NumGpus}");
        if (Resources is not null)
        {
            foreach (var kv in Resources) parts.Add($"{kv.Key}: {kv.Value}");
        }

        return "{" + string.Join(", ", parts) + "}";
    }
}
