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
using RayGen.InWorker;
using RayGen.WorkerHost;

namespace RayGen.Process.Tests;

[TestFixture]
[NonParallelizable]
public class WorkerPoolTests
{
    /// <summary>Hang detection, never a speed claim.</summary>
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(90);

    private static readonly RemoteOptions NoRetries = new() { MaxRetries = 0 };

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
    public void Task_workers_a_nested_burst_added_retire_once_idle_until_NumCpus_remain_and_later_tasks_still_run()
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

            var burst = PoolTasks.Remote.With(NoRetries).PidsOfFanOut(6, 500).Get(NoHang);
            Assert.That(burst, Has.Length.GreaterThan(2), "the burst ran in more task workers than NumCpus");

            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (LiveTaskWorkers(backend) > 2 && DateTime.UtcNow < deadline) Thread.Sleep(20);
            Assert.That(LiveTaskWorkers(backend), Is.EqualTo(2), "idle extra workers retire, down to NumCpus and no further");
            var kept = backend.Workers.Select(w => w.Pid).ToArray();
            Assert.That(burst.Except(kept).Where(ProcessTestSupport.IsAlive), Is.Empty, "the retired workers' processes are gone");

            Assert.That(ProcTasks.Remote.Fib(10).Get(NoHang), Is.EqualTo(55), "tasks still run after the retirement, with correct results");
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
    public void A_worker_holding_a_run_is_not_retired_and_a_retired_one_refuses_the_run_that_picked_it_just_before()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var backend = ProcessTestSupport.Backend(ray);
        var worker = backend.Workers.Single();
        var ready = DateTime.UtcNow + NoHang;
        while (!worker.IsConnected && DateTime.UtcNow < ready) Thread.Sleep(10);
        var longIdle = Environment.TickCount64 + 60_000; // "now" far enough ahead that any idle worker qualifies

        var busy = ProcTasks.Remote.SleepThenPid(300);
        Assert.That(worker.TryRetire(longIdle, idleMilliseconds: 0), Is.False, "a worker holding a run stays");
        var firstPid = busy.Get(NoHang);

        Assert.That(worker.TryRetire(longIdle, idleMilliseconds: 0), Is.True, "an idle one retires");
        // The window between the pool picking a worker and starting a run on it: the run is refused, not lost.
        var late = new WorkerRun(0, RunKind.Task, null!, null, worker);
        Assert.That(worker.TryStart(late, new RunFrame { RunId = 0 }), Is.False, "a retired worker refuses a run");
        Assert.That(ProcTasks.Remote.Pid().Get(NoHang), Is.Not.EqualTo(firstPid), "the pool places the next task on another worker");
    }

    [Test]
    public void Workers_retiring_while_bursts_come_and_go_never_lose_a_run_nor_count_it_as_a_crash()
    {
        // An idle timeout shorter than a process start: workers retire between and inside bursts, while runs are placed.
        using var ray = Ray.Init(new RayOptions { NumCpus = 2, IdleWorkerTimeout = TimeSpan.FromMilliseconds(5) });
        var pause = new Random(11);
        for (var round = 0; round < 8; round++)
        {
            var bursts = Enumerable.Range(0, 2).Select(_ => PoolTasks.Remote.With(NoRetries).PidsOfFanOut(4, 20)).ToArray();
            // With MaxRetries = 0 a run lost with a retiring worker fails its burst with WorkerCrashedException.
            Assert.That(Ray.Get(bursts, NoHang).Select(pids => pids.Length), Has.All.GreaterThan(0), $"round {round}");
            Thread.Sleep(pause.Next(0, 30));
        }

        Assert.That(ProcTasks.Remote.With(NoRetries).Fib(8).Get(NoHang), Is.EqualTo(21));
    }

    [Test]
    public void A_task_sharing_the_worker_of_a_force_cancelled_task_runs_again_elsewhere_without_spending_a_retry()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        ray.Core.WarningSink = _ => { }; // the never-placed child warns that it cannot fit
        var blockedPidFile = Path.Combine(_scratch, "blocked.pid");
        var sharingPidFile = Path.Combine(_scratch, "sharing.pid");

        var blocked = PoolTasks.Remote.BlocksInGetForever(blockedPidFile);
        var blockedPid = WaitForPid(blockedPidFile);
        // The only CPU is lent while the first task blocks, and its worker, all of whose runs are blocked, takes this one.
        var sharing = PoolTasks.Remote.With(new RemoteOptions { MaxRetries = 0 }).MarksPidThenSleeps(sharingPidFile, 1500);
        Assert.That(WaitForPid(sharingPidFile), Is.EqualTo(blockedPid), "the two tasks share one worker");

        Ray.Cancel(blocked, force: true);

        Assert.Throws<RayTaskCanceledException>(() => blocked.Get(NoHang));
        Assert.That(sharing.Get(NoHang), Is.Not.EqualTo(blockedPid), "the innocent task ran again, in another worker, although MaxRetries is 0");
        Assert.That(ProcessTestSupport.IsAlive(blockedPid), Is.False, "the forced cancel killed the shared worker");
    }

    private static int LiveTaskWorkers(ProcessBackend backend) => backend.Workers.Count(w => w.Actor is null);

    /// <summary>The tasks write the file aside and move it into place, so once it exists it holds the whole number.</summary>
    private static int WaitForPid(string file)
    {
        var deadline = DateTime.UtcNow + NoHang;
        while (!File.Exists(file) && DateTime.UtcNow < deadline) Thread.Sleep(10);
        Assert.That(File.Exists(file), Is.True, $"{Path.GetFileName(file)} was written");
        return int.Parse(File.ReadAllText(file), NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
