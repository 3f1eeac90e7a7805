using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using NUnit.Framework;
using RayGen.Execution;

namespace RayGen.Process.Tests;

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

            var burst = PoolTasks.Remote.PidsOfFanOut(6, 500).Get(NoHang);
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
