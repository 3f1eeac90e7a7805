using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using NUnit.Framework;

namespace RayGen.Benchmarks.Tests;

/// <summary>
/// CI runs the benchmark harness only as a smoke test: a --quick run of a few metrics must produce well-formed
/// JSON with a positive rate for each. No thresholds: shared CI machines are too noisy for them.
/// </summary>
[TestFixture]
[NonParallelizable]
public class HarnessSmokeTests
{
    private static readonly string[] Metrics =
    {
        "uds_pingpong_8b_sync", "taskrun_roundtrip_sync", "single_client_tasks_sync", "1_1_actor_calls_async", "single_client_put_calls_Plasma_Store",
        "zero_copy_view_1MiB",
    };

    private static JsonElement s_results;
    private static string s_output = "";

    [OneTimeSetUp]
    public void RunHarnessOnce()
    {
        var json = Path.Combine(Path.GetTempPath(), $"raygen-bench-smoke-{Environment.ProcessId}.json");
        var info = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) != "dotnet") info.FileName = "dotnet";
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "RayGen.Benchmarks.dll"));
        foreach (var a in new[] { "--quick", "--no-peers", "--cpus", "2", "--json", json, "--filter", string.Join(',', Metrics) }) info.ArgumentList.Add(a);
        using var harness = Process.Start(info)!;
        var stdout = harness.StandardOutput.ReadToEndAsync();
        var stderr = harness.StandardError.ReadToEndAsync();
        if (!harness.WaitForExit(120_000))
        {
            harness.Kill(entireProcessTree: true);
            Assert.Fail("the harness did not finish within two minutes: " + stdout.Result + stderr.Result);
        }

        s_output = stdout.Result + stderr.Result;
        Assert.That(harness.ExitCode, Is.Zero, s_output);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        s_results = doc.RootElement.Clone();
        File.Delete(json);
    }

    [Test]
    public void The_JSON_names_the_run_and_lists_results()
    {
        Assert.That(s_results.GetProperty("meta").GetProperty("quick").GetBoolean(), Is.True);
        Assert.That(s_results.GetProperty("meta").GetProperty("cpus").GetInt32(), Is.EqualTo(2));
        Assert.That(s_results.GetProperty("results").GetArrayLength(), Is.GreaterThan(0), s_output);
    }

    [Test]
    public void Every_requested_metric_is_measured_in_its_groups()
    {
        var seen = s_results.GetProperty("results").EnumerateArray()
            .Select(r => r.GetProperty("group").GetString() + "/" + r.GetProperty("name").GetString()).ToList();
        Assert.That(seen, Does.Contain("limit/uds_pingpong_8b_sync"));
        Assert.That(seen, Does.Contain("limit/taskrun_roundtrip_sync"));
        foreach (var group in new[] { "processes", "inprocess" })
        {
            Assert.That(seen, Does.Contain(group + "/single_client_tasks_sync"));
            Assert.That(seen, Does.Contain(group + "/1_1_actor_calls_async"));
            Assert.That(seen, Does.Contain(group + "/single_client_put_calls_Plasma_Store"));
            Assert.That(seen, Does.Contain(group + "/zero_copy_view_1MiB"));
        }
    }

    [Test]
    public void Every_rate_is_positive_with_one_figure_per_round()
    {
        foreach (var r in s_results.GetProperty("results").EnumerateArray())
        {
            var name = r.GetProperty("name").GetString();
            Assert.That(r.GetProperty("mean").GetDouble(), Is.GreaterThan(0), name);
            Assert.That(r.GetProperty("sd").GetDouble(), Is.GreaterThanOrEqualTo(0), name);
            var rounds = r.GetProperty("rounds").EnumerateArray().Select(x => x.GetDouble()).ToList();
            Assert.That(rounds, Has.Count.EqualTo(2), name);
            Assert.That(rounds, Has.All.GreaterThan(0), name);
        }
    }
}
