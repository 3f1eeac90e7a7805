using System;
using System.IO;
using System.Linq;
using NUnit.Framework;
using RayGen.Tests.Remotes;

namespace RayGen.Tests;

[TestFixtureSource(typeof(Modes), nameof(Modes.All))]
public class StateApiTests : RuntimeFixture
{
    public StateApiTests(RayMode mode) : base(mode) { }

    private static bool IsWorkerPid(int pid) => Ray.State.Workers().Any(w => w.WorkerType == "WORKER" && w.Pid == pid);

    [Test]
    public void A_task_held_in_its_code_is_listed_as_running_on_a_worker()
    {
        var (started, gate) = (ScratchFile("started"), ScratchFile("gate"));
        var held = TestTasks.Remote.MarkThenHoldUntil(started, gate);
        WaitForFile(started);

        var row = Ray.State.Tasks().Single(t => t.Name == "TestTasks.MarkThenHoldUntil");
        Assert.Multiple(() =>
        {
            Assert.That(row.State, Is.EqualTo(RayTaskStatus.Running));
            Assert.That(row.Type, Is.EqualTo("NORMAL_TASK"));
            Assert.That(row.NodeId, Is.EqualTo(Ray.State.Nodes().Single().NodeId));
            Assert.That(row.RequiredResources, Is.EquivalentTo(new[] { new System.Collections.Generic.KeyValuePair<string, double>("CPU", 1) }));
            Assert.That(row.StartedAt, Is.Not.Null);
            Assert.That(row.EndedAt, Is.Null);
        });
        if (Mode == RayMode.Processes) Assert.That(IsWorkerPid(row.WorkerPid!.Value), Is.True, "its pid is a worker's");
        else Assert.That(row.WorkerPid, Is.EqualTo(Environment.ProcessId));

        File.WriteAllText(gate, "open");
        held.Get();
        Assert.That(Ray.State.Tasks().Single(t => t.Name == "TestTasks.MarkThenHoldUntil").State, Is.EqualTo(RayTaskStatus.Finished));
    }

    [Test]
    public void A_task_whose_code_threw_is_listed_as_failed_with_the_exceptions_type()
    {
        Assert.Throws<RayTaskException>(() => TestTasks.Remote.Throw("broken").Get());

        var row = Ray.State.Tasks().Single(t => t.Name == "TestTasks.Throw");
        Assert.That(row.State, Is.EqualTo(RayTaskStatus.Failed));
        Assert.That(row.ErrorType, Is.EqualTo(typeof(InvalidOperationException).FullName));
        Assert.That(row.ErrorMessage, Does.Contain("broken"));
        Assert.That(row.StartedAt, Is.Not.Null);
        Assert.That(row.EndedAt, Is.GreaterThanOrEqualTo(row.StartedAt!.Value));
    }

    [Test]
    public void A_task_waiting_for_its_argument_is_pending_args_and_one_waiting_for_a_cpu_is_pending_node_assignment()
    {
        var (started, gate) = (ScratchFile("started"), ScratchFile("gate"));
        var first = TestTasks.Remote.MarkThenHoldUntil(started, gate);
        var second = TestTasks.Remote.HoldUntil(gate); // the runtime's second CPU
        var waiting = TestTasks.Remote.Add(first, 1);
        var queued = TestTasks.Remote.Add(2, 2);        // no CPU left
        WaitForFile(started);

        var rows = Ray.State.Tasks();
        Assert.That(rows.Single(t => t.TaskId == rows.Last(r => r.Name == "TestTasks.Add" && r.State == RayTaskStatus.PendingArgsAvail).TaskId).State,
            Is.EqualTo(RayTaskStatus.PendingArgsAvail));
        Assert.That(rows.Count(t => t.Name == "TestTasks.Add" && t.State == RayTaskStatus.PendingArgsAvail), Is.EqualTo(1));
        Assert.That(rows.Count(t => t.Name == "TestTasks.Add" && t.State == RayTaskStatus.PendingNodeAssignment), Is.EqualTo(1));

        File.WriteAllText(gate, "open");
        Assert.That(waiting.Get() + queued.Get() + second.Get(), Is.EqualTo(2 + 4 + 1));
        var summary = Ray.State.SummarizeTasks().Single(s => s.Name == "TestTasks.Add");
        Assert.That(summary.StateCounts[RayTaskStatus.Finished], Is.EqualTo(2));
        Assert.That(summary.Total, Is.EqualTo(2));
    }

    [Test]
    public void An_actor_is_listed_alive_with_its_process_then_dead_once_killed()
    {
        var counter = Counter.Remote.With(new RemoteOptions { Name = "listed" }).New(0);
        counter.Increment().Get();

        var alive = Ray.State.Actors().Single();
        Assert.Multiple(() =>
        {
            Assert.That(alive.State, Is.EqualTo(ActorState.Alive));
            Assert.That(alive.Name, Is.EqualTo("listed"));
            Assert.That(alive.ClassName, Is.EqualTo(typeof(Counter).FullName));
            Assert.That(alive.NumRestarts, Is.Zero);
        });
        if (Mode == RayMode.Processes) Assert.That(IsWorkerPid(alive.Pid!.Value), Is.True);
        else Assert.That(alive.Pid, Is.EqualTo(Environment.ProcessId));
        var call = Ray.State.Tasks().Single(t => t.Name == "Counter.Increment");
        Assert.That(call.Type, Is.EqualTo("ACTOR_TASK"));
        Assert.That(call.ActorId, Is.EqualTo(alive.ActorId));

        Ray.Kill(counter);
        var dead = Ray.State.Actors().Single();
        Assert.That(dead.State, Is.EqualTo(ActorState.Dead));
        Assert.That(dead.DeathCause, Does.Contain("Ray.Kill"));
    }

    [Test]
    public void The_local_runtime_is_one_alive_head_node_with_its_cpus()
    {
        var node = Ray.Nodes().Single();
        Assert.Multiple(() =>
        {
            Assert.That(node.IsHead, Is.True);
            Assert.That(node.IsAlive, Is.True);
            Assert.That(node.Address, Is.EqualTo("127.0.0.1"));
            Assert.That(node.Resources["CPU"], Is.EqualTo(NumCpus));
            Assert.That(node.NodeId, Is.Not.Empty);
        });
    }

    [Test]
    public void Workers_list_the_driver_and_in_process_mode_the_worker_processes()
    {
        var workers = Ray.State.Workers();
        Assert.That(workers.Single(w => w.WorkerType == "DRIVER").Pid, Is.EqualTo(Environment.ProcessId));
        if (Mode == RayMode.Processes) Assert.That(workers.Count(w => w.WorkerType == "WORKER" && w.IsAlive), Is.GreaterThanOrEqualTo(NumCpus));
        else Assert.That(workers, Has.Count.EqualTo(1));
    }

    [Test]
    public void A_large_value_put_in_process_mode_is_listed_with_its_size()
    {
        var large = Ray.Put(new byte[1024 * 1024]);
        var objects = Ray.State.Objects();
        if (Mode == RayMode.InProcess)
        {
            Assert.That(objects, Is.Empty, "values stay on the heap in process");
            return;
        }

        var row = objects.Single(o => o.Location == "SHARED_MEMORY");
        Assert.That(row.SizeBytes, Is.GreaterThanOrEqualTo(1024 * 1024));
        GC.KeepAlive(large);
    }

    [Test]
    public void The_state_api_needs_a_runtime()
    {
        Runtime.Dispose();
        Assert.Throws<RayException>(() => Ray.State.Tasks());
    }
}
