using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using CsvHelper;
using RayGen;
using RayGen.Benchmarks.Data;
using RayGen.Data;

// dotnet run -c Release --project benchmarks/RayGen.Benchmarks.Data -- [--rows N] [--files F] [--cpus N]
// Runs each variant in a process of its own (so each peak memory is its own) over the same CSV files:
//   linq      one thread: CsvHelper -> LINQ
//   parallel  Parallel.ForEach over the files, one CsvHelper reader each, on every core
//   raygen    RayData.ReadCsv -> Filter -> Map -> GroupBy.Aggregate, in worker processes
// for a light per-row feature and a CPU-heavy one; prints rows/s, peak memory and the ratio to the LINQ baseline.
if (args.Length > 1 && args[0] == "--variant") return Variant.Run(args[1], args[2], args[3], int.Parse(args[4], CultureInfo.InvariantCulture), args[5..]);

var rows = Option("--rows", 1_000_000);
var files = Option("--files", 8);
var cpus = Option("--cpus", Environment.ProcessorCount);
var folder = Path.Combine(Path.GetTempPath(), "raygen-data-bench");
var paths = Workload.WriteFiles(folder, files, rows);
Console.WriteLine($"RayGen.Data benchmark: {rows:N0} rows in {files} CSV files ({paths.Sum(p => new FileInfo(p).Length) / (1 << 20)} MiB), {cpus} CPUs, machine {Environment.ProcessorCount} cores");
Console.WriteLine($"{"workload",-8} {"variant",-9} {"seconds",8} {"rows/s",12} {"peak MiB",9} {"vs linq",8}  answer");
var results = new List<Dictionary<string, JsonElement>>();
foreach (var work in new[] { "light", "heavy" })
{
    double? baseline = null;
    foreach (var variant in new[] { "linq", "parallel", "raygen" })
    {
        var result = RunChild(variant, work, folder, cpus, paths);
        var seconds = result["seconds"].GetDouble();
        baseline ??= seconds;
        Console.WriteLine($"{work,-8} {variant,-9} {seconds,8:0.00} {result["rows"].GetInt64() / seconds,12:N0} {result["peak_mib"].GetDouble(),9:0} {baseline / seconds,7:0.00}x  {result["answer"].GetString()}{(result["init_s"].GetDouble() > 0 ? $" (Ray.Init {result["init_s"].GetDouble():0.00} s of it)" : "")}");
        results.Add(result);
    }
}

return 0;

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

static Dictionary<string, JsonElement> RunChild(string variant, string work, string folder, int cpus, string[] paths)
{
    var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
    var self = typeof(Workload).Assembly.Location;
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") info.ArgumentList.Add(self);
    foreach (var a in new[] { "--variant", variant, work, folder, cpus.ToString(CultureInfo.InvariantCulture) }.Concat(paths)) info.ArgumentList.Add(a);
    using var child = Process.Start(info)!;
    var line = child.StandardOutput.ReadToEnd().Split('\n').Last(l => l.StartsWith('{'));
    child.WaitForExit();
    return JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line)!;
}

namespace RayGen.Benchmarks.Data
{
    internal static class Variant
    {
        public static int Run(string variant, string work, string folder, int cpus, string[] paths)
        {
            Func<Trip, double> feature = work == "heavy" ? Workload.Heavy : Workload.Light;
            var clock = Stopwatch.StartNew();
            long rows;
            SortedDictionary<string, (double Sum, long Count)> answer;
            long workersPeak = 0;
            double init = 0;
            switch (variant)
            {
                case "linq":
                {
                    var kept = paths.SelectMany(Read).Where(Workload.Keep).Select(t => (t.Zone, feature(t))).ToList();
                    rows = kept.Count;
                    answer = Workload.Merge(kept);
                    break;
                }
                case "parallel":
                {
                    var parts = new List<(string, double)>[paths.Length];
                    Parallel.For(0, paths.Length, new ParallelOptions { MaxDegreeOfParallelism = cpus },
                        i => parts[i] = Read(paths[i]).Where(Workload.Keep).Select(t => (t.Zone, feature(t))).ToList());
                    rows = parts.Sum(p => p.Count);
                    answer = Workload.Merge(parts.SelectMany(p => p));
                    break;
                }
                default:
                {
                    using var ray = Ray.Init(new RayOptions { NumCpus = cpus });
                    init = clock.Elapsed.TotalSeconds;
                    DataContext.Current.ShowProgress = false;
                    var kept = RayData.ReadCsv<Trip>(Path.Combine(folder, Path.GetFileName(paths[0]).Replace("-0.csv", "-*.csv", StringComparison.Ordinal)))
                        .Filter(static t => Workload.Keep(t));
                    var features = work == "heavy"
                        ? kept.Map(static t => (t.Zone, Workload.Heavy(t)))
                        : kept.Map(static t => (t.Zone, Workload.Light(t)));
                    var grouped = features.GroupBy(static r => r.Zone)
                        .Aggregate(static () => (0.0, 0L), static (acc, r) => (acc.Item1 + r.Item2, acc.Item2 + 1), static (a, b) => (a.Item1 + b.Item1, a.Item2 + b.Item2));
                    answer = new SortedDictionary<string, (double, long)>(StringComparer.Ordinal);
                    foreach (var (zone, value) in grouped.IterRows()) answer[zone] = value;
                    rows = answer.Values.Sum(v => v.Count);
                    workersPeak = WorkersPeak();
                    break;
                }
            }

            var seconds = clock.Elapsed.TotalSeconds;
            var peak = (SelfPeak() + workersPeak) / (1024.0 * 1024.0);
            var summary = string.Join(" ", answer.Take(2).Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Key}={a.Value.Sum / a.Value.Count:0.0000}/{a.Value.Count}")));
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["rows"] = rows, ["seconds"] = seconds, ["peak_mib"] = peak, ["answer"] = summary, ["init_s"] = init }));
            return 0;
        }

        private static IEnumerable<Trip> Read(string path)
        {
            using var stream = File.OpenRead(path);
            using var reader = CsvReader.Create(stream, new CsvReaderOptions { FormatProvider = CultureInfo.InvariantCulture });
            foreach (var trip in reader.GetRecords<Trip>()) yield return trip;
        }

        /// <summary>This process's peak resident memory (VmHWM).</summary>
        private static long SelfPeak() => Hwm("/proc/self/status");

        /// <summary>The peak resident memory of this process's children (the workers), summed; shared store pages count in each that maps them.</summary>
        private static long WorkersPeak()
        {
            long total = 0;
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                    if (parent == Environment.ProcessId) total += Hwm(Path.Combine(dir, "status"));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
                {
                }
            }

            return total;
        }

        private static long Hwm(string status)
        {
            foreach (var line in File.ReadLines(status))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }

            return 0;
        }
    }
}
