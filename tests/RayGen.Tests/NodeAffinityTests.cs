using NUnit.Framework;
using RayGen.Tests.Remotes;

namespace RayGen.Tests;

/// <summary>SchedulingStrategy.NodeAffinity on a runtime without a cluster: one node, whose id Ray.Nodes() gives.</summary>
[TestFixtureSource(typeof(Modes), nameof(Modes.All))]
public class NodeAffinityTests : RuntimeFixture
{
    public NodeAffinityTests(RayMode mode) : base(mode) { }

    // Looks like a node id, but no node has it.
    private const string UnknownNode = "0123456789abcdef0123456789abcdef00000000000000ff";

    private static RemoteOptions On(string nodeId, bool soft) =>
        new() { SchedulingStrategy = SchedulingStrategy.NodeAffinity(nodeId, soft) };

    private static string LocalNode => Ray.Nodes()[0].NodeId;

    [Test]
    public void Hard_affinity_to_the_local_node_runs_the_task()
    {
        Assert.That(TestTasks.Remote.With(On(LocalNode, soft: false)).Add(1, 2).Get(NoHang), Is.EqualTo(3));
    }

    [Test]
    public void Hard_affinity_to_the_local_node_creates_the_actor()
    {
        var counter = Counter.Remote.With(On(LocalNode, soft: false)).New(41);
        Assert.That(counter.Increment().Get(NoHang), Is.EqualTo(42));
    }

    [Test]
    public void Soft_affinity_to_an_unknown_node_runs_the_task_here()
    {
        Assert.That(TestTasks.Remote.With(On(UnknownNode, soft: true)).Add(1, 2).Get(NoHang), Is.EqualTo(3));
    }

    [Test]
    public void Hard_affinity_to_an_unknown_node_fails_the_task_with_a_RayException_naming_the_node()
    {
        var error = Assert.Throws<RayException>(() => TestTasks.Remote.With(On(UnknownNode, soft: false)).Add(1, 2).Get(NoHang))!;
        Assert.That(error.Message, Does.Contain(UnknownNode).And.Contain("no alive node has that id"));
    }

    [Test]
    public void Hard_affinity_to_an_unknown_node_fails_the_actors_creation_naming_the_node()
    {
        var counter = Counter.Remote.With(On(UnknownNode, soft: false)).New(0);
        var error = Assert.Throws<ActorDiedException>(() => counter.Increment().Get(NoHang))!;
        Assert.That(error.Message, Does.Contain(UnknownNode).And.Contain("no alive node has that id"));
    }

    [Test]
    public void A_failed_hard_affinity_holds_no_resources()
    {
        Assert.Throws<RayException>(() => TestTasks.Remote.With(On(UnknownNode, soft: false)).Add(1, 2).Get(NoHang));
        Assert.That(TestTasks.Remote.With(new RemoteOptions { NumCpus = 2 }).Add(1, 1).Get(NoHang), Is.EqualTo(2));
    }

    [Test]
    public void A_nested_submission_keeps_its_hard_affinity_and_fails_the_same_way()
    {
        var outcome = AffinityTasks.Remote.AddOnNode(UnknownNode, false, 1, 2).Get(NoHang);
        Assert.That(outcome, Does.StartWith(nameof(RayException) + ": ").And.Contain(UnknownNode).And.Contain("no alive node has that id"));
    }

    [Test]
    public void A_nested_submission_with_hard_affinity_to_the_local_node_runs()
    {
        Assert.That(AffinityTasks.Remote.AddOnNode(LocalNode, false, 1, 2).Get(NoHang), Is.EqualTo("3"));
    }

    [Test]
    public void A_null_or_empty_node_id_is_refused()
    {
        Assert.Throws<System.ArgumentException>(() => SchedulingStrategy.NodeAffinity("", soft: false));
        Assert.Throws<System.ArgumentException>(() => SchedulingStrategy.NodeAffinity(null!, soft: true));
    }

    [Test]
    public void The_strategy_reads_as_its_node_and_kind()
    {
        var strategy = SchedulingStrategy.NodeAffinity("abc", soft: true);
        Assert.That((strategy.NodeId, strategy.Soft, strategy.ToString()), Is.EqualTo(("abc", true, "NodeAffinity(abc, soft)")));
    }
}
