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

    private static int LiveTaskWorkers(ProcessBackend backend) => backend.Workers.Count(w => w.Actor is null);
}
