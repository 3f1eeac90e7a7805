using System;
using System.Collections.Concurrent;
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
        _scratch = ProcessTestSupport.NewScratchFolder("raygen-pool-tests");
    }

    [TearDown]
    public void TearDown()
    {
        Ray.Shutdown();
        ProcessTestSupport.KillLeftoverWorkers();
        ProcessTestSupport.DeleteScratchFolder(_scratch);
    }

    /// <summary>What a burst and the retirement after it left: the runtime stays up for the test to dispose.</summary>
    private sealed record Retirement(RayRuntime Ray, int[] Burst, bool DownToNumCpus, ConcurrentQueue<string> Warnings, string WorkerOutput)
    {
        public ProcessBackend Backend => ProcessTestSupport.Backend(Ray);
    }

    /// <summary>
    /// NumCpus = 2 and a short idle timeout: a burst of four children that must run at once grows the pool, then the
    /// extra workers go idle and retire. Returns once the pool is down to NumCpus task workers (or the wait gave up),
    /// with the workers' stderr and the runtime's warnings captured meanwhile.
    /// </summary>
    private Retirement BurstThenRetire()
    {
        var warnings = new ConcurrentQueue<string>();
        var workerOutput = new StringWriter();
        var stderr = Console.Error;
        Console.SetError(TextWriter.Synchronized(workerOutput)); // worker processes' stderr lines land here
        try
        {
            var ray = Ray.Init(new RayOptions { NumCpus = 2, IdleWorkerTimeout = TimeSpan.FromMilliseconds(300) });
            ray.Core.WarningSink = warnings.Enqueue;
            var backend = ProcessTestSupport.Backend(ray);
            using var downToNumCpus = new ManualResetEventSlim();
            // Called once a retired worker's process has exited and the pool has let go of it.
            backend.Pool.Retired = _ =>
            {
                if (LiveTaskWorkers(backend) <= 2) downToNumCpus.Set();
            };

            var burst = PoolTasks.Remote.PidsOfConcurrentChildren(4, 0.5, Path.Combine(_scratch, "barrier")).Get(NoHang);
            var down = downToNumCpus.Wait(NoHang);
            backend.Pool.Retired = null;
            return new Retirement(ray, burst, down, warnings, workerOutput.ToString());
        }
        finally
        {
            Console.SetError(stderr);
        }
    }

    [Test]
    public void A_burst_of_children_that_must_run_at_once_runs_in_more_task_workers_than_NumCpus()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 2 });
        var burst = PoolTasks.Remote.PidsOfConcurrentChildren(4, 0.5, Path.Combine(_scratch, "barrier")).Get(NoHang);
        Assert.That(burst, Has.Length.GreaterThan(2), "distinct pids of the burst and its children");
    }

    [Test]
    public void Extra_task_workers_retire_once_idle()
    {
        var retirement = BurstThenRetire();
        using var ray = retirement.Ray;
        Assert.That(retirement.DownToNumCpus, Is.True, "the pool came down to NumCpus task workers");
    }

    [Test]
    public void Retirement_stops_at_NumCpus_task_workers()
    {
        var retirement = BurstThenRetire();
        using var ray = retirement.Ray;
        Assert.That(retirement.DownToNumCpus, Is.True, "precondition: the extra workers retired");
        Assert.That(LiveTaskWorkers(retirement.Backend), Is.EqualTo(2));
    }

    [Test]
    public void The_processes_of_retired_workers_have_exited_when_they_are_reported_retired()
    {
        var retirement = BurstThenRetire();
        using var ray = retirement.Ray;
        Assert.That(retirement.DownToNumCpus, Is.True, "precondition: the extra workers retired");
        var kept = ProcessTestSupport.WorkerPids(ray);
        var retired = retirement.Burst.Except(kept).ToArray();
        Assert.That(retired, Is.Not.Empty, "precondition: some of the burst's workers are no longer the pool's (else the check below holds vacuously)");
        Assert.That(retired.Where(ProcessTestSupport.IsAlive), Is.Empty);
    }

    [Test]
    public void A_task_after_retirement_runs_in_a_worker_that_was_kept()
    {
        var retirement = BurstThenRetire();
        using var ray = retirement.Ray;
        Assert.That(retirement.DownToNumCpus, Is.True, "precondition: the extra workers retired");
        var kept = ProcessTestSupport.WorkerPids(ray);
        Assert.That(kept, Does.Contain(PoolTasks.Remote.Pid().Get(NoHang)));
    }

    [Test]
    public void Retirement_leaves_no_files()
    {
        var retirement = BurstThenRetire();
        using var ray = retirement.Ray;
        Assert.That(retirement.DownToNumCpus, Is.True, "precondition: the extra workers retired");
        Assert.That(Directory.GetFileSystemEntries(Path.Combine(retirement.Backend.Session.Path, "objects")), Is.Empty);
    }

    [Test]
    public void Retirement_is_not_reported_as_a_crash()
    {
        var retirement = BurstThenRetire();
        using var ray = retirement.Ray;
        Assert.That(retirement.DownToNumCpus, Is.True, "precondition: the extra workers retired");
        // A crash is reported as its connection closes or as its exit is handled; a retired worker's exit came first.
        Assert.That(retirement.Warnings, Is.Empty);
    }

    [Test]
    public void Retired_workers_exit_quietly()
    {
        var retirement = BurstThenRetire();
        using var ray = retirement.Ray;
        Assert.That(retirement.DownToNumCpus, Is.True, "precondition: the extra workers retired");
        // Their exit, awaited before they are reported retired, includes the end of their relayed output.
        Assert.That(retirement.WorkerOutput, Is.Empty);
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
        held.Get(NoHang); // not a check: the run ends before the runtime does
    }

    /// <summary>NumCpus = 1: the one task worker, connected and idle after a task.</summary>
    private static WorkerProcess TheIdleWorker(RayRuntime ray)
    {
        var worker = ProcessTestSupport.Backend(ray).Workers.Single();
        Assert.That(PoolTasks.Remote.Pid().Get(NoHang), Is.EqualTo(worker.Pid), "precondition: the worker is connected and idle again");
        return worker;
    }

    [Test]
    public void An_idle_worker_retires()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        Assert.That(TheIdleWorker(ray).TryRetire(FarAhead(), idleMilliseconds: 0), Is.True);
    }

    [Test]
    public void A_retired_worker_refuses_the_run_that_picked_it_just_before()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var worker = TheIdleWorker(ray);
        Assert.That(worker.TryRetire(FarAhead(), idleMilliseconds: 0), Is.True, "precondition: the worker retired");
        // The window between the pool picking a worker and starting a run on it: the run is refused, not lost.
        var late = new WorkerRun(0, RunKind.Task, null!, null, worker);
        Assert.That(worker.TryStart(late, new RunFrame { RunId = 0 }), Is.False);
    }

    [Test]
    public void The_pool_places_the_next_task_past_a_retired_worker_on_another()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var backend = ProcessTestSupport.Backend(ray);
        var worker = TheIdleWorker(ray);
        Assert.That(worker.TryRetire(FarAhead(), idleMilliseconds: 0), Is.True, "precondition: the worker retired");
        var next = PoolTasks.Remote.Pid().Get(NoHang);
        Assert.That(backend.Workers.Where(w => w != worker).Select(w => w.Pid), Does.Contain(next));
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

    /// <summary>
    /// NumCpus = 1: a task blocked for good in Get, and a task with <paramref name="maxRetries"/> that shares its worker
    /// and waits for <paramref name="gate"/>, appending its pid to <paramref name="pidFile"/> at each attempt.
    /// </summary>
    private (ObjectRef<int> Blocked, int BlockedPid, ObjectRef<int> Sharing) ShareTheWorkerOfABlockedTask(RayRuntime ray, int maxRetries, string pidFile, string gate)
    {
        ray.Core.WarningSink = _ => { }; // the never-placed child warns that it cannot fit
        var (blocked, blockedPid) = StartBlockedTask();
        var sharing = PoolTasks.Remote.With(new RemoteOptions { MaxRetries = maxRetries }).RecordsPidThenWaitsFor(pidFile, gate);
        Assert.That(WaitForPids(pidFile, 1)[0], Is.EqualTo(blockedPid), "precondition: the two tasks share one worker");
        return (blocked, blockedPid, sharing);
    }

    [Test]
    public void A_force_cancelled_task_blocked_in_Get_fails_with_RayTaskCanceledException()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var (blocked, _, _) = ShareTheWorkerOfABlockedTask(ray, 1, Path.Combine(_scratch, "sharing.pids"), Path.Combine(_scratch, "gate"));
        Ray.Cancel(blocked, force: true);
        Assert.Throws<RayTaskCanceledException>(() => blocked.Get(NoHang));
    }

    [Test]
    public void A_task_sharing_the_worker_of_a_force_cancelled_task_runs_again_in_another_worker()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var pidFile = Path.Combine(_scratch, "sharing.pids");
        var (blocked, blockedPid, _) = ShareTheWorkerOfABlockedTask(ray, 1, pidFile, Path.Combine(_scratch, "gate"));
        Ray.Cancel(blocked, force: true);
        Assert.That(WaitForPids(pidFile, 2)[1], Is.Not.EqualTo(blockedPid), "the pid of its second start");
    }

    [Test]
    public void A_task_rerun_for_sharing_the_worker_of_a_force_cancelled_task_has_not_spent_its_retry()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var pidFile = Path.Combine(_scratch, "sharing.pids");
        var gate = Path.Combine(_scratch, "gate");
        var (blocked, _, sharing) = ShareTheWorkerOfABlockedTask(ray, 1, pidFile, gate);
        Ray.Cancel(blocked, force: true);
        var rerunPid = WaitForPids(pidFile, 2)[1];

        // Its one retry is still there: a crash of the worker running it now is survived.
        using (var rerunWorker = System.Diagnostics.Process.GetProcessById(rerunPid)) rerunWorker.Kill();
        var lastPid = WaitForPids(pidFile, 3)[2];
        File.WriteAllText(gate, "");
        Assert.That(sharing.Get(NoHang), Is.EqualTo(lastPid), "the task finished on its retry after the crash");
    }

    [Test]
    public void A_task_with_no_retries_sharing_the_worker_of_a_force_cancelled_task_fails_with_WorkerCrashedException()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var (blocked, _, sharing) = ShareTheWorkerOfABlockedTask(ray, 0, Path.Combine(_scratch, "sharing.pids"), Path.Combine(_scratch, "never"));
        Ray.Cancel(blocked, force: true);
        Assert.Throws<WorkerCrashedException>(() => sharing.Get(NoHang));
    }

    [Test]
    public void The_error_of_a_task_lost_with_the_worker_of_a_force_cancelled_task_says_why_the_worker_died()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var (blocked, _, sharing) = ShareTheWorkerOfABlockedTask(ray, 0, Path.Combine(_scratch, "sharing.pids"), Path.Combine(_scratch, "never"));
        Ray.Cancel(blocked, force: true);
        var error = Assert.Catch<RayException>(() => sharing.Get(NoHang), "precondition: the task failed")!;
        Assert.That(error.Message, Does.Contain("cancelled with force"));
    }

    [Test]
    public void A_task_with_no_retries_sharing_the_worker_of_a_force_cancelled_task_never_runs_twice()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var pidFile = Path.Combine(_scratch, "sharing.pids");
        var (blocked, _, sharing) = ShareTheWorkerOfABlockedTask(ray, 0, pidFile, Path.Combine(_scratch, "never"));
        Ray.Cancel(blocked, force: true);
        // Its ref settles once its fate is decided: a rerun would have been started before it could fail.
        Assert.Catch<RayException>(() => sharing.Get(NoHang), "precondition: the task failed");
        Assert.That(File.ReadAllLines(pidFile), Has.Length.EqualTo(1), "MaxRetries = 0: it ran once");
    }

    /// <summary>A worker record (no process) holding two runs, the first of whose results the driver has taken.</summary>
    private static (WorkerProcess Worker, WorkerRun Finished, WorkerRun Running) AWorkerWithAFinishedAndARunningRun()
    {
        var worker = new WorkerProcess(1, null);
        var finished = new WorkerRun(1, RunKind.Task, null!, null, worker);
        var running = new WorkerRun(2, RunKind.Task, null!, null, worker);
        Assert.That(worker.TryStart(finished, new RunFrame { RunId = 1 }) && worker.TryStart(running, new RunFrame { RunId = 2 }), Is.True, "precondition: both runs started");
        Assert.That(worker.TryFinish(finished.Id, out _), Is.True, "precondition: the driver took the first run's result");
        return (worker, finished, running);
    }

    [Test]
    public void A_forced_cancel_does_not_kill_for_a_run_whose_result_was_taken()
    {
        var (worker, finished, _) = AWorkerWithAFinishedAndARunningRun();
        Assert.That(worker.TryKillForCancel(finished), Is.False);
    }

    [Test]
    public void A_worker_not_killed_for_a_finished_run_stays_in_the_pool()
    {
        var (worker, finished, _) = AWorkerWithAFinishedAndARunningRun();
        worker.TryKillForCancel(finished);
        Assert.That(worker.IsLeaving || worker.KilledForCancel, Is.False);
    }

    [Test]
    public void A_forced_cancel_kills_the_worker_still_holding_the_cancelled_run()
    {
        var (worker, _, running) = AWorkerWithAFinishedAndARunningRun();
        Assert.That(worker.TryKillForCancel(running), Is.True);
    }

    [Test]
    public void A_worker_killed_for_a_forced_cancel_takes_no_more_runs_and_its_other_runs_count_as_innocent()
    {
        var (worker, _, running) = AWorkerWithAFinishedAndARunningRun();
        worker.TryKillForCancel(running);
        Assert.That(worker.IsLeaving && worker.KilledForCancel, Is.True);
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

        Assert.That(starts, Is.GreaterThanOrEqualTo(1 + 3), "precondition: the actor's worker and three more task workers were started");
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

    private static int[] WaitForPids(string file, int count) => ProcessTestSupport.WaitForPids(file, count, NoHang);
}
