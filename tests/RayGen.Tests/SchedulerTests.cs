using System.Collections.Generic;
using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Core;
using RayGen.Internal;

namespace RayGen.Tests;

/// <summary>
/// The scheduler alone, driven step by step through orders of events that real runs produce only by chance (a
/// worker's give-back crossing the result of the run ahead): a scheduler of its own, with tasks of an in-process runtime.
/// </summary>
[TestFixture]
[NonParallelizable]
public class SchedulerTests
{
    private static readonly RemoteFunction Function = new("SchedulerTests.F", "F", new RemoteOptions(), static _ => default(ValueTask));

    [Test]
    public void A_rider_given_back_after_it_inherited_the_CPU_of_the_run_ahead_gives_that_CPU_back_and_runs_again()
    {
        using var ray = Ray.Init(new RayOptions { Mode = RayMode.InProcess, NumCpus = 1 });
        var (scheduler, dispatched, ahead, rider) = OneCpuWithTwoTasks();
        Assert.That(dispatched, Is.EqualTo(new[] { ahead }), "one CPU: the first runs, the second waits");
        Assert.That(scheduler.TakeRider(rider.Class!), Is.SameAs(rider), "sent to the worker behind the first");

        scheduler.PassResources(ahead, rider); // the run ahead ended: its CPU passes to the rider
        scheduler.Release(ahead);
        scheduler.Requeue(rider); // ...but the worker had given the rider back already

        Assert.That(dispatched, Is.EqualTo(new[] { ahead, rider }), "the rider runs again: it does not wait for the CPU it held");
        Assert.That(scheduler.Pool.FreeCpus, Is.EqualTo(0), "the rider holds the one CPU");
        scheduler.Release(rider);
        Assert.That(scheduler.Pool.FreeCpus, Is.EqualTo(1), "and gives it back: none leaked");
    }

    [Test]
    public void A_rider_given_back_before_it_inherited_anything_waits_for_a_CPU_as_any_queued_task()
    {
        using var ray = Ray.Init(new RayOptions { Mode = RayMode.InProcess, NumCpus = 1 });
        var (scheduler, dispatched, ahead, rider) = OneCpuWithTwoTasks();
        Assert.That(scheduler.TakeRider(rider.Class!), Is.SameAs(rider));
        scheduler.Requeue(rider); // the run ahead runs long: the worker gives the rider back

        Assert.That(dispatched, Is.EqualTo(new[] { ahead }), "the CPU is still the first task's");
        scheduler.Release(ahead);
        Assert.That(dispatched, Is.EqualTo(new[] { ahead, rider }), "then the rider runs");
        scheduler.Release(rider);
        Assert.That(scheduler.Pool.FreeCpus, Is.EqualTo(1));
    }

    /// <summary>A one-CPU scheduler given two tasks: the first dispatched (holding the CPU), the second queued.</summary>
    private static (Scheduler Scheduler, List<TaskSpec> Dispatched, TaskSpec Ahead, TaskSpec Rider) OneCpuWithTwoTasks()
    {
        var runtime = RuntimeCore.CurrentOrThrow("test");
        var dispatched = new List<TaskSpec>();
        var scheduler = new Scheduler(new ResourcePool(1, 0, null), dispatched.Add, static _ => { });
        var ahead = Queued(runtime);
        var rider = Queued(runtime);
        scheduler.Enqueue(ahead);
        scheduler.Enqueue(rider);
        return (scheduler, dispatched, ahead, rider);
    }

    private static TaskSpec Queued(RuntimeCore runtime)
    {
        var task = new TaskSpec(runtime, Function, new RemoteOptions(), 0);
        task.MoveTo(TaskState.Queued);
        return task;
    }
}
