using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using RayGen.Benchmarks.Shared;

namespace RayGen.Benchmarks;

/// <summary>The table at the end of a run: each RayGen figure beside Ray's published one and the baseline it is judged against, as a same-run ratio.</summary>
internal static class Summary
{
    /// <summary>Which limit or peer each metric is held against (the targets of issue 7).</summary>
    public static readonly (string Metric, string Group, string Baseline)[] Baselines =
    {
        ("single_client_tasks_sync", "processes", "uds_pingpong_8b_sync"),
        ("1_1_actor_calls_sync", "processes", "uds_pingpong_8b_sync"),
        ("single_client_tasks_async", "processes", "uds_pingpong_8b_1000_in_flight"),
        ("1_1_actor_calls_async", "processes", "uds_pingpong_8b_1000_in_flight"),
        ("single_client_put_gigabytes", "processes", "memcpy_100MiB"),
        ("single_client_put_gigabytes", "inprocess", "memcpy_100MiB"),
        ("single_client_tasks_sync", "inprocess", "taskrun_roundtrip_sync"),
        ("single_client_tasks_async", "inprocess", "taskrun_1000_then_wait_all"),
        ("1_1_actor_calls_sync", "processes", "orleans_grain_calls_sync"),
        ("1_1_actor_calls_async", "processes", "orleans_grain_calls_1000_concurrent"),
        ("1_1_actor_calls_sync", "processes", "akka_remote_ask_sync"),
        ("1_1_actor_calls_async", "processes", "akka_remote_ask_1000_concurrent"),
        ("zero_copy_view_1GiB", "processes", "zero_copy_view_1MiB"),
        ("zero_copy_view_1GiB", "inprocess", "zero_copy_view_1MiB"),
        ("queue_ops_per_second", "processes", "channel_queue_ops_per_second"),
        ("queue_ops_per_second", "inprocess", "channel_queue_ops_per_second"),
        ("actor_pool_map_per_second", "processes", "actor_pool_baseline_round_robin_calls"),
        ("actor_pool_map_per_second", "inprocess", "actor_pool_baseline_round_robin_calls"),
        ("stream_items_per_second", "processes", "channel_items_per_second"),
        ("stream_items_per_second", "inprocess", "channel_items_per_second"),
    };

    public static void Print(IReadOnlyList<BenchResult> results)
    {
        if (results.Count == 0) return;
        var published = RayMetrics.All.ToDictionary(m => m.Name, m => m.RayPublished);
        Console.WriteLine();
        Console.WriteLine($"{"group",-10} {"metric",-48} {"mean",14} {"sd",12} {"Ray 2.48",10}  baseline (ratio)");
        foreach (var r in results)
        {
            var ray = published.TryGetValue(r.Name, out var p) && !double.IsNaN(p) ? Timeit.Format(p) : "";
            if (r.Unit == "views per second") ray = string.Create(CultureInfo.InvariantCulture, $"{1e6 / r.Mean:0.###} us each");
            var against = string.Join("; ", Baselines
                .Where(b => b.Metric == r.Name && b.Group == r.Group)
                // A baseline measured in the metric's own group (another metric) comes first; limits and peers have groups of their own.
                .Select(b => (results.FirstOrDefault(x => x.Name == b.Baseline && x.Group == r.Group) ??
                              results.FirstOrDefault(x => x.Name == b.Baseline)) is { } baseline
                    ? string.Create(CultureInfo.InvariantCulture, $"{b.Baseline} {r.Mean / baseline.Mean:0.00}x")
                    : null)
                .Where(s => s is not null));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Group,-10} {r.Name,-48} {Timeit.Format(r.Mean),14} {Timeit.Format(r.Sd),12} {ray,10}  {against}"));
        }
    }
}
