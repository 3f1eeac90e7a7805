using System;
using System.Collections.Generic;
using System.Linq;

namespace RayGen.Core;

/// <summary>What one task or actor holds while it runs. Tasks with equal requests share one queue.</summary>
internal sealed class ResourceRequest : IEquatable<ResourceRequest>
{
    public static readonly ResourceRequest OneCpu = new(1, 0, Array.Empty<KeyValuePair<string, double>>());
    public static readonly ResourceRequest None = new(0, 0, Array.Empty<KeyValuePair<string, double>>());

    private ResourceRequest(double cpus, double gpus, KeyValuePair<string, double>[] custom)
    {
        Cpus = cpus;
        Gpus = gpus;
        Custom = custom;
    }

    public double Cpus { get; }
    public double Gpus { get; }
    public KeyValuePair<string, double>[] Custom { get; }

    public static ResourceRequest From(RemoteOptions options, double defaultCpus)
    {
        var cpus = options.NumCpus ?? defaultCpus;
        var gpus = options.NumGpus ?? 0;
        Validate(cpus, "NumCpus");
        Validate(gpus, "NumGpus");
        if (options.Resources is null || options.Resources.Count == 0)
        {
            if (gpus == 0 && cpus == 1) return OneCpu;
            if (gpus == 0 && cpus == 0) return None;
            return new ResourceRequest(cpus, gpus, Array.Empty<KeyValuePair<string, double>>());
        }

        foreach (var kv in options.Resources) Validate(kv.Value, $"Resources[\"{kv.Key}\"]");
        var custom = options.Resources.Where(kv => kv.Value > 0).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToArray();
        return new ResourceRequest(cpus, gpus, custom);
    }

    private static void Validate(double amount, string name)
    {
        if (double.IsNaN(amount) || amount < 0)
            throw new ArgumentException($"{name} must be a non-negative number, not {amount}.");
    }

    public bool Equals(ResourceRequest? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || other.Cpus != Cpus || other.Gpus != Gpus || other.Custom.Length != Custom.Length) return false;
        for (var i = 0; i < Custom.Length; i++)
        {
            if (Custom[i].Key != other.Custom[i].Key || Custom[i].Value != other.Custom[i].Value) return false;
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as ResourceRequest);

    public override int GetHashCode()
    {
        var hash = HashCode.Combine(Cpus, Gpus, Custom.Length);
        foreach (var kv in Custom) hash = HashCode.Combine(hash, kv.Key, kv.Value);
        return hash;
    }

    public override string ToString()
    {
        var parts = new List<string> { $"CPU: {Cpus}" };
        if (Gpus > 0) parts.Add($"GPU: {Gpus}");
        parts.AddRange(Custom.Select(kv => $"{kv.Key}: {kv.Value}"));
        return "{" + string.Join(", ", parts) + "}";
    }
}
