using System;
using System.Globalization;
using System.IO;
using System.Linq;
using RayGen;
using RayGen.Data;

namespace DataSample;

/// <summary>
/// RayGen.Data end to end: write a few CSV files of taxi trips (some rows dirty), read them as a dataset, clean them,
/// compute features with a class transform on a pool of actors, write Parquet, and read the result back to count
/// trips per zone and list the dearest. Each run prints its operators' figures.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var folder = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "raygen-data-sample");
        var rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000;
        var input = Path.Combine(folder, "trips");
        var output = Path.Combine(folder, "features");
        TripFiles.Write(input, files: 4, rows);
        Console.WriteLine($"wrote {rows:N0} trips in 4 CSV files under {input}");

        using var ray = Ray.Init();

        // Lazy: nothing runs until WriteParquet asks.
        var trips = RayData.ReadCsv<Trip>(Path.Combine(input, "*.csv"));
        var clean = trips.Filter(static t => t.Zone is { Length: > 0 } && t.Fare is > 0 && t.Distance >= 0.5);
        var features = clean.MapBatches<FareFeatures, Trip, TripFeatures>(concurrency: 2, batchSize: 1024, 2.5);
        Console.WriteLine(features);
        Console.WriteLine(features.Schema);

        features.WriteParquet(output);
        Console.WriteLine();
        Console.WriteLine(features.Stats());

        var written = RayData.ReadParquet<TripFeatures>(output);
        var perZone = written.GroupBy(static f => f.Zone).Count();
        foreach (var (zone, count) in perZone.IterRows()) Console.WriteLine($"{zone,-20} {count,8:N0} trips");
        Console.WriteLine(perZone.Stats());

        var dearest = written.Sort(static f => f.FarePerKm, descending: true).Take(3);
        foreach (var f in dearest) Console.WriteLine($"trip {f.Id}: {f.FarePerKm:0.00} per km in {f.Zone} at {f.Hour}h");
        return 0;
    }
}
