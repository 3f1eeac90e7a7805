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

    [Test]
    public void A_cancelled_queued_task_never_runs()
    {
        var gate = ScratchFile("gate");
        var ran = ScratchFile("ran");
        var blocker = TestTasks.Remote.HoldUntil(gate); // takes the only CPU
        var queued = TestTasks.Remote.TouchAfter(1, ran);
        Ray.Cancel(queued);
        File.WriteAllText(gate, "open");
        Assert.That(blocker.Get(), Is.EqualTo(1));
        Assert.Throws<RayTaskCanceledException>(() => queued.Get());
        TestTasks.Remote.Add(0, 0).Get(); // the queue has drained past the cancelled task
        Assert.That(File.Exists(ran), Is.False);
    }

    [Test]
    public void A_running_task_sees_its_token_signalled_and_Get_throws_RayTaskCanceledException()
    {
        var running = TestTasks.Remote.WaitForCancelAsync();
        Ray.Cancel(running);
        var e = Assert.Throws<RayTaskCanceledException>(() => running.Get(NoHang))!;
        Assert.That(e, Is.InstanceOf<OperationCanceledException>());
        Assert.That(TestTasks.Remote.Add(1, 1).Get(NoHang), Is.EqualTo(2), "the CPU was given back");
    }

    [Test]
    public void Force_cancel_fails_the_ref_at_once()
    {
        var running = TestTasks.Remote.WaitForCancelAsync();
        // Caught by hand, Cancel included, so a failure names what was thrown where, not only that the type differed.
        var thrown = Catch(() => Ray.Cancel(running, force: true));
        Assert.That(thrown, Is.Null, () => $"Cancel threw {Describe(thrown)}");
        thrown = Catch(() => running.Get(NoHang));
        Assert.That(thrown, Is.TypeOf<RayTaskCanceledException>(), () => $"the ref ended with {Describe(thrown)}");
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
    public void Force_cancel_of_a_task_already_awaiting_its_token_fails_the_ref()
    {
        // Signalling the token can finish the task inline, inside Cancel itself; Cancel must cope with that.
        var started = ScratchFile("started");
        var running = TestTasks.Remote.MarkThenWaitForCancelAsync(started);
        var deadline = DateTime.UtcNow + NoHang;
        while (!File.Exists(started) && DateTime.UtcNow < deadline) System.Threading.Thread.Sleep(5);
        Assert.That(File.Exists(started), Is.True, "the task reached its await");
        System.Threading.Thread.Sleep(50); // past the file write, into the await
        Assert.DoesNotThrow(() => Ray.Cancel(running, force: true));
        Assert.Throws<RayTaskCanceledException>(() => running.Get(NoHang));
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
    public void A_task_that_can_never_fit_stays_pending_with_a_warning_until_cancelled()
    {
        var warnings = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Runtime.Core.WarningSink = warnings.Enqueue;
        var huge = TestTasks.Remote.With(new RemoteOptions { NumCpus = 64 }).Add(1, 1);
        var (ready, notReady) = Ray.Wait(new[] { huge }, timeout: TimeSpan.FromMilliseconds(100));
        Assert.That(ready, Is.Empty);
        Assert.That(notReady, Is.EqualTo(new[] { huge }));
        Assert.That(warnings, Has.Some.Contains("TestTasks.Add").And.Some.Contains("CPU: 64"));
        Assert.That(TestTasks.Remote.Add(1, 2).Get(NoHang), Is.EqualTo(3), "smaller tasks still run");
        Ray.Cancel(huge);
        Assert.Throws<RayTaskCanceledException>(() => huge.Get(NoHang));
    }
}
