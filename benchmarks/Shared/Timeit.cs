using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RayGen.Benchmarks.Shared;

/// <summary>How long the harness measures: Ray's timeit (1 s warm-up, 4 rounds of at least 2 s) or a short smoke run.</summary>
public sealed record TimeitSettings(double WarmupSeconds, int Rounds, double RoundSeconds)
{
    public static readonly TimeitSettings Ray = new(1.0, 4, 2.0);
    public static readonly TimeitSettings Quick = new(0.1, 2, 0.2);
}

/// <summary>One measured figure; rates are per second of the metric's unit.</summary>
public sealed class BenchResult
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    /// <summary>processes, inprocess, limit or peer.</summary>
    [JsonPropertyName("group")] public string Group { get; set; } = "";
    [JsonPropertyName("mean")] public double Mean { get; set; }
    [JsonPropertyName("sd")] public double Sd { get; set; }
    [JsonPropertyName("unit")] public string Unit { get; set; } = "per second";
    [JsonPropertyName("rounds")] public double[] Rounds { get; set; } = Array.Empty<double>();
    [JsonPropertyName("note")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Note { get; set; }
}

/// <summary>Ray's timeit, kept to its shape so figures compare: a warm-up second, then rounds that each run in steps of a tenth of the warm-up count.</summary>
public static class Timeit
{
    public static BenchResult Run(string name, string group, Action body, double multiplier, TimeitSettings settings, string unit = "per second")
    {
        var clock = Stopwatch.StartNew();
        long count = 0;
        while (clock.Elapsed.TotalSeconds < settings.WarmupSeconds)
        {
            body();
            count++;
        }

        // Ray checks the clock once per step, not per call, so that very fast bodies are not dominated by the clock.
        var step = count / 10 + 1;
        var rounds = new double[settings.Rounds];
        for (var r = 0; r < settings.Rounds; r++)
        {
            count = 0;
            clock.Restart();
            while (clock.Elapsed.TotalSeconds < settings.RoundSeconds)
            {
                for (var i = 0; i < step; i++) body();
                count += step;
            }

            rounds[r] = multiplier * count / clock.Elapsed.TotalSeconds;
        }

        var result = new BenchResult { Name = name, Group = group, Rounds = rounds, Unit = unit };
        (result.Mean, result.Sd) = MeanSd(rounds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{group,-10} {name,-48} {Format(result.Mean),14} +- {Format(result.Sd),-12} {unit}"));
        return result;
    }

    public static (double Mean, double Sd) MeanSd(double[] values)
    {
        double sum = 0;
        foreach (var v in values) sum += v;
        var mean = sum / values.Length;
        double sq = 0;
        foreach (var v in values) sq += (v - mean) * (v - mean);
        // Population deviation, as numpy.std computes it.
        return (mean, Math.Sqrt(sq / values.Length));
    }

    public static string Format(double value) =>
        value >= 100 ? value.ToString("N0", CultureInfo.InvariantCulture) : value.ToString("0.###", CultureInfo.InvariantCulture);

    public static string ToJson(IReadOnlyList<BenchResult> results, Dictionary<string, object?> meta) =>
        JsonSerializer.Serialize(new Dictionary<string, object?> { ["meta"] = meta, ["results"] = results },
            new JsonSerializerOptions { WriteIndented = true });

    public static List<BenchResult> FromJson(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("results").Deserialize<List<BenchResult>>() ?? new();
    }
}
