using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using RayGen.Protocol;
using RayGen.Store;
using RayGen.Core;
using RayGen.Driver;
using RayGen.InWorker;
using RayGen.WorkerHost;

namespace RayGen.Benchmarks;

/// <summary>
/// `probe METRIC CALLS [--cpus N] [--mode processes|inprocess]`: runs one metric's loop body a fixed number of
/// times and prints what each call cost in CPU time and context switches, driver and workers apart. Unlike
/// wall-clock rates these hardly move when other programs load the machine, so they compare two builds.
/// </summary>
internal static class Probe
{
    public static int Run(string[] args)
    {
        var name = args[0];
        var calls = int.Parse(args[1], CultureInfo.InvariantCulture);
        var cpus = Environment.ProcessorCount;
        var mode = RayMode.Processes;
        for (var i = 2; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--cpus") cpus = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            if (args[i] == "--mode") mode = args[i + 1] == "inprocess" ? RayMode.InProcess : RayMode.Processes;
        }

        var metric = RayMetrics.All.Single(m => m.Name == name);
        using var ray = Ray.Init(new RayOptions { NumCpus = cpus, Mode = mode });
        var (body, multiplier) = metric.Setup(new BenchContext(cpus));
        for (var i = 0; i < Math.Max(10, calls / 10); i++) body();

        var before = Sample(ray);
        var wall = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++) body();
        wall.Stop();
        var after = Sample(ray);
        var units = calls * multiplier;
        if (Environment.GetEnvironmentVariable("RAYGEN_PROBE_THREADS") == "1") PrintThreads(ray, before.Threads, units);
        Console.WriteLine($"{name}: {units / wall.Elapsed.TotalSeconds:N0} per second over {units:N0}");
        Console.WriteLine($"  per unit: wall {wall.Elapsed.TotalMicroseconds / units:F2} us, driver cpu {(after.DriverCpu - before.DriverCpu) / units:F2} us, " +
                          $"workers cpu {(after.WorkerCpu - before.WorkerCpu) / units:F2} us, driver switches {(after.DriverSwitches - before.DriverSwitches) / units:F2}, " +
                          $"worker switches {(after.WorkerSwitches - before.WorkerSwitches) / units:F2}");
        return 0;
    }

    private readonly record struct Counters(double DriverCpu, double WorkerCpu, long DriverSwitches, long WorkerSwitches, Dictionary<string, long> Threads);

    private static void PrintThreads(RayRuntime ray, Dictionary<string, long> before, double units)
    {
        var after = Sample(ray).Threads;
        foreach (var (key, value) in after.OrderBy(k => k.Key))
        {
            var delta = value - before.GetValueOrDefault(key);
            if (delta / units >= 0.05) Console.WriteLine($"    {key}: {delta / units:F2} switches per unit");
        }
    }

    private static Dictionary<string, long> ThreadSwitches(int pid, string label)
    {
        var result = new Dictionary<string, long>();
        try
        {
            foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
            {
                var name = $"{label} {File.ReadAllText(Path.Combine(task, "comm")).Trim()} {Path.GetFileName(task)}";
                long total = 0;
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)) total += long.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
                }

                result[name] = total;
            }
        }
        catch (IOException)
        {
        }

        return result;
    }

    private static Counters Sample(RayRuntime ray)
    {
        var pids = ray.Core.Backend is ProcessBackend backend ? backend.Workers.Select(w => w.Pid).Where(p => p > 0).ToList() : new List<int>();
        double workerCpu = 0;
        long workerSwitches = 0;
        foreach (var pid in pids)
        {
            workerCpu += CpuMicroseconds(pid);
            workerSwitches += Switches(pid);
        }

        var threads = ThreadSwitches(Environment.ProcessId, "driver");
        foreach (var pid in pids)
        {
            foreach (var (k, v) in ThreadSwitches(pid, $"worker {pid}")) threads[k] = v;
        }

        return new Counters(CpuMicroseconds(Environment.ProcessId), workerCpu, Switches(Environment.ProcessId), workerSwitches, threads);
    }

    internal static double CpuMicroseconds(int pid)
    {
        try
        {
            // Fields 14 and 15 of /proc/pid/stat (after the parenthesized name): utime and stime in clock ticks (100 per second).
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10_000.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static long Switches(int pid)
    {
        long total = 0;
        try
        {
            foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                        total += long.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return total;
    }
}
