using System;
using System.IO;
using NUnit.Framework;
using RayGen.Tests.Remotes;

namespace RayGen.Tests;

[TestFixtureSource(typeof(Modes), nameof(Modes.All))]
public class CancelTests : RuntimeFixture
{
    public CancelTests(RayMode mode) : base(mode) { }

    protected override double NumCpus => 1;

    /// <summary>Starts a task that parks awaiting its token and returns once it is parked there.</summary>
    private ObjectRef<int> StartAwaitingCancellation(out string observed)
    {
        var started = ScratchFile("started");
        observed = ScratchFile("observed");
        var running = TestTasks.Remote.AwaitCancellationAsync(started, observed);
        WaitForFile(started);
        return running;
    }

    [Test]
    public void A_cancelled_queued_task_never_runs()
    {
        var (gate, ran) = (ScratchFile("gate"), ScratchFile("ran"));
        var blocker = TestTasks.Remote.HoldUntil(gate); // takes the only CPU
        var queued = TestTasks.Remote.TouchAfter(1, ran);
        Ray.Cancel(queued);
        File.WriteAllText(gate, "open");
        Assert.That(blocker.Get(NoHang), Is.EqualTo(1));
        TestTasks.Remote.Add(0, 0).Get(NoHang); // submitted after it: the queue has drained past the cancelled task
        Assert.That(File.Exists(ran), Is.False);
    }

    [Test]
    public void Get_of_a_cancelled_queued_task_throws_RayTaskCanceledException()
    {
        var gate = ScratchFile("gate");
        var blocker = TestTasks.Remote.HoldUntil(gate);
        var queued = TestTasks.Remote.TouchAfter(1, ScratchFile("ran"));
        Ray.Cancel(queued);
        File.WriteAllText(gate, "open");
        Assert.That(() => queued.Get(NoHang), Throws.TypeOf<RayTaskCanceledException>());
        blocker.Get(NoHang);
    }

    [Test]
    public void Cancel_signals_the_token_of_a_running_task()
    {
        var running = StartAwaitingCancellation(out var observed);
        Ray.Cancel(running);
        Assert.Throws<RayTaskCanceledException>(() => running.Get(NoHang));
        Assert.That(File.Exists(observed), Is.True, "the task saw its token end its await");
    }

    [Test]
    public void Get_of_a_cancelled_running_task_throws_RayTaskCanceledException_an_OperationCanceledException()
    {
        var running = StartAwaitingCancellation(out _);
        Ray.Cancel(running);
        var e = Assert.Throws<RayTaskCanceledException>(() => running.Get(NoHang))!;
        Assert.That(e, Is.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void A_cancelled_running_task_gives_its_CPU_back()
    {
        var running = StartAwaitingCancellation(out _);
        Ray.Cancel(running);
        Assert.That(TestTasks.Remote.Add(1, 1).Get(NoHang), Is.EqualTo(2), "the runtime's only CPU runs the next task");
    }

    [Test]
    public void Force_cancel_fails_the_ref_without_waiting_for_the_task_to_stop()
    {
        var (started, gate) = (ScratchFile("started"), ScratchFile("gate"));
        var deaf = TestTasks.Remote.MarkThenHoldUntil(started, gate); // ignores its token
        WaitForFile(started);
        try
        {
            Ray.Cancel(deaf, force: true);
            // The gate is still shut: the task has not stopped, and cannot, yet the ref must fail now.
            // Caught by hand, so a failure names what was thrown, not only that the type differed.
            var thrown = Catch(() => deaf.Get(NoHang));
            Assert.That(thrown, Is.TypeOf<RayTaskCanceledException>(), () => $"the ref ended with {Describe(thrown)}");
        }
        finally
        {
            File.WriteAllText(gate, "open"); // an in-process thread cannot be killed: let it go
        }
    }

    [Test]
    public void A_forced_cancel_after_a_polite_one_the_task_ignored_fails_the_ref_at_once()
    {
        var (started, gate) = (ScratchFile("started"), ScratchFile("gate"));
        var deaf = TestTasks.Remote.MarkThenHoldUntil(started, gate); // ignores its token
        WaitForFile(started);
        try
        {
            Ray.Cancel(deaf);
            Ray.Cancel(deaf, force: true); // escalates, as in Ray
            var thrown = Catch(() => deaf.Get(NoHang));
            Assert.That(thrown, Is.TypeOf<RayTaskCanceledException>(), () => $"the ref ended with {Describe(thrown)}");
        }
        finally
        {
            File.WriteAllText(gate, "open");
        }
    }

    private static Exception? Catch(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static string Describe(Exception? e) => e is null ? "no exception" : $"{e.GetType().FullName}: {e.Message}";

    [Test]
    public void Force_cancel_of_a_task_parked_in_an_await_on_its_token_fails_the_ref()
    {
        // Signalling the token can finish the task inline, inside Cancel itself; Cancel must cope with that. The task
        // marks its start only once its continuation is registered with the token, so the inline path is the one taken.
        var running = StartAwaitingCancellation(out _);
        Assert.DoesNotThrow(() => Ray.Cancel(running, force: true));
        Assert.That(() => running.Get(NoHang), Throws.TypeOf<RayTaskCanceledException>());
    }

    [Test]
    public void Cancelling_a_finished_task_changes_nothing()
    {
        var done = TestTasks.Remote.Add(2, 2);
        Assert.That(done.Get(), Is.EqualTo(4));
        Ray.Cancel(done);
        Assert.That(done.Get(), Is.EqualTo(4));
    }

    [Test]
    public void Wait_reports_a_task_that_can_never_fit_not_ready()
    {
        var huge = TestTasks.Remote.With(new RemoteOptions { NumCpus = 64 }).Add(1, 1);
        var (ready, notReady) = Ray.Wait(new[] { huge }, timeout: TimeSpan.FromMilliseconds(100));
        Assert.That(ready, Is.Empty);
        Assert.That(notReady, Is.EqualTo(new[] { huge }));
        Ray.Cancel(huge);
    }

    [Test]
    public void A_task_that_can_never_fit_logs_a_warning_naming_it_and_its_request()
    {
        var warnings = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Runtime.Core.WarningSink = warnings.Enqueue;
        var huge = TestTasks.Remote.With(new RemoteOptions { NumCpus = 64 }).Add(1, 1);
        // Polled until it comes (or NoHang passes): the contract says a warning is logged, not on which thread.
        Assert.That(() => warnings.ToArray(), Has.Some.Contains("TestTasks.Add").And.Some.Contains("CPU: 64").After((int)NoHang.TotalMilliseconds, 10));
        Ray.Cancel(huge);
    }

    [Test]
    public void A_task_that_can_never_fit_does_not_hold_back_smaller_tasks()
    {
        var huge = TestTasks.Remote.With(new RemoteOptions { NumCpus = 64 }).Add(1, 1);
        Assert.That(TestTasks.Remote.Add(1, 2).Get(NoHang), Is.EqualTo(3));
        Ray.Cancel(huge);
    }

    [Test]
    public void Cancel_removes_a_task_that_can_never_fit_and_Get_throws_RayTaskCanceledException()
    {
        var huge = TestTasks.Remote.With(new RemoteOptions { NumCpus = 64 }).Add(1, 1);
        Ray.Cancel(huge);
        Assert.That(() => huge.Get(NoHang), Throws.TypeOf<RayTaskCanceledException>());
    }
}
