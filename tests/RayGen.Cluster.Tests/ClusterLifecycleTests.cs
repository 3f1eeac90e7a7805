using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Threading;
using NUnit.Framework;

namespace RayGen.Cluster.Tests;

/// <summary>
/// A cluster that changes while drivers use it: a node joins that a waiting task needs, a driver dies by SIGKILL.
/// Its own cluster (a head with one CPU), since nodes join it.
/// </summary>
[TestFixture]
[UnsupportedOSPlatform("windows")]
[NonParallelizable]
public class ClusterLifecycleTests
{
    private string _state = null!;
    private string _address = null!;
    private string _token = null!;

    [OneTimeSetUp]
    public void StartAHead()
    {
        _state = Path.Combine(Path.GetTempPath(), $"raygen-lifecycle-tests-{Guid.NewGuid():N}");
        var head = Raygen.Succeed(_state, "start", "--head", "--port", ThreeNodeClusterTests.FreePort().ToString(CultureInfo.InvariantCulture),
            "--node-ip-address", "127.0.0.1", "--num-cpus", "1");
        _address = head.Line("address");
        _token = head.Line("token");
    }

    [OneTimeTearDown]
    public void StopTheCluster()
    {
        Ray.Shutdown();
        if (_state is null) return;
        if (TestContext.CurrentContext.Result.FailCount > 0) TestContext.Progress.WriteLine(Raygen.Logs(_state));
        Raygen.Run(_state, "stop");
    }

    [TearDown]
    public void ShutDownTheDriver() => Ray.Shutdown();

    [Test]
    public void A_task_no_node_can_fit_waits_until_a_node_that_fits_joins_then_runs_there()
    {
        using var ray = Ray.Init(new RayOptions { Address = _address, Token = _token });
        var big = ClusterWork.Remote.With(new RemoteOptions { NumCpus = 2 }).WhereAmI();
        Assert.That(Ray.Wait(new[] { big }, timeout: TimeSpan.FromSeconds(1)).Ready, Is.Empty, "no node has 2 CPUs yet");

        Raygen.Succeed(_state, "start", "--address", _address, "--token", _token, "--num-cpus", "2", "--resources", "joined=1");
        var joined = Ray.Nodes().Single(n => n.Resources.ContainsKey("joined"));
        Assert.That(big.Get(TimeSpan.FromSeconds(60)), Does.StartWith(joined.Address + "|"));
    }

    [Test]
    public void A_driver_killed_with_SIGKILL_leaves_no_job_host_on_any_node()
    {
        var driver = StartDriver();
        try
        {
            var hosts = JobHosts();
            Assert.That(hosts, Is.Not.Empty, "the driver's work runs in job hosts of the nodes");
            driver.Kill(); // SIGKILL: the driver says nothing to anyone
            driver.WaitForExit();

            // The nodes end a job whose driver went quiet for its lease (15 s); allow for their checks and a loaded machine.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
            while (hosts.Any(Raygen.IsRunning) && DateTime.UtcNow < deadline) Thread.Sleep(250);
            Assert.That(hosts.Where(Raygen.IsRunning), Is.Empty, "every job host of the dead driver ended");
            Assert.That(JobHosts(), Is.Empty);
        }
        finally
        {
            if (!driver.HasExited) driver.Kill(entireProcessTree: true);
        }
    }

    private Process StartDriver()
    {
        var folder = Path.GetDirectoryName(typeof(ClusterLifecycleTests).Assembly.Location)!;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(folder, "RayGen.Cluster.TestDriver.dll"));
        start.ArgumentList.Add(_address);
        start.ArgumentList.Add(_token);
        var driver = Process.Start(start)!;
        var output = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        string? line;
        while ((line = driver.StandardOutput.ReadLine()) is not null)
        {
            output.Add(line);
            if (line == "ready") return driver;
            if (DateTime.UtcNow > deadline) break;
        }

        driver.Kill(entireProcessTree: true);
        Assert.Fail($"the test driver never got ready:\n{string.Join('\n', output)}\n{driver.StandardError.ReadToEnd()}");
        return driver;
    }

    /// <summary>The job host processes the cluster's nodes run now (children of node processes started with --job-host).</summary>
    private List<int> JobHosts()
    {
        var nodes = Raygen.NodePids(_state).ToHashSet();
        var hosts = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                if (!File.ReadAllText(Path.Combine(dir, "cmdline")).Contains("--job-host", StringComparison.Ordinal)) continue;
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                if (nodes.Contains(parent) && Raygen.IsRunning(pid)) hosts.Add(pid);
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
        }

        return hosts;
    }
}
