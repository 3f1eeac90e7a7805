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
    public void A_call_waiting_for_its_ref_argument_is_not_overtaken_by_later_calls()
    {
        var gate = ScratchFile("gate");
        var recorder = Recorder.Remote.New();
        var late = TestTasks.Remote.HoldUntil(gate); // 1, and not before the gate opens
        _ = recorder.Append(0);
        _ = recorder.Append(late);
        _ = recorder.Append(2);
        File.WriteAllText(gate, "open"); // only now can the second call's argument resolve
        Assert.That(recorder.Seen().Get(NoHang), Is.EqualTo(new[] { 0, 1, 2 }));
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
    public void GetActor_returns_a_handle_to_the_actor_of_that_name()
    {
        var created = Counter.Remote.With(new RemoteOptions { Name = "c1" }).New(5);
        _ = created.Increment();
        Assert.That(Ray.GetActor<Counter>("c1").Increment().Get(), Is.EqualTo(7), "the found handle sees the state the first call made");
    }

    [Test]
    public void A_handle_found_by_name_carries_the_name()
    {
        Counter.Remote.With(new RemoteOptions { Name = "c1" }).New(5);
        Assert.That(Ray.GetActor<Counter>("c1").Name, Is.EqualTo("c1"));
    }

    [Test]
    public void A_name_in_use_makes_New_throw_at_once()
    {
        Counter.Remote.With(new RemoteOptions { Name = "dup" }).New(0);
        Assert.That(() => Counter.Remote.With(new RemoteOptions { Name = "dup" }).New(1),
            Throws.InstanceOf<RayException>().With.Message.Contains("dup"));
    }

    [Test]
    public void GetActor_of_an_unknown_name_throws_RayException_naming_it() =>
        Assert.That(() => Ray.GetActor<Counter>("nobody"), Throws.InstanceOf<RayException>().With.Message.Contains("nobody"));

    [Test]
    public void GetActor_with_another_actor_type_throws_RayException_naming_the_actors_type()
    {
        Counter.Remote.With(new RemoteOptions { Name = "typed" }).New(0);
        Assert.That(() => Ray.GetActor<Recorder>("typed"), Throws.InstanceOf<RayException>().With.Message.Contains(nameof(Counter)));
    }

    [Test]
    public void Kill_fails_a_call_in_flight_with_ActorDiedException()
    {
        var counter = Counter.Remote.New(0);
        var started = ScratchFile("started");
        var inFlight = counter.AwaitCancellationAsync(started, ScratchFile("observed"));
        WaitForFile(started);
        Ray.Kill(counter);
        Assert.Throws<ActorDiedException>(() => inFlight.Get(NoHang));
    }

    [Test]
    public void Calls_after_Kill_fail_with_ActorDiedException_saying_it_was_killed()
    {
        var counter = Counter.Remote.New(0);
        Assert.That(counter.Read().Get(), Is.EqualTo(0));
        Ray.Kill(counter);
        Assert.That(() => counter.Read().Get(NoHang), Throws.InstanceOf<ActorDiedException>().With.Message.Contains("killed"));
    }

    [Test]
    public void Kill_ends_an_actor_for_good_whatever_its_MaxRestarts()
    {
        var counter = Counter.Remote.With(new RemoteOptions { MaxRestarts = 5 }).New(0);
        counter.Read().Get();
        Ray.Kill(counter);
        Assert.Throws<ActorDiedException>(() => counter.Read().Get(NoHang));
    }

    [Test]
    public void After_Kill_GetActor_of_its_name_throws_RayException()
    {
        var counter = Counter.Remote.With(new RemoteOptions { Name = "gone", MaxRestarts = 5 }).New(0);
        counter.Read().Get();
        Ray.Kill(counter);
        Assert.Throws<RayException>(() => Ray.GetActor<Counter>("gone"));
    }

    [Test]
    public void After_Kill_its_name_can_be_given_to_a_new_actor()
    {
        var counter = Counter.Remote.With(new RemoteOptions { Name = "gone", MaxRestarts = 5 }).New(0);
        counter.Read().Get();
        Ray.Kill(counter);
        Assert.That(Counter.Remote.With(new RemoteOptions { Name = "gone" }).New(1).Read().Get(NoHang), Is.EqualTo(1));
    }

    [Test]
    public void A_constructor_that_throws_fails_every_call_with_ActorDiedException_carrying_its_error()
    {
        var broken = Broken.Remote.New("no database");
        var first = Assert.Throws<ActorDiedException>(() => broken.Anything().Get(NoHang))!;
        var second = Assert.Throws<ActorDiedException>(() => broken.Anything().Get(NoHang))!;
        foreach (var e in new[] { first, second })
            Assert.That(e.Message, Does.Contain("no database").And.Contain(typeof(InvalidOperationException).FullName));
    }

    [Test]
    public void An_actor_method_that_throws_fails_that_call_with_RayTaskException_of_its_type()
    {
        var counter = Counter.Remote.New(1);
        var e = Assert.Throws<RayTaskException>(() => counter.Fail("bad input").Get())!;
        Assert.That(e.ErrorType, Is.EqualTo(typeof(ArgumentException).FullName));
    }

    [Test]
    public void An_actor_keeps_its_state_after_one_of_its_calls_threw()
    {
        var counter = Counter.Remote.New(1);
        Assert.Throws<RayTaskException>(() => counter.Fail("bad input").Get());
        Assert.That(counter.Increment().Get(), Is.EqualTo(2));
    }

    [Test]
    public void A_dead_actor_with_MaxRestarts_is_rebuilt_from_its_constructor_arguments()
    {
        var counter = Counter.Remote.With(new RemoteOptions { MaxRestarts = 1 }).New(10);
        Assert.That(counter.Increment().Get(), Is.EqualTo(11));
        Ray.Kill(counter, noRestart: false);
        Assert.That(counter.Increment().Get(NoHang), Is.EqualTo(11), "state rebuilt: 10 again, then one increment");
    }

    [Test]
    public void An_actor_that_used_up_its_restarts_fails_calls_with_ActorDiedException_saying_so()
    {
        var counter = Counter.Remote.With(new RemoteOptions { MaxRestarts = 1 }).New(10);
        counter.Read().Get();
        Ray.Kill(counter, noRestart: false);
        Assert.That(counter.Read().Get(NoHang), Is.EqualTo(10), "the one restart");
        Ray.Kill(counter, noRestart: false);
        Assert.That(() => counter.Read().Get(NoHang), Throws.InstanceOf<ActorDiedException>().With.Message.Contains("restarts"));
    }

    [Test]
    public void MaxTaskRetries_reruns_a_call_that_was_in_flight_when_the_actor_died()
    {
        var actor = Counter.Remote.With(new RemoteOptions { MaxRestarts = 1, MaxTaskRetries = 1 }).New(3);
        var (starts, gate) = (ScratchFile("starts"), ScratchFile("gate"));
        var call = actor.CountStartsThenHoldUntil(starts, gate);
        WaitForFile(starts);
        Ray.Kill(actor, noRestart: false);
        File.WriteAllText(gate, "open");
        Assert.That(call.Get(NoHang), Is.EqualTo(2), "the call's result is that of its second start, on the restarted actor");
    }

    [Test]
    public void Without_MaxTaskRetries_a_call_in_flight_when_the_actor_died_fails_with_ActorDiedException()
    {
        var actor = Counter.Remote.With(new RemoteOptions { MaxRestarts = 1 }).New(3);
        var (starts, gate) = (ScratchFile("starts"), ScratchFile("gate"));
        var call = actor.CountStartsThenHoldUntil(starts, gate);
        WaitForFile(starts);
        Ray.Kill(actor, noRestart: false);
        try
        {
            Assert.Throws<ActorDiedException>(() => call.Get(NoHang));
        }
        finally
        {
            File.WriteAllText(gate, "open"); // an in-process run cannot be stopped: let it go
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
        Assert.That(TestTasks.Remote.Add(1, 1).Get(NoHang), Is.EqualTo(2), "four live actors on two CPUs leave room for a task");
    }

    [Test]
    public void A_task_stays_pending_while_an_actor_holds_every_CPU()
    {
        var holder = Counter.Remote.With(new RemoteOptions { NumCpus = 2 }).New(0);
        holder.Read().Get();
        var task = TestTasks.Remote.Add(1, 1);
        // A window to watch for something that must not happen: a slow machine can only make it pass, never fail.
        var (ready, _) = Ray.Wait(new[] { task }, timeout: TimeSpan.FromMilliseconds(200));
        Assert.That(ready, Is.Empty, "both CPUs are held by the actor");
        Ray.Kill(holder);
    }

    [Test]
    public void Killing_an_actor_with_NumCpus_gives_its_CPUs_back()
    {
        var holder = Counter.Remote.With(new RemoteOptions { NumCpus = 2 }).New(0);
        holder.Read().Get();
        var task = TestTasks.Remote.Add(1, 1);
        Ray.Kill(holder);
        Assert.That(task.Get(NoHang), Is.EqualTo(2));
    }

    [Test]
    public void Cancel_of_a_running_actor_call_signals_its_token()
    {
        var counter = Counter.Remote.New(7);
        var (started, observed) = (ScratchFile("started"), ScratchFile("observed"));
        var running = counter.AwaitCancellationAsync(started, observed);
        WaitForFile(started);
        Ray.Cancel(running);
        Assert.Throws<RayTaskCanceledException>(() => running.Get(NoHang));
        Assert.That(File.Exists(observed), Is.True, "the call saw its token end its await");
    }

    [Test]
    public void Get_of_a_cancelled_running_actor_call_throws_RayTaskCanceledException()
    {
        var counter = Counter.Remote.New(7);
        var started = ScratchFile("started");
        var running = counter.AwaitCancellationAsync(started, ScratchFile("observed"));
        WaitForFile(started);
        Ray.Cancel(running);
        Assert.That(() => running.Get(NoHang), Throws.TypeOf<RayTaskCanceledException>());
    }

    [Test]
    public void An_actor_keeps_serving_after_one_of_its_calls_was_cancelled()
    {
        var counter = Counter.Remote.New(7);
        var started = ScratchFile("started");
        var running = counter.AwaitCancellationAsync(started, ScratchFile("observed"));
        WaitForFile(started);
        Ray.Cancel(running);
        Assert.That(counter.Increment().Get(NoHang), Is.EqualTo(8));
    }

    [Test]
    public void A_cancelled_queued_actor_call_never_runs()
    {
        var counter = Counter.Remote.New(0);
        var gate = ScratchFile("gate");
        var blocker = counter.HoldUntil(gate); // the actor runs one call at a time: the next one queues
        var queued = counter.Increment();
        Ray.Cancel(queued);
        File.WriteAllText(gate, "open");
        Assert.That(blocker.Get(NoHang), Is.EqualTo(0));
        Assert.That(counter.Read().Get(NoHang), Is.EqualTo(0), "a call after it in the queue sees no increment");
    }

    [Test]
    public void Get_of_a_cancelled_queued_actor_call_throws_RayTaskCanceledException()
    {
        var counter = Counter.Remote.New(0);
        var gate = ScratchFile("gate");
        var blocker = counter.HoldUntil(gate);
        var queued = counter.Increment();
        Ray.Cancel(queued);
        File.WriteAllText(gate, "open");
        Assert.That(() => queued.Get(NoHang), Throws.TypeOf<RayTaskCanceledException>());
        blocker.Get(NoHang);
    }
}
