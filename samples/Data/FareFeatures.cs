using System;
using System.Linq;
using RayGen.Data;

namespace DataSample;

/// <summary>
/// A class transform: its constructor stands for costly setup (loading a tariff table, a model), done once per actor
/// of the pool rather than once per batch. Its argument comes from MapBatches.
/// </summary>
public sealed class FareFeatures : IBatchTransform<Trip, TripFeatures>
{
    private readonly double _baseFare;
    private readonly double[] _hourlyTariff;

    public FareFeatures(double baseFare)
    {
        _baseFare = baseFare;
        _hourlyTariff = Enumerable.Range(0, 24).Select(h => h is >= 7 and <= 9 or >= 16 and <= 19 ? 1.25 : 1.0).ToArray();
        System.Threading.Thread.Sleep(200);   // the cost the pool pays once per actor
    }

    public TripFeatures[] Transform(Trip[] batch) => batch.Select(t => new TripFeatures
    {
        Id = t.Id,
        Zone = t.Zone!,
        Hour = t.Pickup.Hour,
        Weekend = t.Pickup.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday,
        FarePerKm = t.Fare!.Value / t.Distance,
        FareOverBase = t.Fare.Value / (_baseFare * _hourlyTariff[t.Pickup.Hour]),
    }).ToArray();
}
