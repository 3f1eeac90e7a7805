using System;
using System.Linq;
using NUnit.Framework;

namespace RayGen.Tests;

/// <summary>
/// The cluster API on a local runtime (one node: this machine), and an address given to an application that does
/// not reference RayGen.Cluster (this test project does not). Manages the runtime itself.
/// </summary>
[TestFixtureSource(typeof(Modes), nameof(Modes.All))]
[NonParallelizable]
public class ClusterApiTests
{
    private readonly RayMode _mode;

    public ClusterApiTests(RayMode mode) => _mode = mode;

    [TearDown]
    public void Stop() => Ray.Shutdown();

    [Test]
    public void A_local_runtime_is_one_alive_head_node_with_the_runtimes_resources()
    {
        using var ray = Ray.Init(new RayOptions { Mode = _mode, NumCpus = 3, NumGpus = 1, Resources = new System.Collections.Generic.Dictionary<string, double> { ["disk"] = 2 } });
        var nodes = Ray.Nodes();
        Assert.That(nodes, Has.Count.EqualTo(1));
        var node = nodes[0];
        Assert.That(node.IsHead && node.IsAlive, Is.True);
        Assert.That(node.NodeId, Is.Not.Empty);
        Assert.That(node.Resources, Is.EquivalentTo(new System.Collections.Generic.Dictionary<string, double> { ["CPU"] = 3, ["GPU"] = 1, ["disk"] = 2 }));
        Assert.That(Ray.ClusterResources(), Is.EquivalentTo(node.Resources));
        Assert.That(Ray.AvailableResources(), Is.EquivalentTo(node.Resources));
    }

    [Test]
    public void An_address_without_the_cluster_package_is_an_error_that_names_the_package()
    {
        var error = Assert.Throws<RayException>(() => Ray.Init(new RayOptions { Mode = _mode, Address = "127.0.0.1:6380", Token = "t" }))!;
        Assert.That(error.Message, Does.Contain("RayGen.Cluster").And.Contain("127.0.0.1:6380"));
        Assert.That(Ray.IsInitialized, Is.False);
    }

    [Test]
    public void RAYGEN_ADDRESS_counts_as_the_address_when_the_options_give_none()
    {
        var before = Environment.GetEnvironmentVariable("RAYGEN_ADDRESS");
        Environment.SetEnvironmentVariable("RAYGEN_ADDRESS", "10.1.2.3:6380");
        try
        {
            Assert.That(() => Ray.Init(new RayOptions { Mode = _mode }),
                Throws.InstanceOf<RayException>().With.Message.Contains("RayGen.Cluster").And.Message.Contains("10.1.2.3:6380"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("RAYGEN_ADDRESS", before);
        }

        using var local = Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
        Assert.That(Ray.Nodes().Single().Resources["CPU"], Is.EqualTo(1));
    }
}
