using System;
using System.Collections.Generic;

namespace RayGen.Core;

/// <summary>The runtime's resources: the total it was started with and what is free now. Not thread-safe; the scheduler locks.</summary>
internal sealed class ResourcePool
{
    internal const double Epsilon = 1e-9;
    private readonly Dictionary<string, double> _totalCustom;
    private readonly Dictionary<string, double> _freeCustom;

    public ResourcePool(double cpus, double gpus, IReadOnlyDictionary<string, double>? custom)
    {
        TotalCpus = FreeCpus = cpus;
        TotalGpus = FreeGpus = gpus;
        _totalCustom = custom is null ? new() : new Dictionary<string, double>(custom);
        _freeCustom = new Dictionary<string, double>(_totalCustom);
    }

    /// <summary>A pool that fits every request: for an owner whose backend places work by resources of its own (a cluster's nodes).</summary>
    public static ResourcePool Unbounded() => new(double.PositiveInfinity, double.PositiveInfinity, null) { _unbounded = true };

    private bool _unbounded;

    /// <summary>False for <see cref="Unbounded"/>: the owner's backend counts resources (per node) instead.</summary>
    public bool IsBounded => !_unbounded;

    public double TotalCpus { get; }
    public double TotalGpus { get; }
    public double FreeCpus { get; private set; }
    public double FreeGpus { get; private set; }

    /// <summary>Whether the request could ever fit, with everything free.</summary>
    public bool IsFeasible(ResourceRequest r)
    {
        if (_unbounded) return true;
        if (r.Cpus > TotalCpus + Epsilon || r.Gpus > TotalGpus + Epsilon) return false;
        foreach (var kv in r.Custom)
        {
            if (!_totalCustom.TryGetValue(kv.Key, out var total) || kv.Value > total + Epsilon) return false;
        }

        return true;
    }

    public bool Fits(ResourceRequest r)
    {
        if (_unbounded) return true;
        if (r.Cpus > FreeCpus + Epsilon || r.Gpus > FreeGpus + Epsilon) return false;
        foreach (var kv in r.Custom)
        {
            if (!_freeCustom.TryGetValue(kv.Key, out var free) || kv.Value > free + Epsilon) return false;
        }

        return true;
    }

    /// <summary>A copy whose free figures are this pool's free ones (or its totals), for trying placements on.</summary>
    public ResourcePool Scratch(bool fromTotals)
    {
        var copy = new ResourcePool(TotalCpus, TotalGpus, _totalCustom);
        if (!fromTotals)
        {
            copy.FreeCpus = FreeCpus;
            copy.FreeGpus = FreeGpus;
            foreach (var kv in _freeCustom) copy._freeCustom[kv.Key] = kv.Value;
        }

        return copy;
    }

    /// <summary>The figures as Ray names them ("CPU", "GPU" when there are any, custom names): totals or free ones.</summary>
    public Dictionary<string, double> Figures(bool free)
    {
        var figures = new Dictionary<string, double>(StringComparer.Ordinal) { ["CPU"] = free ? FreeCpus : TotalCpus };
        if (TotalGpus > 0) figures["GPU"] = free ? FreeGpus : TotalGpus;
        foreach (var kv in free ? _freeCustom : _totalCustom) figures[kv.Key] = kv.Value;
        return figures;
    }

    public void Take(ResourceRequest r) => Add(r, -1);

    public void Give(ResourceRequest r) => Add(r, 1);

    private void Add(ResourceRequest r, int sign)
    {
        if (_unbounded) return;
        FreeCpus += sign * r.Cpus;
        FreeGpus += sign * r.Gpus;
        foreach (var kv in r.Custom)
        {
            _freeCustom.TryGetValue(kv.Key, out var free);
            _freeCustom[kv.Key] = free + sign * kv.Value;
        }
    }
}
