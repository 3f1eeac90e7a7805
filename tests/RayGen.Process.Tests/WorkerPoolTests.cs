using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using NUnit.Framework;
using RayGen.Core;
using RayGen.Driver;
using RayGen.Protocol;

namespace RayGen.Process.Tests;

/// <summary>
/// The task-worker pool: growth, retirement, launches, and what a forced cancel does to the runs that share a worker.
/// Every wait here is for an event (a file written, a hook called); the time limits only turn a hang into a failure.
/// </summary>
[TestFixture]
[NonParallelizable]
public class WorkerPoolTests
{
    /// <summary>Hang detection, never a speed claim.</summary>
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(90);

    private string _scratch = null!;

    [SetUp]
    public void SetUp()
    {
        _scratch = Path.Combine(Path.GetTempPath(), "raygen-pool-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
    }

    [TearDown]
    public void TearDown()
    {
        Ray.Shutdown();
        ProcessTestSupport.KillLeftoverWorkers();
        try { Directory.Delete(_scratch, recursive: true); } catch (IOException) { }
    }

    [Test]
    public void Extra_task_workers_retire_once_idle_down_to_NumCpus_quietly_and_leave_nothing_behind()
    {
        var warnings = new ConcurrentQueue<string>();
        var workerOutput = new StringWriter();
        var stderr = Console.Error;
        Console.SetError(TextWriter.Synchronized(workerOutput)); // worker processes' stderr lines land here
        try
        {
            using var ray = Ray.Init(new RayOptions { NumCpus = 2, IdleWorkerTimeout = TimeSpan.FromMilliseconds(300) });
            ray.Core.WarningSink = warnings.Enqueue;
            var backend = ProcessTestSupport.Backend(ray);
            using var downToNumCpus = new ManualResetEventSlim();
            backend.Pool.Retired = _ =>
            {
                if (LiveTaskWorkers(backend) <= 2) downToNumCpus.Set();
            };

            var burst = PoolTasks.Remote.PidsOfConcurrentChildren(4, 0.5, Path.Combine(_scratch, "barrier")).Get(NoHang);
            Assert.That(burst, Has.Length.GreaterThan(2), "the burst ran in more task workers than NumCpus");

            Assert.That(downToNumCpus.Wait(NoHang), Is.True, "the extra workers retired");
            Assert.That(LiveTaskWorkers(backend), Is.EqualTo(2), "down to NumCpus and no further");
            var kept = backend.Workers.Select(w => w.Pid).ToArray();
            Assert.That(burst.Except(kept).Where(ProcessTestSupport.IsAlive), Is.Empty, "the retired workers' processes are gone");
            Assert.That(kept, Does.Contain(PoolTasks.Remote.Pid().Get(NoHang)), "a later task runs in a worker that was kept");
            Assert.That(Directory.GetFileSystemEntries(Path.Combine(backend.Session.Path, "objects")), Is.Empty, "retirement leaves no files");
            Assert.That(warnings, Is.Empty, "retirement is not reported as a crash");
        }
        finally
        {
            Console.SetError(stderr);
        }

        Assert.That(workerOutput.ToString(), Is.Empty, "retired workers exit quietly");
    }

    [Test]
    public void A_worker_holding_a_run_is_not_retired()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var worker = ProcessTestSupport.Backend(ray).Workers.Single();
        var pidFile = Path.Combine(_scratch, "held.pids");
        var gate = Path.Combine(_scratch, "gate");
        var held = PoolTasks.Remote.RecordsPidThenWaitsFor(pidFile, gate);
        Assert.That(WaitForPids(pidFile, 1)[0], Is.EqualTo(worker.Pid), "the run is executing in the only worker");

        Assert.That(worker.TryRetire(FarAhead(), idleMilliseconds: 0), Is.False, "a worker holding a run stays");

        File.WriteAllText(gate, "");
        Assert.That(held.Get(NoHang), Is.EqualTo(worker.Pid));
    }

    [Test]
    public void A_retired_worker_refuses_the_run_that_picked_it_just_before_and_the_pool_places_it_on_another()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var backend = ProcessTestSupport.Backend(ray);
        var worker = backend.Workers.Single();
        Assert.That(PoolTasks.Remote.Pid().Get(NoHang), Is.EqualTo(worker.Pid), "the worker is connected and idle again");

        Assert.That(worker.TryRetire(FarAhead(), idleMilliseconds: 0), Is.True, "an idle worker retires");
        // The window between the pool picking a worker and starting a run on it: the run is refused, not lost.
        var late = new WorkerRun(0, RunKind.Task, null!, null, worker);
        Assert.That(worker.TryStart(late, new RunFrame { RunId = 0 }), Is.False, "a retired worker refuses a run");

        var next = PoolTasks.Remote.Pid().Get(NoHang);
        Assert.That(backend.Workers.Where(w => w != worker).Select(w => w.Pid), Does.Contain(next), "the next task ran in another worker of the pool");
    }

    [Test]
    public void Workers_retiring_while_bursts_come_and_go_never_lose_a_run()
    {
        // An idle timeout shorter than a process start: workers retire between and inside bursts, while runs are placed.
        using var ray = Ray.Init(new RayOptions { NumCpus = 2, IdleWorkerTimeout = TimeSpan.FromMilliseconds(5) });
        var gaps = new Random(11);
        for (var round = 0; round < 8; round++)
        {
            var bursts = Enumerable.Range(0, 2)
                .Select(b => PoolTasks.Remote.PidsOfConcurrentChildren(2, 0.5, Path.Combine(_scratch, $"barrier-{round}-{b}")))
                .ToArray();
            // The burst and its children have MaxRetries = 0: a run lost with a retiring worker fails with WorkerCrashedException.
            Assert.DoesNotThrow(() => Ray.Get(bursts, NoHang), $"round {round}");
            // Not a wait for anything: a varied gap, so retirement meets the next burst at different points.
            Thread.Sleep(gaps.Next(0, 30));
        }
    }

    [Test]
    public void A_task_sharing_the_worker_of_a_force_cancelled_task_runs_again_elsewhere_without_spending_a_retry()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        ray.Core.WarningSink = _ => { }; // the never-placed child warns that it cannot fit
        var (blocked, blockedPid) = StartBlockedTask();
        var pidFile = Path.Combine(_scratch, "sharing.pids");
        var gate = Path.Combine(_scratch, "gate");
        var sharing = PoolTasks.Remote.With(new RemoteOptions { MaxRetries = 1 }).RecordsPidThenWaitsFor(pidFile, gate);
        Assert.That(WaitForPids(pidFile, 1)[0], Is.EqualTo(blockedPid), "the two tasks share one worker");

        Ray.Cancel(blocked, force: true);
        Assert.Throws<RayTaskCanceledException>(() => blocked.Get(NoHang));
        var rerunPid = WaitForPids(pidFile, 2)[1];
        Assert.That(rerunPid, Is.Not.EqualTo(blockedPid), "the task started again, in another worker");

        // Its one retry is still there: a crash of the worker running it now is survived.
        using (var rerunWorker = System.Diagnostics.Process.GetProcessById(rerunPid)) rerunWorker.Kill();
        var lastPid = WaitForPids(pidFile, 3)[2];
        File.WriteAllText(gate, "");
        Assert.That(sharing.Get(NoHang), Is.EqualTo(lastPid), "the task finished on its retry after the crash");
    }

    [Test]
    public void A_task_with_no_retries_sharing_the_worker_of_a_force_cancelled_task_fails_and_never_runs_twice()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        ray.Core.WarningSink = _ => { };
        var (blocked, blockedPid) = StartBlockedTask();
        var pidFile = Path.Combine(_scratch, "sharing.pids");
        var sharing = PoolTasks.Remote.With(new RemoteOptions { MaxRetries = 0 }).RecordsPidThenWaitsFor(pidFile, Path.Combine(_scratch, "never"));
        Assert.That(WaitForPids(pidFile, 1)[0], Is.EqualTo(blockedPid), "the two tasks share one worker");

        Ray.Cancel(blocked, force: true);

        var error = Assert.Throws<WorkerCrashedException>(() => sharing.Get(NoHang))!;
        Assert.That(error.Message, Does.Contain("cancelled with force"), "the error says why the worker died");
        Assert.That(File.ReadAllLines(pidFile), Has.Length.EqualTo(1), "MaxRetries = 0: it ran once");
    }

    [Test]
    public void A_forced_cancel_kills_a_worker_only_while_it_still_holds_the_cancelled_run()
    {
        var worker = new WorkerProcess(1, null);
        var finished = new WorkerRun(1, RunKind.Task, null!, null, worker);
        var running = new WorkerRun(2, RunKind.Task, null!, null, worker);
        Assert.That(worker.TryStart(finished, new RunFrame { RunId = 1 }) && worker.TryStart(running, new RunFrame { RunId = 2 }), Is.True);
        Assert.That(worker.TryFinish(finished.Id, out _), Is.True, "the driver took the first run's result");

        Assert.That(worker.TryKillForCancel(finished), Is.False, "a run whose result was taken is not killed for");
        Assert.That(worker.IsLeaving || worker.KilledForCancel, Is.False, "the worker stays in the pool");
        Assert.That(worker.TryKillForCancel(running), Is.True, "a run it still holds is");
        Assert.That(worker.IsLeaving && worker.KilledForCancel, Is.True, "the worker takes no more runs and its others count as innocent");
    }

    [Test]
    public void No_worker_process_is_started_while_the_scheduler_lock_is_held()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var schedulerLock = ray.Core.Owner.Scheduler.SyncRoot;
        var starts = 0;
        var startsUnderLock = 0;
        ProcessTestSupport.Backend(ray).Pool.Launcher.Starting = _ =>
        {
            Interlocked.Increment(ref starts);
            if (Monitor.IsEntered(schedulerLock)) Interlocked.Increment(ref startsUnderLock);
        };

        // An actor's worker starts when the scheduler places its constructor; task workers are added when children
        // that must run at once (a barrier) outnumber the free workers.
        PoolActor.Remote.New().Pid().Get(NoHang);
        PoolTasks.Remote.PidsOfConcurrentChildren(4, 0.25, Path.Combine(_scratch, "barrier")).Get(NoHang);

        Assert.That(starts, Is.GreaterThanOrEqualTo(1 + 3), "the actor's worker and three more task workers were started");
        Assert.That(startsUnderLock, Is.Zero, "no process was started by a thread holding the scheduler's lock");
    }

    [Test]
    public void An_actor_whose_worker_process_cannot_start_dies_with_the_reason()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        ProcessTestSupport.Backend(ray).Pool.Launcher.Starting = _ => throw new IOException("no process for this test");

        var actor = PoolActor.Remote.New();

        var error = Assert.Throws<ActorDiedException>(() => actor.Pid().Get(NoHang))!;
        Assert.That(error.Message, Does.Contain("no process for this test"));
    }

    private (ObjectRef<int> Blocked, int Pid) StartBlockedTask()
    {
        // It blocks in Get of a child that never fits, so its CPU is lent and its worker, all of whose runs are
        // blocked, takes the next task.
        var pidFile = Path.Combine(_scratch, "blocked.pid");
        var blocked = PoolTasks.Remote.BlocksInGetForever(pidFile);
        return (blocked, WaitForPids(pidFile, 1)[0]);
    }

    private static int LiveTaskWorkers(ProcessBackend backend) => backend.Workers.Count(w => w.Actor is null);

    /// <summary>"Now", far enough ahead that every idle worker has been idle long enough.</summary>
    private static long FarAhead() => Environment.TickCount64 + 60_000;

    /// <summary>Waits until <paramref name="file"/> holds <paramref name="count"/> whole pids, one per line, and returns them.</summary>
    private static int[] WaitForPids(string file, int count)
    {
        var deadline = DateTime.UtcNow + NoHang;
        while (true)
        {
            var pids = ReadPids(file);
            if (pids.Length >= count) return pids;
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"{Path.GetFileName(file)} got {count} pid(s)");
            Thread.Sleep(10);
        }
    }

    private static int[] ReadPids(string file)
    {
        if (!File.Exists(file)) return Array.Empty<int>();
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (IOException)
        {
            return Array.Empty<int>(); // being written
        }

        // A line counts once its newline is there (an append may be seen half done).
        var complete = text[..(text.LastIndexOf('\n') + 1)];
        return complete.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => int.Parse(line, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
    }
}
