using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using CsvHelper;
using MemoryPack;

namespace RayGen.Benchmarks.Data;

/// <summary>A trip row as the CSV files hold it.</summary>
[CsvRecord]
[MemoryPackable]
public sealed partial class Trip
{
    public int Id { get; set; }
    public int Hour { get; set; }
    public string Zone { get; set; } = "";
    public double Distance { get; set; }
    public double Fare { get; set; }
}

/// <summary>The same pipeline for every variant: clean, a feature per row (light or CPU-heavy), mean per zone.</summary>
public static class Workload
{
    private static readonly string[] s_zones = ["Midtown", "Harlem", "SoHo", "Astoria", "Flushing", "Red Hook", "Chelsea", "Tribeca"];

    public static bool Keep(Trip t) => t.Distance >= 0.5 && t.Fare > 0;

    public static double Light(Trip t) => t.Fare / t.Distance;

    /// <summary>A feature that costs some microseconds per row, as a real model or parser would.</summary>
    public static double Heavy(Trip t)
    {
        var x = t.Fare / t.Distance;
        for (var i = 0; i < 400; i++) x = Math.Sqrt(x * x + i) * 0.999 + Math.Sin(i * 1e-3);
        return x;
    }

    /// <summary>Zone -> (sum, count), folded the same way by every variant, so their answers can be compared.</summary>
    public static SortedDictionary<string, (double Sum, long Count)> Merge(IEnumerable<(string Zone, double Value)> rows)
    {
        var result = new SortedDictionary<string, (double, long)>(StringComparer.Ordinal);
        foreach (var (zone, value) in rows)
        {
            var (sum, count) = result.TryGetValue(zone, out var have) ? have : (0.0, 0L);
            result[zone] = (sum + value, count + 1);
        }

        return result;
    }

    public static string[] WriteFiles(string folder, int files, int rows)
    {
        Directory.CreateDirectory(folder);
        var paths = Enumerable.Range(0, files).Select(f => Path.Combine(folder, $"trips-{rows}-{f}.csv")).ToArray();
        if (paths.All(File.Exists)) return paths;
        var random = new Random(5);
        var id = 0;
        foreach (var path in paths)
        {
            var text = new StringBuilder("Id,Hour,Zone,Distance,Fare\n");
            for (var i = 0; i < rows / files; i++, id++)
            {
                var distance = Math.Round(random.NextDouble() * 20, 2);
                text.Append(CultureInfo.InvariantCulture, $"{id},{random.Next(24)},{s_zones[random.Next(s_zones.Length)]},{distance},{Math.Round(2.5 + distance * 2, 2)}\n");
            }

            File.WriteAllText(path, text.ToString());
        }

        return paths;
    }
}
