using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using RayGen.Driver;

namespace RayGen.Benchmarks;

/// <summary>
/// `wakeups [--cpus N] [--seconds S]`: how often the receive watchdog's thread wakes, in the driver and in the
/// workers, while the runtime is saturated with sync calls, while it serves calls at about 100 a second (sync,
/// and fire-and-forget), and while it sits idle after a burst. Counts the voluntary context switches of the
/// threads named "RayGen watchdog" in /proc, so it compares builds whatever else loads the machine.
/// </summary>
internal static class Wakeups
{
    private const string WatchdogThread = "RayGen watchdog";

    public static int Run(string[] args)
    {
        var cpus = 2;
        var seconds = 2.0;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--cpus") cpus = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            if (args[i] == "--seconds") seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
        }

        using var ray = Ray.Init(new RayOptions { NumCpus = cpus });
        var actor = PerfActor.Remote.New();
        for (var i = 0; i < 2000; i++)
        {
            PerfTasks.Remote.SmallValue().Get();
            actor.SmallValue().Get();
        }

        var span = TimeSpan.FromSeconds(seconds);
        Measure(ray, "saturated: single_client_tasks_sync", span, () => PerfTasks.Remote.SmallValue().Get());
        Measure(ray, "saturated: 1_1_actor_calls_sync", span, () => actor.SmallValue().Get());
        Measure(ray, "100 calls/s: sync actor call every 10 ms", span, () =>
        {
            actor.SmallValue().Get();
            Thread.Sleep(10);
        });
        var pending = new List<ObjectRef<byte[]>>();
        Measure(ray, "100 calls/s: fire-and-forget actor call every 10 ms", span, () =>
        {
            pending.Add(actor.SmallValue());
            Thread.Sleep(10);
        });
        Ray.Get(pending);
        for (var i = 0; i < 1000; i++) PerfTasks.Remote.SmallValue().Get();
        Measure(ray, "idle after a burst of 1,000 calls", span, () => Thread.Sleep(50));
        return 0;
    }

    private static void Measure(RayRuntime ray, string name, TimeSpan span, Action body)
    {
        var before = Sample(ray);
        var watch = Stopwatch.StartNew();
        long calls = 0;
        while (watch.Elapsed < span)
        {
            body();
            calls++;
        }

        var after = Sample(ray);
        var s = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"{name}: {calls / s:N0} loops/s; watchdog wake-ups/s driver {(after.DriverWatchdog - before.DriverWatchdog) / s:N0}, " +
                          $"workers {(after.WorkerWatchdog - before.WorkerWatchdog) / s:N0}; all switches/s driver {(after.Driver - before.Driver) / s:N0}, " +
                          $"workers {(after.Workers - before.Workers) / s:N0}");
    }

    private readonly record struct Counts(long DriverWatchdog, long WorkerWatchdog, long Driver, long Workers);

    private static Counts Sample(RayRuntime ray)
    {
        var (driverWatchdog, driver) = Switches(Environment.ProcessId);
        long workerWatchdog = 0, workers = 0;
        var pids = ray.Core.Backend is ProcessBackend backend ? backend.Workers.Select(w => w.Pid).Where(p => p > 0) : Enumerable.Empty<int>();
        foreach (var pid in pids)
        {
            var (w, all) = Switches(pid);
            workerWatchdog += w;
            workers += all;
        }

        return new Counts(driverWatchdog, workerWatchdog, driver, workers);
    }

    /// <summary>Voluntary context switches of the watchdog's thread and of the whole process.</summary>
    private static (long Watchdog, long All) Switches(int pid)
    {
        long watchdog = 0, all = 0;
        try
        {
            foreach (var task in Directory.GetDirectories($"/proc/{pid}/task"))
            {
                long n = 0;
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal))
                        n = long.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
                }

                all += n;
                if (File.ReadAllText(Path.Combine(task, "comm")).Trim() == WatchdogThread) watchdog += n;
            }
        }
        catch (IOException)
        {
            // A worker that exited meanwhile.
        }

        return (watchdog, all);
    }
}
