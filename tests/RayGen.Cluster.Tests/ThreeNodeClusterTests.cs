using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using NUnit.Framework;

namespace RayGen.Cluster.Tests;

/// <summary>
/// One real cluster for the whole fixture: a head and two nodes with different resources, each a process the
/// raygen tool started on loopback; this test process is the driver.
/// </summary>
[TestFixture]
[UnsupportedOSPlatform("windows")]
[NonParallelizable]
public partial class ThreeNodeClusterTests
{
    private string _state = null!;
    private string _address = null!;
    private string _token = null!;

    private static readonly Dictionary<string, double> HeadResources = new() { ["CPU"] = 1, ["a"] = 1 };
    private static readonly Dictionary<string, double> SecondResources = new() { ["CPU"] = 2, ["b"] = 2 };
    private static readonly Dictionary<string, double> ThirdResources = new() { ["CPU"] = 3, ["GPU"] = 1 };

    [OneTimeSetUp]
    public void StartACluster()
    {
        (_state, _address, _token) = Raygen.StartHead("cluster-tests", "--num-cpus", "1", "--resources", "a=1");
        Raygen.Succeed(_state, "start", "--address", _address, "--token", _token, "--num-cpus", "2", "--resources", "b=2");
        Raygen.Succeed(_state, "start", "--address", _address, "--token", _token, "--num-cpus", "3", "--num-gpus", "1");
    }

    [OneTimeTearDown]
    public void StopTheCluster() => Raygen.StopCluster(_state);

    [TearDown]
    public void ShutDownTheDriver() => Ray.Shutdown();

    [Test]
    public void The_head_wrote_its_address_and_token_to_a_file_only_its_user_can_read()
    {
        var file = Path.Combine(_state, "cluster.json");
        Assert.That(File.GetUnixFileMode(file), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
        Assert.That(File.GetUnixFileMode(_state), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
        Assert.That(File.ReadAllText(file), Does.Contain(_address).And.Contain(_token));
    }

    [Test]
    public void Status_lists_three_alive_nodes_with_their_resources()
    {
        var status = Raygen.Succeed(_state, "status");
        Assert.That(status.Output, Does.Contain($"Cluster at {_address}: 3 nodes, 3 alive"), status.ToString());
        var rows = status.Output.Split('\n').Where(l => l.Contains(" alive ", StringComparison.Ordinal)).ToList();
        Assert.That(rows, Has.Count.EqualTo(3), status.ToString());
        Assert.That(rows.Single(r => r.Contains(" head ", StringComparison.Ordinal)), Does.Contain(_address).And.EndWith("CPU 0/1, a 0/1"));
        Assert.That(rows, Has.One.EndsWith("CPU 0/2, b 0/2"));
        Assert.That(rows, Has.One.EndsWith("CPU 0/3, GPU 0/1"));

        // The same from another machine's point of view: address and token given.
        var remote = Raygen.Succeed(_state, "status", "--address", _address, "--token", _token);
        Assert.That(remote.Output, Does.Contain("3 nodes, 3 alive"));
    }

    [Test]
    public void A_driver_connects_and_sees_the_same_nodes_and_resources()
    {
        using var ray = Ray.Init(new RayOptions { Address = _address, Token = _token });
        var nodes = Ray.Nodes();
        Assert.That(nodes, Has.Count.EqualTo(3));
        Assert.That(nodes.All(n => n.IsAlive), Is.True);
        Assert.That(nodes.Select(n => n.NodeId).Distinct().Count(), Is.EqualTo(3));
        var head = nodes.Single(n => n.IsHead);
        Assert.That(head.Address, Is.EqualTo(_address));
        Assert.That(head.Resources, Is.EquivalentTo(HeadResources));
        Assert.That(nodes.Where(n => !n.IsHead).Select(n => n.Resources),
            Has.One.EquivalentTo(SecondResources).And.One.EquivalentTo(ThirdResources));

        var total = new Dictionary<string, double> { ["CPU"] = 6, ["GPU"] = 1, ["a"] = 1, ["b"] = 2 };
        Assert.That(Ray.ClusterResources(), Is.EquivalentTo(total));
        Assert.That(Ray.AvailableResources(), Is.EquivalentTo(total));
    }

    [Test]
    public void Auto_finds_the_cluster_this_machine_started()
    {
        var before = Environment.GetEnvironmentVariable("RAYGEN_STATE_DIR");
        Environment.SetEnvironmentVariable("RAYGEN_STATE_DIR", _state);
        try
        {
            using var ray = Ray.Init(new RayOptions { Address = "auto" });
            Assert.That(Ray.Nodes(), Has.Count.EqualTo(3));
        }
        finally
        {
            Environment.SetEnvironmentVariable("RAYGEN_STATE_DIR", before);
        }
    }

    [Test]
    public void A_wrong_token_is_refused_with_a_clear_error_and_the_cluster_goes_on_serving()
    {
        var error = Assert.Throws<RayException>(() => Ray.Init(new RayOptions { Address = _address, Token = "not-the-token" }))!;
        Assert.That(error.Message, Does.Contain("wrong token").And.Contain(_address));
        Assert.That(Ray.IsInitialized, Is.False);

        var status = Raygen.Run(_state, "status", "--address", _address, "--token", "not-the-token");
        Assert.That(status.ExitCode, Is.EqualTo(1), status.ToString());
        Assert.That(status.Error, Does.Contain("wrong token"));

        var join = Raygen.Run(_state, "start", "--address", _address, "--token", "not-the-token");
        Assert.That(join.ExitCode, Is.EqualTo(1), join.ToString());
        Assert.That(join.Error, Does.Contain("wrong token"));

        using var ray = Ray.Init(new RayOptions { Address = _address, Token = _token });
        Assert.That(Ray.Nodes(), Has.Count.EqualTo(3));
    }

    [Test]
    public void An_address_where_nothing_answers_is_a_clear_error()
    {
        var nothing = $"127.0.0.1:{FreePort()}";
        var error = Assert.Throws<RayException>(() => Ray.Init(new RayOptions { Address = nothing, Token = _token }))!;
        Assert.That(error.Message, Does.Contain(nothing).And.Contain("Nothing answers"));
    }

    [Test]
    public void Bad_flags_are_refused_with_the_problem_named()
    {
        var noToken = Raygen.Run(_state, "start", "--address", _address);
        Assert.That(noToken.ExitCode, Is.EqualTo(2));
        Assert.That(noToken.Error, Does.Contain("--token"));
        var badTimeout = Raygen.Run(_state, "start", "--head", "--failure-timeout", "0.5");
        Assert.That(badTimeout.ExitCode, Is.EqualTo(2));
        Assert.That(badTimeout.Error, Does.Contain("--failure-timeout").And.Contain("at least 1"));
        var badResources = Raygen.Run(_state, "start", "--head", "--resources", "a");
        Assert.That(badResources.ExitCode, Is.EqualTo(2));
        Assert.That(badResources.Error, Does.Contain("name=amount"));
        var secondHead = Raygen.Run(_state, "start", "--head", "--port", _address.Split(':')[1], "--node-ip-address", "127.0.0.1");
        Assert.That(secondHead.ExitCode, Is.EqualTo(1));
        Assert.That(secondHead.Error, Does.Contain("already runs"));
    }

    internal static int FreePort() => Raygen.FreePort();
}
