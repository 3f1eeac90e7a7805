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
/// process so both sides share the machine's state. <c>observe [--quick] [--cpus N] [--mode processes|inprocess|both]</c>;
/// <c>--dashboard</c> measures the dashboard and the metrics endpoint on top (see <see cref="Dashboard"/>).
/// </summary>
internal static class ObserveBench
{
    private static readonly ActivitySource s_application = new("RayGen.Benchmarks.Application");

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
        // Each iteration runs inside an application span (a request, a job step): RayGen's spans join that trace when it is sampled.
        var metrics = RayMetrics.All.Where(m => m.Name is "single_client_tasks_async" or "single_client_tasks_sync")
            .Select(m => m with
            {
                Setup = context =>
                {
                    var (body, multiplier) = m.Setup(context);
                    return (() =>
                    {
                        using var iteration = s_application.StartActivity("iteration");
                        body();
                    }, multiplier);
                },
            })
            .ToList();
        if (args.Contains("--cpu")) return CpuPerTask(metrics, cpus, modes, args);
        if (args.Contains("--dashboard")) return Dashboard(metrics.Single(m => m.Name == "single_client_tasks_async"), cpus, modes, settings);
        Console.WriteLine($"observability overhead: {cpus} CPUs, machine {Environment.ProcessorCount} cores");
        foreach (var mode in modes)
        {
            var group = mode == RayMode.Processes ? "processes" : "inprocess";
            using (Ray.Init(new RayOptions { NumCpus = cpus, Mode = mode }))
            {
                foreach (var metric in metrics)
                {
                    var off = new List<double>();
                    var sampled = new List<double>();
                    var all = new List<double>();
                    for (var round = 0; round < 2; round++)
                    {
                        off.Add(RayMetrics.Run(metric, group, new BenchContext(cpus), settings).Mean);
                        using (Listen(everySpan: false)) sampled.Add(RayMetrics.Run(metric, group, new BenchContext(cpus), settings).Mean);
                        using (Listen(everySpan: true)) all.Add(RayMetrics.Run(metric, group, new BenchContext(cpus), settings).Mean);
                    }

                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{group,-10} {metric.Name,-28} off {off.Average(),8:F0}/s  metrics+1% traces {Change(off, sampled)}  metrics+every span {Change(off, all)}  " +
                        $"(rounds off {Rounds(off)}; 1% {Rounds(sampled)}; every {Rounds(all)})"));
                }
            }
        }

        return 0;
    }

    /// <summary>
    /// <c>observe --dashboard</c>: everything on against the same workload with nothing on, and with only the instruments
    /// and 1% traces on. Ports are fixed at Init, so each side is a runtime of its own, started for each round and
    /// alternated (bare / observed / full, twice) in one process. "Full" serves the dashboard and the metrics endpoint, with
    /// a page's live stream connected (an overview every second) and a Prometheus scrape every second.
    /// </summary>
    private static int Dashboard(RayMetric metric, int cpus, List<RayMode> modes, TimeitSettings settings)
    {
        Console.WriteLine($"dashboard overhead on {metric.Name}: {cpus} CPUs, machine {Environment.ProcessorCount} cores");
        foreach (var mode in modes)
        {
            var group = mode == RayMode.Processes ? "processes" : "inprocess";
            var bare = new List<double>();
            var observed = new List<double>();
            var full = new List<double>();
            for (var round = 0; round < 2; round++)
            {
                using (Ray.Init(new RayOptions { NumCpus = cpus, Mode = mode }))
                    bare.Add(RayMetrics.Run(metric, group, new BenchContext(cpus), settings).Mean);
                using (Ray.Init(new RayOptions { NumCpus = cpus, Mode = mode }))
                using (Listen(everySpan: false))
                    observed.Add(RayMetrics.Run(metric, group, new BenchContext(cpus), settings).Mean);
                using (var ray = Ray.Init(new RayOptions { NumCpus = cpus, Mode = mode, DashboardPort = 0, MetricsPort = 0 }))
                using (Listen(everySpan: false))
                using (Clients(ray))
                    full.Add(RayMetrics.Run(metric, group, new BenchContext(cpus), settings).Mean);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{group,-10} {metric.Name,-26} bare {bare.Average(),8:F0}/s  metrics+1% traces {Change(bare, observed)}  " +
                $"+dashboard+/metrics (page open, scraped 1/s) {Change(bare, full)}, vs metrics+1% {(full.Average() / observed.Average() - 1) * 100:+0.0;-0.0}%  " +
                $"(rounds bare {Rounds(bare)}; observed {Rounds(observed)}; full {Rounds(full)})"));
        }

        return 0;
    }

    /// <summary>
    /// <c>observe --cpu [--rounds N] [--seconds S]</c>: CPU time per task (driver, plus the workers in process mode) rather
    /// than rates, which swing 30-60% on a shared machine while CPU per task moves far less. Arms: off, the application's
    /// 1% spans alone (RayGen's source not listened to), metrics only, 1% traces only, metrics + 1% traces; each round runs every arm for the same number of iterations (sized so the off
    /// arm takes about S seconds), the order reversed every other round so drift falls on both sides.
    /// </summary>
    private static int CpuPerTask(List<RayMetric> metrics, int cpus, List<RayMode> modes, string[] args)
    {
        var rounds = 6;
        var seconds = 1.0;
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--rounds") rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            if (args[i] == "--seconds") seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
        }

        (string Name, Func<IDisposable?> Attach)[] arms =
        [
            ("off", static () => null),
            // The application's own 1% spans with RayGen not listened to: what the traced arms pay that is not RayGen's.
            ("app spans only", static () => Listen(everySpan: false, metrics: false, traces: true, raygen: false)),
            ("metrics", static () => Listen(everySpan: false, metrics: true, traces: false)),
            ("1% traces", static () => Listen(everySpan: false, metrics: false, traces: true)),
            ("metrics+1% traces", static () => Listen(everySpan: false)),
        ];
        Console.WriteLine($"observability CPU per task: {cpus} CPUs, machine {Environment.ProcessorCount} cores, {rounds} rounds, load {Load()}");
        foreach (var mode in modes)
        {
            var group = mode == RayMode.Processes ? "processes" : "inprocess";
            using var ray = Ray.Init(new RayOptions { NumCpus = cpus, Mode = mode });
            foreach (var metric in metrics)
            {
                var (body, multiplier) = metric.Setup(new BenchContext(cpus));
                var warm = Stopwatch.StartNew();
                var iterations = 0;
                while (warm.Elapsed.TotalSeconds < seconds) { body(); iterations++; }
                var cpu = arms.Select(_ => new List<double>()).ToArray();
                var rate = arms.Select(_ => new List<double>()).ToArray();
                for (var round = 0; round < rounds; round++)
                {
                    for (var k = 0; k < arms.Length; k++)
                    {
                        var a = round % 2 == 0 ? k : arms.Length - 1 - k;
                        using var listening = arms[a].Attach();
                        var before = Cpu(ray);
                        var wall = Stopwatch.StartNew();
                        for (var i = 0; i < iterations; i++) body();
                        wall.Stop();
                        var units = (double)iterations * multiplier;
                        cpu[a].Add((Cpu(ray) - before) / units);
                        rate[a].Add(units / wall.Elapsed.TotalSeconds);
                    }
                }

                var off = Median(cpu[0]);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{group,-10} {metric.Name,-26} {iterations * multiplier:N0} per arm, cpu us per task (median; rounds), rate (median):"));
                for (var a = 0; a < arms.Length; a++)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {arms[a].Name,-18} {Median(cpu[a]),8:F3} us ({(Median(cpu[a]) / off - 1) * 100:+0.0;-0.0}%)  [{string.Join(" ", cpu[a].Select(v => v.ToString("F3", CultureInfo.InvariantCulture)))}]  {Median(rate[a]),10:N0}/s"));
                }
            }
        }

        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Load() => System.IO.File.Exists("/proc/loadavg") ? string.Join(' ', System.IO.File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>CPU microseconds used so far by the driver (nanosecond clock) and its worker processes (/proc ticks).</summary>
    private static double Cpu(RayRuntime ray)
    {
        double total = ProcessCpuMicroseconds();
        if (ray.Core.Backend is RayGen.Driver.ProcessBackend backend)
        {
            foreach (var worker in backend.Workers)
            {
                if (worker.Pid > 0) total += Probe.CpuMicroseconds(worker.Pid);
            }
        }

        return total;
    }

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    // /proc/self/stat counts in 10 ms ticks; CLOCK_PROCESS_CPUTIME_ID counts every thread of the process to the nanosecond.
    private static double ProcessCpuMicroseconds() =>
        ClockGetTime(2, out var t) == 0 ? t.Seconds * 1e6 + t.Nanoseconds / 1e3 : Probe.CpuMicroseconds(Environment.ProcessId);

    /// <summary>A page's event stream, read as it comes, and a scraper of /metrics every second, until disposed.</summary>
    private static IDisposable Clients(RayRuntime ray)
    {
        var stop = new System.Threading.CancellationTokenSource();
        var http = new System.Net.Http.HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        var page = System.Threading.Tasks.Task.Run(async () =>
        {
            using var stream = await http.GetStreamAsync(ray.DashboardUrl + "api/events", stop.Token);
            var buffer = new byte[64 * 1024];
            while (await stream.ReadAsync(buffer, stop.Token) > 0) { }
        });
        var scraper = System.Threading.Tasks.Task.Run(async () =>
        {
            using var timer = new System.Threading.PeriodicTimer(TimeSpan.FromSeconds(1));
            do await http.GetStringAsync(ray.MetricsUrl, stop.Token);
            while (await timer.WaitForNextTickAsync(stop.Token));
        });
        return new Stopper(() =>
        {
            stop.Cancel();
            try { System.Threading.Tasks.Task.WaitAll(page, scraper); } catch (AggregateException) { }
            http.Dispose();
        });
    }

    private sealed class Stopper(Action stop) : IDisposable
    {
        public void Dispose() => stop();
    }

    private static string Change(List<double> off, List<double> on) =>
        string.Create(CultureInfo.InvariantCulture, $"{on.Average(),8:F0}/s ({(on.Average() / off.Average() - 1) * 100:+0.0;-0.0}%)");

    private static string Rounds(List<double> values) => string.Join("/", values.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)));

    /// <summary>
    /// Every RayGen instrument enabled, and spans sampled as an exporter would: one iteration's trace in 100 by trace id,
    /// children as their parent (OpenTelemetry's ParentBased(TraceIdRatioBased(0.01))), or every trace. Disposing detaches both.
    /// </summary>
    private static IDisposable Listen(bool everySpan, bool metrics = true, bool traces = true, bool raygen = true)
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
        if (metrics) meters.Start();
        var spans = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "RayGen.Benchmarks.Application" || (raygen && source.Name == "RayGen"),
            Sample = everySpan ? static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded : OnePercent,
            ActivityStopped = _ => sink++,
        };
        if (traces) ActivitySource.AddActivityListener(spans);
        return new Both(meters, spans);
    }

    private static ActivitySamplingResult OnePercent(ref ActivityCreationOptions<ActivityContext> options)
    {
        if (options.Parent != default)
            return (options.Parent.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None;
        Span<byte> id = stackalloc byte[16];
        options.TraceId.CopyTo(id);
        return BitConverter.ToUInt64(id[8..]) % 100 == 0 ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None;
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
