using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Linq;
using RayGen.Benchmarks.Shared;

namespace RayGen.Benchmarks;

/// <summary>
/// The cost of observability on the task hot path (issue 16): single_client_tasks_async and _sync with nobody
/// listening, then with every RayGen instrument enabled (a MeterListener, as dotnet-counters or OpenTelemetry attach)
/// and tracing sampled (an ActivityListener sampling every span, the worst case), alternated off/on/off/on in one
/// process so both sides share the machine's state. <c>observe [--quick] [--cpus N] [--mode processes|inprocess|both]</c>
/// </summary>
internal static class ObserveBench
{
    public static int Run(string[] args)
    {
        var quick = args.Contains("--quick");
        var cpus = Environment.ProcessorCount;
        var modes = new List<RayMode> { RayMode.Processes, RayMode.InProcess };
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--cpus") cpus = int.Parse(args[++i], CultureInfo.InvariantCulture);
            if (args[i] == "--mode")
            {
                var mode = args[++i];
                modes.Clear();
                if (mode is "processes" or "both") modes.Add(RayMode.Processes);
                if (mode is "inprocess" or "both") modes.Add(RayMode.InProcess);
            }
        }

        var settings = quick ? TimeitSettings.Quick : TimeitSettings.Ray;
        var metrics = RayMetrics.All.Where(m => m.Name is "single_client_tasks_async" or "single_client_tasks_sync").ToList();
        Console.WriteLine($"observability overhead: {cpus} CPUs, machine {Environment.ProcessorCount} cores");
        foreach (var mode in modes)
        {
            var group = mode == RayMode.Processes ? "processes" : "inprocess";
            using (Ray.Init(new RayOptions { NumCpus = cpus, Mode = mode }))
            {
                foreach (var metric in metrics)
                {
                    var off = new List<double>();
                    var on = new List<double>();
                    for (var round = 0; round < 2; round++)
                    {
                        off.Add(RayMetrics.Run(metric, group, new BenchContext(cpus), settings).Mean);
                        using (Listen()) on.Add(RayMetrics.Run(metric, group, new BenchContext(cpus), settings).Mean);
                    }

                    var (offMean, onMean) = (off.Average(), on.Average());
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{group,-10} {metric.Name,-28} off {offMean,10:F0}/s  on {onMean,10:F0}/s  change {(onMean / offMean - 1) * 100,6:F1}%  (off rounds {string.Join(", ", off.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))}; on {string.Join(", ", on.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))})"));
                }
            }
        }

        return 0;
    }

    /// <summary>Every RayGen instrument enabled and every RayGen span sampled, as an exporter would; disposing detaches both.</summary>
    private static IDisposable Listen()
    {
        var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "RayGen") listener.EnableMeasurementEvents(instrument);
            },
        };
        long sink = 0;
        meters.SetMeasurementEventCallback<double>((_, value, _, _) => sink += (long)value);
        meters.SetMeasurementEventCallback<long>((_, value, _, _) => sink += value);
        meters.Start();
        var spans = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "RayGen",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _ => sink++,
        };
        ActivitySource.AddActivityListener(spans);
        return new Both(meters, spans);
    }

    private sealed class Both(MeterListener meters, ActivityListener spans) : IDisposable
    {
        public void Dispose()
        {
            meters.RecordObservableInstruments();
            meters.Dispose();
            spans.Dispose();
        }
    }
}
