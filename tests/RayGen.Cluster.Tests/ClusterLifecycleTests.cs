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
        (_state, _address, _token) = Raygen.StartHead("lifecycle-tests", "--num-cpus", "1");
    }

    [OneTimeTearDown]
    public void StopTheCluster() => Raygen.StopCluster(_state);

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
    public void A_driver_killed_with_SIGKILL_leaves_no_job_host_on_any_node_and_its_CPUs_come_back()
    {
        using var observer = Ray.Init(new RayOptions { Address = _address, Token = _token }); // reads the figures; runs nothing
        var total = Ray.ClusterResources()["CPU"];
        var others = Raygen.JobHosts(_state); // other drivers' (a detached actor's job host stays by design)
        var driver = StartDriver();
        try
        {
            var hosts = Raygen.JobHosts(_state).Except(others).ToList();
            Assert.That(hosts, Is.Not.Empty, "the driver's work runs in job hosts of the nodes");
            Assert.That(() => Ray.AvailableResources().GetValueOrDefault("CPU"), Is.LessThan(total).After(10_000, 100),
                "its endless task holds a CPU, which the node reports as used");
            driver.Kill(); // SIGKILL: the driver says nothing to anyone
            driver.WaitForExit();

            // The nodes end a job whose driver went quiet for its lease (15 s); allow for their checks and a loaded machine.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
            while (hosts.Any(Raygen.IsRunning) && DateTime.UtcNow < deadline) Thread.Sleep(250);
            Assert.That(hosts.Where(Raygen.IsRunning), Is.Empty, "every job host of the dead driver ended");
            Assert.That(Raygen.JobHosts(_state).Except(others), Is.Empty);
            Assert.That(() => Ray.AvailableResources().GetValueOrDefault("CPU"), Is.EqualTo(total).After(10_000, 100), "the cluster's CPUs are all free again");
        }
        finally
        {
            if (!driver.HasExited) driver.Kill(entireProcessTree: true);
        }
    }

    [Test]
    public void A_named_actor_made_by_one_driver_is_found_by_another_in_the_same_namespace_only()
    {
        using var ray = Ray.Init(new RayOptions { Address = _address, Token = _token, Namespace = "team" });
        var shared = Holder.Remote.With(new RemoteOptions { Name = "shared" }).New();
        Assert.That(shared.Increment().Get(), Is.EqualTo(1));
        Assert.That(RunDriver("lookup", "team", "shared"), Does.Contain("count=2"));
        Assert.That(RunDriver("lookup", "elsewhere", "shared"), Does.Contain("error=No live actor is named \"shared\""));
        Assert.That(shared.Increment().Get(), Is.EqualTo(3), "the other driver called this same instance");
    }

    [Test]
    public void A_name_another_driver_holds_is_refused_at_creation()
    {
        using var ray = Ray.Init(new RayOptions { Address = _address, Token = _token, Namespace = "unique" });
        var first = Holder.Remote.With(new RemoteOptions { Name = "only" }).New();
        Assert.That(first.Increment().Get(), Is.EqualTo(1));
        Assert.That(RunDriver("named", "unique", "only", "attached", "1"), Does.Contain("already exists in namespace \"unique\""));
        Assert.That(first.Increment().Get(), Is.EqualTo(2));
    }

    [Test]
    public void A_detached_actor_outlives_its_driver_until_another_driver_kills_it()
    {
        Assert.That(RunDriver("named", "keepers", "keeper", "detached", "2"), Does.Contain("count=2"));
        using var ray = Ray.Init(new RayOptions { Address = _address, Token = _token, Namespace = "keepers" });
        var keeper = Ray.GetActor<Holder>("keeper");
        Assert.That(keeper.Increment().Get(), Is.EqualTo(3), "its state outlived the driver that made it");

        Ray.Kill(keeper);
        Assert.That(() => keeper.Increment().Get(), Throws.InstanceOf<ActorDiedException>());
        Assert.That(() => Ray.GetActor<Holder>("keeper"), Throws.InstanceOf<RayException>().With.Message.Contains("No live actor").After(10_000, 100),
            "its name is free once it is killed");
    }

    [Test]
    public void A_named_actor_that_is_not_detached_ends_with_its_driver()
    {
        Assert.That(RunDriver("named", "brief", "passing", "attached", "1"), Does.Contain("count=1"));
        using var ray = Ray.Init(new RayOptions { Address = _address, Token = _token, Namespace = "brief" });
        Assert.That(() => Ray.GetActor<Holder>("passing"), Throws.InstanceOf<RayException>().With.Message.Contains("No live actor"));
    }

    [Test]
    public void Two_drivers_with_different_builds_of_one_program_run_side_by_side_each_on_its_own_code()
    {
        var scratch = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"raygen-builds-{Guid.NewGuid():N}")).FullName;
        try
        {
            // Build B: a copy of the program whose assembly differs in one constant (its text, patched in place), so its
            // code answers differently and its folder hashes differently.
            var folder = Path.GetDirectoryName(typeof(ClusterLifecycleTests).Assembly.Location)!;
            var a = CopyFolder(folder, Path.Combine(scratch, "a"));
            var b = CopyFolder(folder, Path.Combine(scratch, "b"));
            var assembly = Path.Combine(b, "RayGen.Cluster.TestDriver.dll");
            File.WriteAllBytes(assembly, Replace(File.ReadAllBytes(assembly), "RAYGEN-BUILD-A", "RAYGEN-BUILD-B"));
            var gate = Path.Combine(scratch, "gate");
            var codeBefore = CodeFolders();
            var hostsBefore = Raygen.JobHosts(_state);

            var first = Process.Start(DriverStart("build", [gate], a))!;
            var second = Process.Start(DriverStart("build", [gate], b))!;
            try
            {
                var answerA = Raygen.ReadUntil(first, "build=");
                var answerB = Raygen.ReadUntil(second, "build=");
                Assert.That(answerA, Does.StartWith("build=RAYGEN-BUILD-A|127.0.0.1:"), "build A's code ran on a node");
                Assert.That(answerB, Does.StartWith("build=RAYGEN-BUILD-B|127.0.0.1:"), "build B's code ran on a node, at the same time");
                Assert.That(Raygen.JobHosts(_state).Except(hostsBefore).Count(), Is.EqualTo(2), "a job host for each driver, both running");
                Assert.That(CodeFolders().Except(codeBefore).Count(), Is.EqualTo(2), "each build shipped and cached under its own hash");
            }
            finally
            {
                File.WriteAllText(gate, "");
                foreach (var driver in new[] { first, second })
                {
                    if (!driver.WaitForExit(TimeSpan.FromSeconds(60))) driver.Kill(entireProcessTree: true);
                }
            }

            Assert.That(CodeFolders, Is.EquivalentTo(codeBefore).After(30_000, 200), "each build was deleted from the node once no job ran it");
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    // <state>/code/<node id>/<hash>: each node keeps the builds it was shipped in a folder of its own.
    private string[] CodeFolders() => Directory.Exists(Path.Combine(_state, "code"))
        ? Directory.GetDirectories(Path.Combine(_state, "code")).SelectMany(Directory.GetDirectories).ToArray()
        : [];

    private static string CopyFolder(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(dir.Replace(from, to, StringComparison.Ordinal));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories)) File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
        return to;
    }

    /// <summary>Every UTF-16 occurrence of <paramref name="text"/> (how .NET stores string constants) replaced by one of the same length.</summary>
    private static byte[] Replace(byte[] bytes, string text, string with)
    {
        var find = System.Text.Encoding.Unicode.GetBytes(text);
        var put = System.Text.Encoding.Unicode.GetBytes(with);
        var found = 0;
        for (var i = bytes.AsSpan().IndexOf(find); i >= 0; i = bytes.AsSpan(i + 1).IndexOf(find) is var next and >= 0 ? i + 1 + next : -1)
        {
            put.CopyTo(bytes, i);
            found++;
        }

        Assert.That(found, Is.GreaterThan(0), $"the assembly holds \"{text}\"");
        return bytes;
    }

    /// <summary>Runs the test driver to its end; its output (stdout, then stderr).</summary>
    private string RunDriver(string mode, params string[] rest)
    {
        var driver = Process.Start(DriverStart(mode, rest))!;
        var output = driver.StandardOutput.ReadToEndAsync();
        var error = driver.StandardError.ReadToEndAsync();
        if (!driver.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            driver.Kill(entireProcessTree: true);
            Assert.Fail($"the test driver ({mode}) did not finish within 90 s");
        }

        return output.Result + error.Result;
    }

    private ProcessStartInfo DriverStart(string mode, string[] rest, string? folder = null) => Raygen.TestDriver(_address, _token, mode, rest, folder);

    private Process StartDriver()
    {
        var driver = Process.Start(DriverStart("hold", []))!;
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
}
