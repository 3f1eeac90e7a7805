using System;
using NUnit.Framework;

namespace RayGen.Process.Tests;

[TestFixture]
[NonParallelizable]
public class ActorTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [TearDown]
    public void TearDown()
    {
        Ray.Shutdown();
        ProcessTestSupport.KillLeftoverWorkers();
    }

    [Test]
    public void An_actor_runs_in_a_worker_process()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var pid = PidActor.Remote.New(0).Pid().Get(Long);
        Assert.That(ProcessTestSupport.IsWorkerProcess(pid), Is.True, $"pid {pid} runs RayGen.Worker.dll");
        Assert.That(ProcessTestSupport.WorkerPids(ray), Does.Contain(pid), "one of the runtime's own workers");
    }

    [Test]
    public void Two_actors_live_in_two_processes()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var pidA = PidActor.Remote.New(0).Pid().Get(Long);
        var pidB = PidActor.Remote.New(0).Pid().Get(Long);
        Assert.That(pidA, Is.Not.EqualTo(pidB));
    }

    [Test]
    public void An_actor_does_not_share_its_process_with_tasks()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var actorPid = PidActor.Remote.New(0).Pid().Get(Long);
        var taskPid = ProcTasks.Remote.Pid().Get(Long);
        Assert.That(taskPid, Is.Not.EqualTo(actorPid));
    }

    [Test]
    public void The_call_during_which_an_actors_process_dies_throws_ActorDiedException()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var actor = PidActor.Remote.New(0);
        Assert.That(actor.Count().Get(Long), Is.EqualTo(1));
        Assert.Throws<ActorDiedException>(() => actor.Die().Get(Long));
    }

    [Test]
    public void Calls_to_an_actor_whose_process_died_throw_ActorDiedException()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var actor = PidActor.Remote.New(0);
        Assert.Throws<ActorDiedException>(() => actor.Die().Get(Long));
        Assert.Throws<ActorDiedException>(() => actor.Count().Get(Long));
    }

    [Test]
    public void With_MaxRestarts_one_a_dead_actor_is_rebuilt_from_its_constructor_arguments()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var actor = PidActor.Remote.With(new RemoteOptions { MaxRestarts = 1 }).New(10);
        Assert.That(actor.Count().Get(Long), Is.EqualTo(11));
        Assert.Throws<ActorDiedException>(() => actor.Die().Get(Long));
        Assert.That(actor.Count().Get(Long), Is.EqualTo(11), "10 again, then one call");
    }

    [Test]
    public void A_restarted_actor_runs_in_a_fresh_worker_process()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var actor = PidActor.Remote.With(new RemoteOptions { MaxRestarts = 1 }).New(10);
        var firstPid = actor.Pid().Get(Long);
        Assert.Throws<ActorDiedException>(() => actor.Die().Get(Long));
        var secondPid = actor.Pid().Get(Long);
        Assert.That(secondPid, Is.Not.EqualTo(firstPid));
        Assert.That(ProcessTestSupport.IsWorkerProcess(secondPid), Is.True, $"pid {secondPid} runs RayGen.Worker.dll");
    }

    [Test]
    public void A_task_drives_the_actor_whose_handle_it_was_passed()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 2 });
        var mine = PidActor.Remote.New(100);
        Assert.That(ActorUsers.Remote.CountOn(mine).Get(Long), Is.EqualTo(101));
        Assert.That(mine.Count().Get(Long), Is.EqualTo(102), "the task drove the same actor");
    }

    [Test]
    public void The_driver_calls_an_actor_a_task_created_through_the_handle_it_returned()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 2 });
        var made = ActorUsers.Remote.Create(5, "made-in-a-worker").Get(Long);
        Assert.That(made.Count().Get(Long), Is.EqualTo(7), "the task's call made 6");
    }

    [Test]
    public void The_driver_finds_an_actor_a_task_created_by_its_name()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 2 });
        ActorUsers.Remote.Create(5, "made-in-a-worker").Get(Long);
        Assert.That(Ray.GetActor<PidActor>("made-in-a-worker").Count().Get(Long), Is.EqualTo(7));
    }

    [Test]
    public void A_task_finds_an_actor_another_task_created_by_its_name()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 2 });
        ActorUsers.Remote.Create(5, "made-in-a-worker").Get(Long);
        Assert.That(ActorUsers.Remote.CountByName("made-in-a-worker").Get(Long), Is.EqualTo(7));
    }

    [Test]
    public void New_in_a_task_with_a_name_in_use_throws_RayException_there()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 2 });
        ActorUsers.Remote.Create(0, "taken").Get(Long);
        Assert.That(ActorUsers.Remote.NewWithTakenName("taken").Get(Long), Does.Contain("already exists"));
    }

    [Test]
    public void A_task_kills_the_actor_whose_handle_it_was_passed()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 2 });
        var actor = PidActor.Remote.New(0);
        Assert.That(actor.Count().Get(Long), Is.EqualTo(1));
        Assert.That(ActorUsers.Remote.KillIt(actor).Get(Long), Is.True);
        Assert.Throws<ActorDiedException>(() => actor.Count().Get(Long));
    }

    [Test]
    public void Kill_ends_the_actors_process()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var actor = PidActor.Remote.New(0);
        var pid = actor.Pid().Get(Long);
        Ray.Kill(actor);
        Assert.That(ProcessTestSupport.WaitForExit(pid, Long), Is.True, $"actor process {pid} exited");
    }
}
