using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using RayGen;
using RayGen.Benchmarks;
using RayGen.Benchmarks.Shared;

// dotnet run -c Release --project benchmarks/RayGen.Benchmarks -- [--quick] [--json FILE] [--filter NAME] [--cpus N]
//     [--mode processes|inprocess|both] [--no-limits] [--no-peers]
//   bdn [BenchmarkDotNet arguments]      the hot-path suites
//   observe [--quick] [--cpus N] [--mode M]  observability on vs off (docs/benchmarks.md)
//   cluster [--seconds S] [--json FILE]   across nodes: a loopback cluster (head + 1 node) it starts and stops itself
if (args.Length > 0 && args[0] == "pingpong-server") return Limits.PingPongServer(args[1]);
if (args.Length > 0 && args[0] == "bdn") return MicroSuites.Run(args[1..]);
if (args.Length > 1 && args[0] == "probe") return Probe.Run(args[1..]);
if (args.Length > 0 && args[0] == "wakeups") return Wakeups.Run(args[1..]);
if (args.Length > 0 && args[0] == "transport") return TransportBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "observe") return ObserveBench.Run(args[1..]);
if (args.Length > 0 && args[0] == "cluster") return ClusterMode.Run(args[1..]);

var options = HarnessOptions.Parse(args);
if (options is null) return 64;
var settings = options.Quick ? TimeitSettings.Quick : TimeitSettings.Ray;
var results = new List<BenchResult>();
var started = DateTime.UtcNow;
Console.WriteLine($"RayGen microbenchmarks: {(options.Quick ? "quick" : "Ray's timeit")}, {options.Cpus} CPUs, machine {Environment.ProcessorCount} cores, load {Load()}");

if (options.Limits)
{
    foreach (var r in Limits.Run(settings, options.Matches))
    {
        if (options.Matches(r.Name)) results.Add(r);
    }
}

foreach (var mode in options.Modes)
{
    var metrics = RayMetrics.All.Where(m => options.Matches(m.Name)).ToList();
    if (metrics.Count == 0) continue;
    var group = mode == RayMode.Processes ? "processes" : "inprocess";
    using (Ray.Init(new RayOptions { NumCpus = options.Cpus, Mode = mode }))
    {
        foreach (var metric in metrics) results.Add(RayMetrics.Run(metric, group, new BenchContext(options.Cpus), settings));
    }
}

if (options.Peers) results.AddRange(Peers.Run(options, settings));

Summary.Print(results);
if (options.JsonPath is { } path)
{
    var meta = new Dictionary<string, object?>
    {
        ["started_utc"] = started.ToString("O", CultureInfo.InvariantCulture),
        ["cpus"] = options.Cpus,
        ["machine_cores"] = Environment.ProcessorCount,
        ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        ["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        ["quick"] = options.Quick,
        ["load_at_end"] = Load(),
    };
    File.WriteAllText(path, Timeit.ToJson(results, meta));
    Console.WriteLine($"wrote {path}");
}

return 0;

static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

namespace RayGen.Benchmarks
{
    internal sealed class HarnessOptions
    {
        public bool Quick { get; private set; }
        public string? JsonPath { get; private set; }
        public List<string> Filters { get; } = new();
        public int Cpus { get; private set; } = Environment.ProcessorCount;
        public List<RayMode> Modes { get; } = new() { RayMode.Processes, RayMode.InProcess };
        public bool Limits { get; private set; } = true;
        public bool Peers { get; private set; } = true;

        /// <summary>A metric runs when no filter is given or one of them is part of its name.</summary>
        public bool Matches(string name) => Filters.Count == 0 || Filters.Exists(f => name.Contains(f, StringComparison.OrdinalIgnoreCase));

        public static HarnessOptions? Parse(string[] args)
        {
            var o = new HarnessOptions();
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--quick": o.Quick = true; break;
                    case "--json": o.JsonPath = Next(); break;
                    case "--filter": o.Filters.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
                    case "--cpus": o.Cpus = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--no-limits": o.Limits = false; break;
                    case "--no-peers": o.Peers = false; break;
                    case "--mode":
                        o.Modes.Clear();
                        var mode = Next();
                        if (mode is "processes" or "both") o.Modes.Add(RayMode.Processes);
                        if (mode is "inprocess" or "both") o.Modes.Add(RayMode.InProcess);
                        if (o.Modes.Count == 0) throw new ArgumentException($"--mode {mode}: use processes, inprocess or both");
                        break;
                    default:
                        Console.Error.WriteLine($"unknown argument {args[i]}");
                        Console.Error.WriteLine("usage: [--quick] [--json FILE] [--filter NAME[,NAME]] [--cpus N] [--mode processes|inprocess|both] [--no-limits] [--no-peers] | bdn [...]");
                        return null;
                }
            }

            return o;
        }
    }
}
