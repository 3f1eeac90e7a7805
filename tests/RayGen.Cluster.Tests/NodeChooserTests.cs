using System.Collections.Generic;
using System.Linq;
using NUnit.Framework;
using RayGen.Cluster.Scheduling;
using RayGen.Core;

namespace RayGen.Cluster.Tests;

/// <summary>The cluster's choice of node for a task or actor, as Ray's policies choose: no Orleans, no processes.</summary>
[TestFixture]
public class NodeChooserTests
{
    private NodeChooser _chooser = null!;
    private NodeLedger _ledger = null!;

    [SetUp]
    public void Fresh()
    {
        _chooser = new NodeChooser();
        _ledger = new NodeLedger();
    }

    private static NodeView Node(string id, double cpus, bool head = false, bool alive = true, double gpus = 0, Dictionary<string, double>? custom = null)
    {
        var total = new Dictionary<string, double> { ["CPU"] = cpus };
        if (gpus > 0) total["GPU"] = gpus;
        foreach (var kv in custom ?? new()) total[kv.Key] = kv.Value;
        return new NodeView(id, alive, head, total);
    }

    private static ResourceRequest Cpus(double cpus, Dictionary<string, double>? custom = null) =>
        ResourceRequest.From(new RemoteOptions { NumCpus = cpus, Resources = custom }, defaultCpus: 1);

    private static ResourceRequest OneCpuOneGpu() => ResourceRequest.From(new RemoteOptions { NumCpus = 1, NumGpus = 1 }, defaultCpus: 1);

    private static SchedulingStrategy Hard(string nodeId) => SchedulingStrategy.NodeAffinity(nodeId, soft: false);

    private static SchedulingStrategy Soft(string nodeId) => SchedulingStrategy.NodeAffinity(nodeId, soft: true);

    private NodeChoice Choose(IReadOnlyList<NodeView> nodes, ResourceRequest request, SchedulingStrategy? strategy = null, string? preferred = null) =>
        _chooser.Choose(nodes, _ledger, request, strategy, preferred);

    /// <summary>Chooses and takes, as the caller does once it sends the work: the ledger then counts it.</summary>
    private string Place(IReadOnlyList<NodeView> nodes, ResourceRequest request, SchedulingStrategy? strategy = null)
    {
        var choice = Choose(nodes, request, strategy);
        Assert.That(choice, Is.InstanceOf<NodeChoice.Chosen>());
        var nodeId = ((NodeChoice.Chosen)choice).NodeId;
        _ledger.Take(nodeId, request);
        return nodeId;
    }

    [Test]
    public void A_custom_resource_routes_to_the_only_node_that_has_it()
    {
        var nodes = new[] { Node("head", 2, head: true), Node("a", 2), Node("b", 2, custom: new() { ["b"] = 2 }) };
        Assert.That(Choose(nodes, Cpus(1, new() { ["b"] = 1 })), Is.EqualTo(new NodeChoice.Chosen("b")));
    }

    [Test]
    public void A_request_of_no_cpus_and_only_a_custom_resource_routes_to_the_node_that_has_it()
    {
        var nodes = new[] { Node("head", 2, head: true), Node("b", 2, custom: new() { ["b"] = 2 }) };
        Assert.That(Choose(nodes, Cpus(0, new() { ["b"] = 1 })), Is.EqualTo(new NodeChoice.Chosen("b")));
    }

    [Test]
    public void A_four_cpu_request_waits_as_infeasible_when_no_alive_node_has_four_cpus()
    {
        var nodes = new[] { Node("head", 2, head: true), Node("a", 2), Node("dead", 8, alive: false) };
        var choice = Choose(nodes, Cpus(4));
        Assert.That(choice, Is.InstanceOf<NodeChoice.Wait>());
        var wait = (NodeChoice.Wait)choice;
        Assert.That(wait.Infeasible, Is.True);
        Assert.That(wait.Reason, Does.Contain("CPU: 4").And.Contain("no alive node has that much in total"));
    }

    [Test]
    public void A_request_that_fits_a_node_later_waits_as_feasible()
    {
        var nodes = new[] { Node("head", 2, head: true) };
        _ledger.Take("head", Cpus(2));
        var choice = Choose(nodes, Cpus(1));
        Assert.That(choice, Is.InstanceOf<NodeChoice.Wait>());
        Assert.That(((NodeChoice.Wait)choice).Infeasible, Is.False);
    }

    [Test]
    public void Spread_alternates_across_equal_nodes()
    {
        var nodes = new[] { Node("head", 4, head: true), Node("a", 4), Node("b", 4) };
        var chosen = Enumerable.Range(0, 4).Select(_ => ((NodeChoice.Chosen)Choose(nodes, Cpus(1), SchedulingStrategy.Spread)).NodeId);
        Assert.That(chosen, Is.EqualTo(new[] { "head", "a", "b", "head" }), "nothing taken: every choice is a tie, broken in turn");
    }

    [Test]
    public void Spread_places_on_the_least_used_node_and_alternates_as_work_is_taken()
    {
        var nodes = new[] { Node("head", 4, head: true), Node("a", 4) };
        _ledger.Take("head", Cpus(1));
        var placed = Enumerable.Range(0, 4).Select(_ => Place(nodes, Cpus(1), SchedulingStrategy.Spread)).ToArray();
        Assert.That(placed, Is.EqualTo(new[] { "a", "head", "a", "head" }));
    }

    [Test]
    public void Default_packs_the_head_up_to_half_before_moving_on()
    {
        var nodes = new[] { Node("a", 4), Node("head", 4, head: true) };
        var placed = Enumerable.Range(0, 5).Select(_ => Place(nodes, Cpus(1))).ToArray();
        // head reaches 2 of 4, then a does; past half on both, the one left least used after placing (a tie: head first).
        Assert.That(placed, Is.EqualTo(new[] { "head", "head", "a", "a", "head" }));
    }

    [Test]
    public void Default_walks_the_other_nodes_in_id_order()
    {
        var nodes = new[] { Node("c", 2), Node("b", 2), Node("head", 2, head: true) };
        _ledger.Take("head", Cpus(2));
        Assert.That(Choose(nodes, Cpus(1)), Is.EqualTo(new NodeChoice.Chosen("b")));
    }

    [Test]
    public void Locality_wins_when_it_fits()
    {
        var nodes = new[] { Node("head", 4, head: true), Node("a", 4) };
        _ledger.Take("a", Cpus(3));
        Assert.That(Choose(nodes, Cpus(1), preferred: "a"), Is.EqualTo(new NodeChoice.Chosen("a")), "a is past half, but holds the arguments");
    }

    [Test]
    public void Locality_gives_way_when_the_preferred_node_is_full()
    {
        var nodes = new[] { Node("head", 4, head: true), Node("a", 4) };
        _ledger.Take("a", Cpus(4));
        Assert.That(Choose(nodes, Cpus(1), preferred: "a"), Is.EqualTo(new NodeChoice.Chosen("head")));
    }

    [Test]
    public void Hard_affinity_to_a_dead_node_fails_naming_it()
    {
        var nodes = new[] { Node("head", 4, head: true), Node("gone", 4, alive: false) };
        var choice = Choose(nodes, Cpus(1), Hard("gone"));
        Assert.That(choice, Is.InstanceOf<NodeChoice.Fail>());
        Assert.That(((NodeChoice.Fail)choice).Reason, Does.Contain("gone").And.Contain("no alive node has that id"));
    }

    [Test]
    public void Hard_affinity_to_an_unknown_node_fails_naming_it()
    {
        var choice = Choose(new[] { Node("head", 4, head: true) }, Cpus(1), Hard("nowhere"));
        Assert.That(choice, Is.InstanceOf<NodeChoice.Fail>());
        Assert.That(((NodeChoice.Fail)choice).Reason, Does.Contain("nowhere").And.Contain("no alive node has that id"));
    }

    [Test]
    public void Hard_affinity_to_a_node_that_can_never_fit_the_request_fails_naming_the_resource()
    {
        var choice = Choose(new[] { Node("head", 4, head: true, gpus: 1), Node("a", 2) }, OneCpuOneGpu(), Hard("a"));
        Assert.That(choice, Is.InstanceOf<NodeChoice.Fail>());
        Assert.That(((NodeChoice.Fail)choice).Reason, Does.Contain("node a").And.Contain("GPU"));
    }

    [Test]
    public void Hard_affinity_to_a_node_with_room_chooses_it_over_an_idle_head()
    {
        Assert.That(Choose(new[] { Node("head", 4, head: true), Node("a", 4) }, Cpus(1), Hard("a")), Is.EqualTo(new NodeChoice.Chosen("a")));
    }

    [Test]
    public void Hard_affinity_to_a_busy_node_waits_even_when_others_have_room()
    {
        var nodes = new[] { Node("head", 4, head: true), Node("a", 2) };
        _ledger.Take("a", Cpus(2));
        var choice = Choose(nodes, Cpus(1), Hard("a"));
        Assert.That(choice, Is.InstanceOf<NodeChoice.Wait>());
        var wait = (NodeChoice.Wait)choice;
        Assert.That(wait.Infeasible, Is.False);
        Assert.That(wait.Reason, Does.Contain("node a"));
    }

    [Test]
    public void Soft_affinity_to_a_node_with_room_chooses_it()
    {
        Assert.That(Choose(new[] { Node("head", 4, head: true), Node("a", 4) }, Cpus(1), Soft("a")), Is.EqualTo(new NodeChoice.Chosen("a")));
    }

    [Test]
    public void Soft_affinity_to_a_busy_node_goes_elsewhere()
    {
        var nodes = new[] { Node("head", 4, head: true), Node("a", 2), Node("b", 4) };
        _ledger.Take("a", Cpus(2));
        _ledger.Take("head", Cpus(3));
        Assert.That(Choose(nodes, Cpus(1), Soft("a")), Is.EqualTo(new NodeChoice.Chosen("b")));
    }

    [Test]
    public void Soft_affinity_to_a_dead_node_runs_where_default_would()
    {
        var nodes = new[] { Node("head", 4, head: true), Node("gone", 4, alive: false) };
        Assert.That(Choose(nodes, Cpus(1), Soft("gone")), Is.EqualTo(new NodeChoice.Chosen("head")));
    }

    [Test]
    public void Ledger_Give_makes_a_waiting_request_fit()
    {
        var nodes = new[] { Node("head", 2, head: true) };
        _ledger.Take("head", Cpus(2));
        Assert.That(Choose(nodes, Cpus(1)), Is.InstanceOf<NodeChoice.Wait>());

        _ledger.Give("head", Cpus(1));
        Assert.That(Choose(nodes, Cpus(1)), Is.EqualTo(new NodeChoice.Chosen("head")));
    }

    [Test]
    public void Ledger_counts_what_was_taken_and_not_given_back_per_resource()
    {
        _ledger.Take("a", Cpus(2, new() { ["b"] = 1 }));
        _ledger.Take("a", OneCpuOneGpu());
        _ledger.Give("a", Cpus(2, new() { ["b"] = 1 }));
        Assert.That(_ledger.Used("a"), Is.EquivalentTo(new Dictionary<string, double> { ["CPU"] = 1, ["GPU"] = 1 }));
        Assert.That(_ledger.Used("other"), Is.Empty);
    }

    [Test]
    public void Ledger_Forget_drops_everything_placed_on_a_dead_node()
    {
        _ledger.Take("a", Cpus(2));
        _ledger.Take("b", Cpus(1));
        _ledger.Forget("a");
        Assert.That(_ledger.Used("a"), Is.Empty);
        Assert.That(_ledger.Used("b"), Is.EquivalentTo(new Dictionary<string, double> { ["CPU"] = 1 }));
    }
}
