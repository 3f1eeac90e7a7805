using System;
using System.IO;
using System.Linq;
using NUnit.Framework;
using RayGen.Tests.Remotes;

namespace RayGen.Tests;

[TestFixtureSource(typeof(Modes), nameof(Modes.All))]
public class ActorTests : RuntimeFixture
{
    public ActorTests(RayMode mode) : base(mode) { }

    [Test]
    public void Actor_keeps_state_between_calls()
    {
        var counter = Counter.Remote.New(10);
        _ = counter.Increment();
        Assert.That(counter.Increment().Get(), Is.EqualTo(12));
    }

    [Test]
    public void A_thousand_calls_from_one_caller_run_in_call_order()
    {
        var recorder = Recorder.Remote.New();
        for (var i = 0; i < 1000; i++) _ = recorder.Append(i);
        Assert.That(recorder.Seen().Get(), Is.EqualTo(Enumerable.Range(0, 1000)));
    }

    [Test]
    public void Calls_wait_for_their_ref_arguments_without_overtaking_earlier_calls()
    {
        var recorder = Recorder.Remote.New();
        var slow = TestTasks.Remote.Sleep(100);
        var late = TestTasks.Remote.Add(slow.Get().Start > 0 ? 1 : 0, 0); // resolves after the first append is queued
        _ = recorder.Append(0);
        _ = recorder.Append(late);
        _ = recorder.Append(2);
        Assert.That(recorder.Seen().Get(), Is.EqualTo(new[] { 0, 1, 2 }));
    }

    [Test]
    public void By_default_one_call_runs_at_a_time()
    {
        var counter = Counter.Remote.New(0);
        var spans = Ray.Get(new[] { counter.SlowAsync(150), counter.SlowAsync(150) });
        Assert.That(TaskTests.MaxOverlap(spans), Is.EqualTo(1));
    }

    [Test]
    public void MaxConcurrency_lets_async_calls_overlap()
    {
        var counter = Counter.Remote.With(new RemoteOptions { MaxConcurrency = 2 }).New(0);
        var (a, b) = (ScratchFile("a"), ScratchFile("b"));
        var met = Ray.Get(new[] { counter.RendezvousAsync(a, b), counter.RendezvousAsync(b, a) });
        Assert.That(met, Is.EqualTo(new[] { true, true }), "both calls were running at once");
    }

    [Test]
    public void A_named_actor_is_found_by_name()
    {
        var created = Counter.Remote.With(new RemoteOptions { Name = "c1" }).New(5);
        _ = created.Increment();
        var found = Ray.GetActor<Counter>("c1");
        Assert.That(found.Increment().Get(), Is.EqualTo(7));
        Assert.That(found.Name, Is.EqualTo("c1"));
    }

    [Test]
    public void A_name_in_use_makes_New_throw_at_once()
    {
        Counter.Remote.With(new RemoteOptions { Name = "dup" }).New(0);
        Assert.That(() => Counter.Remote.With(new RemoteOptions { Name = "dup" }).New(1),
            Throws.InstanceOf<RayException>().With.Message.Contains("dup"));
    }

    [Test]
    public void GetActor_of_an_unknown_name_throws_RayException()
    {
        Assert.That(() => Ray.GetActor<Counter>("nobody"), Throws.InstanceOf<RayException>().With.Message.Contains("nobody"));
        Counter.Remote.With(new RemoteOptions { Name = "typed" }).New(0);
        Assert.That(() => Ray.GetActor<Recorder>("typed"), Throws.InstanceOf<RayException>().With.Message.Contains(nameof(Counter)));
    }

    [Test]
    public void Kill_fails_calls_in_flight_and_later_calls_with_ActorDiedException()
    {
        var counter = Counter.Remote.New(0);
        Assert.That(counter.Read().Get(), Is.EqualTo(0));
        var inFlight = counter.WaitForCancelAsync();
        Ray.Kill(counter);
        Assert.Throws<ActorDiedException>(() => inFlight.Get(NoHang));
        Assert.That(() => counter.Read().Get(NoHang), Throws.InstanceOf<ActorDiedException>().With.Message.Contains("killed"));
    }

    [Test]
    public void Kill_frees_the_name_and_ignores_MaxRestarts()
    {
        var counter = Counter.Remote.With(new RemoteOptions { Name = "gone", MaxRestarts = 5 }).New(0);
        counter.Read().Get();
        Ray.Kill(counter);
        Assert.Throws<ActorDiedException>(() => counter.Read().Get(NoHang));
        Assert.Throws<RayException>(() => Ray.GetActor<Counter>("gone"));
        Assert.That(Counter.Remote.With(new RemoteOptions { Name = "gone" }).New(1).Read().Get(), Is.EqualTo(1));
    }

    [Test]
    public void A_constructor_that_throws_makes_every_call_throw_ActorDiedException_with_its_error()
    {
        var broken = Broken.Remote.New("no database");
        var e = Assert.Throws<ActorDiedException>(() => broken.Anything().Get(NoHang))!;
        Assert.That(e.Message, Does.Contain("no database").And.Contain(typeof(InvalidOperationException).FullName));
        Assert.Throws<ActorDiedException>(() => broken.Anything().Get(NoHang));
    }

    [Test]
    public void An_actor_method_that_throws_fails_that_call_and_the_actor_lives_on()
    {
        var counter = Counter.Remote.New(1);
        var e = Assert.Throws<RayTaskException>(() => counter.Fail("bad input").Get())!;
        Assert.That(e.ErrorType, Is.EqualTo(typeof(ArgumentException).FullName));
        Assert.That(counter.Increment().Get(), Is.EqualTo(2));
    }

    [Test]
    public void A_dead_actor_with_MaxRestarts_is_rebuilt_from_its_constructor_arguments()
    {
        var counter = Counter.Remote.With(new RemoteOptions { MaxRestarts = 1 }).New(10);
        Assert.That(counter.Increment().Get(), Is.EqualTo(11));
        Ray.Kill(counter, noRestart: false);
        Assert.That(counter.Increment().Get(NoHang), Is.EqualTo(11), "state rebuilt: 10 again, then one increment");
        Ray.Kill(counter, noRestart: false);
        Assert.That(() => counter.Read().Get(NoHang), Throws.InstanceOf<ActorDiedException>().With.Message.Contains("restarts"));
    }

    [Test]
    public void MaxTaskRetries_resends_calls_that_were_in_flight_when_the_actor_died()
    {
        var retried = Counter.Remote.With(new RemoteOptions { MaxRestarts = 1, MaxTaskRetries = 1 }).New(3);
        var plain = Counter.Remote.With(new RemoteOptions { MaxRestarts = 1 }).New(3);
        var (startedRetried, startedPlain) = (ScratchFile("retried"), ScratchFile("plain"));
        var slowRetried = retried.StartThenSlowAsync(startedRetried, 2000);
        var slowPlain = plain.StartThenSlowAsync(startedPlain, 2000);
        WaitForFile(startedRetried);
        WaitForFile(startedPlain);
        File.Delete(startedRetried);
        Ray.Kill(retried, noRestart: false);
        Ray.Kill(plain, noRestart: false);
        Assert.That(slowRetried.Get(NoHang).End, Is.GreaterThan(0));
        Assert.That(File.Exists(startedRetried), Is.True, "the call was re-sent and ran again after the restart");
        Assert.Throws<ActorDiedException>(() => slowPlain.Get(NoHang));
        Assert.That(plain.Read().Get(NoHang), Is.EqualTo(3), "the actor itself came back");
    }

    private static void WaitForFile(string path)
    {
        var deadline = DateTime.UtcNow + NoHang;
        while (!File.Exists(path))
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"{path} never appeared");
            System.Threading.Thread.Sleep(5);
        }
    }

    [Test]
    public void A_handle_put_in_the_store_reaches_the_same_actor()
    {
        var counter = Counter.Remote.New(0);
        var stored = Ray.Put(counter);
        _ = stored.Get().Increment();
        Assert.That(counter.Read().Get(), Is.EqualTo(1));
    }

    [Test]
    public void Actors_without_NumCpus_live_beside_tasks()
    {
        var actors = Enumerable.Range(0, 4).Select(i => Counter.Remote.New(i)).ToList();
        Assert.That(actors.Select(a => a.Read().Get(NoHang)), Is.EqualTo(new[] { 0, 1, 2, 3 }));
        Assert.That(TestTasks.Remote.Add(1, 1).Get(NoHang), Is.EqualTo(2));
    }

    [Test]
    public void An_actor_with_NumCpus_holds_them_for_its_lifetime()
    {
        var holder = Counter.Remote.With(new RemoteOptions { NumCpus = 2 }).New(0);
        holder.Read().Get();
        var task = TestTasks.Remote.Add(1, 1);
        var (ready, _) = Ray.Wait(new[] { task }, timeout: TimeSpan.FromMilliseconds(200));
        Assert.That(ready, Is.Empty, "both CPUs are held by the actor");
        Ray.Kill(holder);
        Assert.That(task.Get(NoHang), Is.EqualTo(2));
    }

    [Test]
    public void Cancel_of_a_running_actor_call_signals_its_token_and_the_actor_lives_on()
    {
        var counter = Counter.Remote.New(7);
        Assert.That(counter.Read().Get(), Is.EqualTo(7));
        var running = counter.WaitForCancelAsync();
        Ray.Cancel(running);
        Assert.Throws<RayTaskCanceledException>(() => running.Get(NoHang));
        Assert.That(counter.Increment().Get(NoHang), Is.EqualTo(8));
    }

    [Test]
    public void Cancel_of_a_queued_actor_call_means_it_never_runs()
    {
        var counter = Counter.Remote.New(0);
        var blocker = counter.SlowAsync(200);
        var queued = counter.Increment();
        Ray.Cancel(queued);
        blocker.Get();
        Assert.Throws<RayTaskCanceledException>(() => queued.Get());
        Assert.That(counter.Read().Get(), Is.EqualTo(0));
    }
}
