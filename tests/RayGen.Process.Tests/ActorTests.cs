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
    public void Each_actor_lives_in_a_process_of_its_own()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var a = PidActor.Remote.New(0);
        var b = PidActor.Remote.New(0);
        var pidA = a.Pid().Get(Long);
        var pidB = b.Pid().Get(Long);
        var taskPid = ProcTasks.Remote.Pid().Get(Long);
        Assert.That(new[] { pidA, pidB, taskPid, Environment.ProcessId }, Is.Unique);
        Assert.That(a.Count().Get(Long), Is.EqualTo(1));
        Assert.That(a.Count().Get(Long), Is.EqualTo(2));
    }

    [Test]
    public void An_actor_that_kills_its_process_throws_ActorDiedException()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var actor = PidActor.Remote.New(0);
        Assert.That(actor.Count().Get(Long), Is.EqualTo(1));
        Assert.Throws<ActorDiedException>(() => actor.Die().Get(Long));
        Assert.Throws<ActorDiedException>(() => actor.Count().Get(Long));
    }

    [Test]
    public void With_MaxRestarts_one_a_dead_actor_comes_back_rebuilt()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var actor = PidActor.Remote.With(new RemoteOptions { MaxRestarts = 1 }).New(10);
        var firstPid = actor.Pid().Get(Long);
        Assert.That(actor.Count().Get(Long), Is.EqualTo(11));
        Assert.Throws<ActorDiedException>(() => actor.Die().Get(Long));
        // Rebuilt from the constructor's arguments in a fresh process.
        Assert.That(actor.Count().Get(Long), Is.EqualTo(11));
        Assert.That(actor.Pid().Get(Long), Is.Not.EqualTo(firstPid));
    }

    [Test]
    public void Tasks_create_call_find_and_kill_actors_through_the_driver()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 2 });
        var mine = PidActor.Remote.New(100);
        Assert.That(ActorUsers.Remote.CountOn(mine).Get(Long), Is.EqualTo(101));
        Assert.That(mine.Count().Get(Long), Is.EqualTo(102), "the task drove the same actor");

        var made = ActorUsers.Remote.Create(5, "made-in-a-worker").Get(Long);
        Assert.That(made.Count().Get(Long), Is.EqualTo(7));
        Assert.That(Ray.GetActor<PidActor>("made-in-a-worker").Count().Get(Long), Is.EqualTo(8));
        Assert.That(ActorUsers.Remote.CountByName("made-in-a-worker").Get(Long), Is.EqualTo(9));
        Assert.That(ActorUsers.Remote.NewWithTakenName("made-in-a-worker").Get(Long), Does.Contain("already exists"));

        Assert.That(ActorUsers.Remote.KillIt(made).Get(Long), Is.True);
        Assert.Throws<ActorDiedException>(() => made.Count().Get(Long));
    }

    [Test]
    public void Kill_ends_the_actor_process()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var actor = PidActor.Remote.New(0);
        var pid = actor.Pid().Get(Long);
        Ray.Kill(actor);
        Assert.Throws<ActorDiedException>(() => actor.Count().Get(Long));
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (ProcessTestSupport.IsAlive(pid) && DateTime.UtcNow < deadline) System.Threading.Thread.Sleep(50);
        Assert.That(ProcessTestSupport.IsAlive(pid), Is.False);
    }
}
