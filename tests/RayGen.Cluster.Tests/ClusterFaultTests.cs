using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;

namespace RayGen.Cluster.Tests;

/// <summary>
/// Nodes killed with SIGKILL while they run a driver's work, on a cluster whose failure timeout is 3 s (the
/// <c>--failure-timeout</c> flag), so the cluster declares them dead within seconds. Each test starts the nodes it
/// kills; the head (one CPU, no "r") stays.
/// </summary>
[TestFixture]
[UnsupportedOSPlatform("windows")]
[NonParallelizable]
public class ClusterFaultTests
{
    private const string FailureTimeout = "3";
    private static readonly RemoteOptions OnR = new() { Resources = new Dictionary<string, double> { ["r"] = 1 } };
    private string _state = null!;
    private string _address = null!;
    private string _token = null!;
    private string _scratch = null!;

    [OneTimeSetUp]
    public void StartAHead()
    {
        _scratch = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"raygen-fault-scratch-{Guid.NewGuid():N}")).FullName;
        (_state, _address, _token) = Raygen.StartHead("fault-tests", "--num-cpus", "1", "--failure-timeout", FailureTimeout);
    }

    [OneTimeTearDown]
    public void StopTheCluster()
    {
        Raygen.StopCluster(_state);
        if (_scratch is not null) Directory.Delete(_scratch, recursive: true);
    }

    [TearDown]
    public void ShutDownTheDriver() => Ray.Shutdown();

    private void StartNodes(int count)
    {
        for (var i = 0; i < count; i++)
            Raygen.Succeed(_state, "start", "--address", _address, "--token", _token, "--num-cpus", "1", "--resources", "r=1", "--failure-timeout", FailureTimeout);
    }

    private RayRuntime Connect() => Ray.Init(new RayOptions { Address = _address, Token = _token });

    /// <summary>SIGKILL to the node process at <paramref name="address"/> (its job host and workers follow it: their sockets close).</summary>
    private string Kill(string address)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(_state, "nodes"), "*.json"))
        {
            using var record = JsonDocument.Parse(File.ReadAllText(file));
            if (record.RootElement.GetProperty("Address").GetString() != address) continue;
            var pid = record.RootElement.GetProperty("Pid").GetInt32();
            var nodeId = record.RootElement.GetProperty("NodeId").GetString()!;
            System.Diagnostics.Process.GetProcessById(pid).Kill();
            return nodeId;
        }

        Assert.Fail($"no node of this cluster has the address {address}");
        return "";
    }

    private string WaitForMark(string mark)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!File.Exists(mark) && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.That(File.Exists(mark), Is.True, "the task started somewhere");
        return File.ReadAllText(mark);
    }

    [Test]
    public void A_long_task_on_a_killed_node_runs_again_on_another_node_and_returns()
    {
        StartNodes(2);
        using var ray = Connect();
        var mark = Path.Combine(_scratch, "rerun.mark");
        var gate = Path.Combine(_scratch, "rerun.gate");
        var result = ClusterWork.Remote.With(OnR).MarkThenHold(mark, gate);
        var first = WaitForMark(mark);
        Kill(first);
        File.WriteAllText(gate, "");
        var second = result.Get(TimeSpan.FromSeconds(60));
        Assert.That(second, Is.Not.EqualTo(first), "it ran again on a node that lives");
    }

    [Test]
    public void With_MaxRetries_0_a_task_on_a_killed_node_fails_with_NodeDiedException_naming_the_node()
    {
        StartNodes(1);
        using var ray = Connect();
        var mark = Path.Combine(_scratch, "noretry.mark");
        var gate = Path.Combine(_scratch, "noretry.gate");
        var result = ClusterWork.Remote.With(new RemoteOptions { Resources = OnR.Resources, MaxRetries = 0 }).MarkThenHold(mark, gate);
        var nodeId = Kill(WaitForMark(mark));
        var error = Assert.Throws<NodeDiedException>(() => result.Get(TimeSpan.FromSeconds(60)))!;
        Assert.That(error.NodeId, Is.EqualTo(nodeId));
        Assert.That(error.Message, Does.Contain(nodeId));
        Assert.That(error, Is.InstanceOf<WorkerCrashedException>());
    }

    [Test]
    public void A_64_MiB_result_whose_node_died_before_the_driver_read_it_is_rebuilt_by_running_its_task_again()
    {
        StartNodes(2);
        using var ray = Connect();
        var held = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = true;
        RayGen.Cluster.Driver.ClusterBackend.BeforePull = async node =>
        {
            if (!first) return;
            first = false;
            held.TrySetResult(node);
            await resume.Task;
        };
        try
        {
            const int length = 64 * 1024 * 1024;
            var result = ClusterWork.Remote.With(OnR).Pattern(length);
            Assert.That(held.Task.Wait(TimeSpan.FromSeconds(60)), Is.True, "the task finished and its node holds the value");
            var holder = Ray.Nodes().Single(n => n.NodeId == held.Task.Result);
            Kill(holder.Address);
            resume.SetResult();

            var bytes = result.Get(TimeSpan.FromSeconds(90));
            Assert.That(bytes, Has.Length.EqualTo(length));
            for (var i = 0; i < length; i += 65_521) Assert.That(bytes[i], Is.EqualTo((byte)(i * 31 + 7)), $"byte {i}");
        }
        finally
        {
            RayGen.Cluster.Driver.ClusterBackend.BeforePull = null;
            resume.TrySetResult();
        }
    }

    [Test]
    public void An_actor_on_a_killed_node_restarts_on_another_with_fresh_state_and_a_second_kill_ends_it()
    {
        StartNodes(3);
        using var ray = Connect();
        // MaxTaskRetries: a call in flight when the node dies runs again on the restarted actor (Ray's max_task_retries).
        var counter = NodeCounter.Remote.With(new RemoteOptions { Resources = OnR.Resources, MaxRestarts = 1, MaxTaskRetries = 1 }).New(10);
        Assert.That(counter.Increment().Get(), Is.EqualTo(11));
        var first = counter.Where().Get();
        Kill(first);

        // A call made while the node is being declared dead runs on the restarted actor, whose constructor ran again elsewhere.
        Assert.That(counter.Increment().Get(TimeSpan.FromSeconds(60)), Is.EqualTo(11), "a fresh instance, built by its constructor again");
        var second = counter.Where().Get();
        Assert.That(second, Is.Not.EqualTo(first));

        Kill(second);
        Assert.That(() => counter.Increment().Get(TimeSpan.FromSeconds(60)), Throws.InstanceOf<ActorDiedException>().With.Message.Contains("restarts used: 1 of 1"));
    }
}
