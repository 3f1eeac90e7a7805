using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using System.Threading;
using NUnit.Framework;

namespace RayGen.Cluster.Tests;

/// <summary>The head killed with SIGKILL: a RayGen cluster ends with it (as Ray's without GCS fault tolerance), loudly.</summary>
[TestFixture]
[UnsupportedOSPlatform("windows")]
[NonParallelizable]
public class HeadDeathTests
{
    private static readonly TimeSpan FailureTimeout = TimeSpan.FromSeconds(3);
    private string _state = null!;

    [OneTimeTearDown]
    public void StopWhatIsLeft() => Raygen.StopCluster(_state);

    [Test]
    public void Killing_the_head_fails_the_drivers_next_call_with_a_clear_error_and_stops_the_other_nodes()
    {
        var timeout = FailureTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        (_state, var address, var token) = Raygen.StartHead("head-death-tests", "--num-cpus", "1", "--failure-timeout", timeout);
        var headPid = Raygen.NodePids(_state).Single();
        Raygen.Succeed(_state, "start", "--address", address, "--token", token, "--num-cpus", "1", "--failure-timeout", timeout);
        var nodePid = Raygen.NodePids(_state).Single(p => p != headPid);

        using var ray = Ray.Init(new RayOptions { Address = address, Token = token });
        Assert.That(ClusterWork.Remote.Add(1, 2).Get(), Is.EqualTo(3));
        System.Diagnostics.Process.GetProcessById(headPid).Kill();

        // The driver's next call fails, saying the head is gone, within the failure timeout and the driver's checks.
        var started = DateTime.UtcNow;
        var error = Assert.Throws(Is.InstanceOf<RayException>(), () => ClusterWork.Remote.Add(2, 3).Get(TimeSpan.FromSeconds(60)))!;
        Assert.That(error.Message, Does.Contain($"The cluster's head at {address} stopped answering").And.Contain("raygen start --head"));
        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(45)), "it failed well before the Get's own timeout");

        // The other node notices too and stops with the reason in its log, instead of waiting forever.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        while (Raygen.IsRunning(nodePid) && DateTime.UtcNow < deadline) Thread.Sleep(200);
        Assert.That(Raygen.IsRunning(nodePid), Is.False, "the node stopped on its own");
        Assert.That(Raygen.Logs(_state), Does.Contain("a RayGen cluster ends with its head"));
    }
}
