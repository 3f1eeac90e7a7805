using System;
using System.Linq;
using NUnit.Framework;
using RayGen.Tests.Remotes;

namespace RayGen.Tests;

/// <summary>Ray.RuntimeContext on a runtime without a cluster: one node, one job, and the actor the code runs in.</summary>
[TestFixtureSource(typeof(Modes), nameof(Modes.All))]
public class RuntimeContextTests : RuntimeFixture
{
    public RuntimeContextTests(RayMode mode) : base(mode) { }

    private static RuntimeContext Driver => Ray.RuntimeContext;

    [Test]
    public void The_drivers_context_names_the_node_Ray_Nodes_lists()
    {
        Assert.That(Driver.NodeId, Is.EqualTo(Ray.Nodes().Single().NodeId));
    }

    [Test]
    public void The_drivers_context_has_a_hex_job_id_and_no_actor()
    {
        Assert.That(Driver.JobId, Does.Match("^[0-9a-f]+$"));
        Assert.That(Driver.ActorId, Is.Null);
    }

    [Test]
    public void The_driver_reads_the_same_context_each_time()
    {
        var first = Ray.RuntimeContext;
        Assert.That(Ray.RuntimeContext, Is.SameAs(first));
    }

    [Test]
    public void A_task_sees_its_drivers_node_and_job_and_no_actor()
    {
        Assert.That(ContextTasks.Remote.Where().Get(NoHang), Is.EqualTo(new ContextSeen(Driver.NodeId, Driver.JobId, null)));
    }

    [Test]
    public void An_async_task_sees_the_same_context_after_it_awaits()
    {
        Assert.That(ContextTasks.Remote.WhereAfterAwaitAsync().Get(NoHang), Is.EqualTo(new ContextSeen(Driver.NodeId, Driver.JobId, null)));
    }

    [Test]
    public void A_task_submitted_by_a_task_sees_the_drivers_node_and_job()
    {
        Assert.That(ContextTasks.Remote.WhereNested().Get(NoHang), Is.EqualTo(new ContextSeen(Driver.NodeId, Driver.JobId, null)));
    }

    [Test]
    public void An_actor_method_sees_its_actors_id_as_the_State_API_names_it()
    {
        var actor = ContextActor.Remote.New();
        var seen = actor.Seen().Get(NoHang);
        Assert.That(seen.ActorId, Is.Not.Null.And.EqualTo(Ray.State.Actors().Single().ActorId));
        Assert.That((seen.NodeId, seen.JobId), Is.EqualTo((Driver.NodeId, Driver.JobId)));
    }

    [Test]
    public void An_actors_constructor_sees_its_actors_id()
    {
        var actor = ContextActor.Remote.New();
        Assert.That(actor.SeenInConstructor().Get(NoHang), Is.EqualTo(actor.Seen().Get(NoHang)));
    }

    [Test]
    public void An_async_actor_method_sees_its_actors_id_after_it_awaits()
    {
        var actor = ContextActor.Remote.New();
        Assert.That(actor.SeenAfterAwaitAsync().Get(NoHang), Is.EqualTo(actor.Seen().Get(NoHang)));
    }

    [Test]
    public void Two_actors_see_different_ids()
    {
        var first = ContextActor.Remote.New().Seen().Get(NoHang).ActorId;
        var second = ContextActor.Remote.New().Seen().Get(NoHang).ActorId;
        Assert.That(new[] { first, second }, Is.EquivalentTo(Ray.State.Actors().Select(a => a.ActorId)));
        Assert.That(first, Is.Not.EqualTo(second));
    }

    [Test]
    public void A_task_an_actor_submits_sees_no_actor()
    {
        var actor = ContextActor.Remote.New();
        Assert.That(actor.SeenByItsTask().Get(NoHang), Is.EqualTo(new ContextSeen(Driver.NodeId, Driver.JobId, null)));
    }
}

/// <summary>Ray.RuntimeContext without a runtime, and in a runtime started as a cluster node's job host is. Manages the runtime itself.</summary>
[TestFixtureSource(typeof(Modes), nameof(Modes.All))]
[NonParallelizable]
public class RuntimeContextEnvironmentTests
{
    private const string NodeIdVariable = "RAYGEN_NODE_ID";
    private const string JobIdVariable = "RAYGEN_JOB_ID";
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(20);

    private readonly RayMode _mode;

    public RuntimeContextEnvironmentTests(RayMode mode) => _mode = mode;

    [TearDown]
    public void Stop() => Ray.Shutdown();

    [Test]
    public void Reading_the_context_without_Init_throws_a_RayException()
    {
        Ray.Shutdown();
        Assert.That(() => Ray.RuntimeContext, Throws.InstanceOf<RayException>().With.Message.Contains("not initialized"));
    }

    [Test]
    public void A_runtime_started_with_RAYGEN_NODE_ID_and_RAYGEN_JOB_ID_reports_them_in_the_driver_its_tasks_and_its_actors()
    {
        var node = "node-" + Guid.NewGuid().ToString("N");
        var job = "0a1b2c3d4e5f6a7b";
        var (nodeBefore, jobBefore) = (Environment.GetEnvironmentVariable(NodeIdVariable), Environment.GetEnvironmentVariable(JobIdVariable));
        Environment.SetEnvironmentVariable(NodeIdVariable, node);
        Environment.SetEnvironmentVariable(JobIdVariable, job);
        try
        {
            using var ray = Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
            Assert.That(Ray.Nodes().Single().NodeId, Is.EqualTo(node));
            Assert.That((Ray.RuntimeContext.NodeId, Ray.RuntimeContext.JobId), Is.EqualTo((node, job)));
            Assert.That(ContextTasks.Remote.Where().Get(NoHang), Is.EqualTo(new ContextSeen(node, job, null)));
            var actor = ContextActor.Remote.New().Seen().Get(NoHang);
            Assert.That((actor.NodeId, actor.JobId), Is.EqualTo((node, job)));
        }
        finally
        {
            Environment.SetEnvironmentVariable(NodeIdVariable, nodeBefore);
            Environment.SetEnvironmentVariable(JobIdVariable, jobBefore);
        }
    }

    [Test]
    public void A_runtime_started_without_them_makes_its_own_ids_and_its_workers_get_them_from_it()
    {
        var (nodeBefore, jobBefore) = (Environment.GetEnvironmentVariable(NodeIdVariable), Environment.GetEnvironmentVariable(JobIdVariable));
        Environment.SetEnvironmentVariable(NodeIdVariable, null);
        Environment.SetEnvironmentVariable(JobIdVariable, null);
        try
        {
            using var ray = Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
            var driver = Ray.RuntimeContext;
            Assert.That(driver.NodeId, Is.Not.Empty);
            Assert.That(driver.JobId, Is.Not.Empty);
            Assert.That(ContextTasks.Remote.Where().Get(NoHang), Is.EqualTo(new ContextSeen(driver.NodeId, driver.JobId, null)));
        }
        finally
        {
            Environment.SetEnvironmentVariable(NodeIdVariable, nodeBefore);
            Environment.SetEnvironmentVariable(JobIdVariable, jobBefore);
        }
    }
}
