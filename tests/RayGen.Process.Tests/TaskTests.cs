using System;
using System.IO;
using System.Linq;
using NUnit.Framework;

namespace RayGen.Process.Tests;

[TestFixture]
[NonParallelizable]
public class TaskTests
{
    [TearDown]
    public void TearDown()
    {
        Ray.Shutdown();
        ProcessTestSupport.KillLeftoverWorkers();
    }

    [Test]
    public void Init_without_options_starts_process_mode()
    {
        using var ray = Ray.Init();
        Assert.That(ray.Mode, Is.EqualTo(RayMode.Processes));
    }

    [Test]
    public void Init_without_options_runs_tasks_in_a_worker_process()
    {
        using var ray = Ray.Init();
        var pid = ProcTasks.Remote.Pid().Get(TimeSpan.FromSeconds(30));
        Assert.That(ProcessTestSupport.IsWorkerProcess(pid), Is.True, $"pid {pid} runs RayGen.Worker.dll");
        Assert.That(ProcessTestSupport.WorkerPids(ray), Does.Contain(pid), "one of the runtime's own workers");
    }

    [Test]
    public void A_task_in_a_worker_sees_the_same_nodes_and_resources_as_its_driver()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 2 });
        var node = Ray.Nodes().Single();
        var seen = ProcTasks.Remote.ClusterSeenFromATask().Get(TimeSpan.FromSeconds(30));
        Assert.That(seen, Is.EqualTo(new[] { $"{node.NodeId}|True|2", "total 2", "free 1" }),
            "one node, two CPUs, and one of them held by the task that asks");
    }

    [Test]
    public void Two_tasks_on_two_cpus_run_at_the_same_time()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 2 });
        // Each waits for the other's mark: both return a pid only if they ran side by side.
        var (a, b) = (ProcessTestSupport.ScratchPath("a"), ProcessTestSupport.ScratchPath("b"));
        try
        {
            var pids = Ray.Get(new[] { ProcTasks.Remote.RendezvousThenPid(a, b), ProcTasks.Remote.RendezvousThenPid(b, a) });
            Assert.That(pids, Has.None.EqualTo(-1), "both tasks met the other");
        }
        finally
        {
            File.Delete(a);
            File.Delete(b);
        }
    }

    [Test]
    public void Two_tasks_running_at_the_same_time_run_in_two_worker_processes()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 2 });
        var (a, b) = (ProcessTestSupport.ScratchPath("a"), ProcessTestSupport.ScratchPath("b"));
        try
        {
            var pids = Ray.Get(new[] { ProcTasks.Remote.RendezvousThenPid(a, b), ProcTasks.Remote.RendezvousThenPid(b, a) });
            Assert.That(pids[0], Is.Not.EqualTo(pids[1]));
            Assert.That(pids.All(ProcessTestSupport.IsWorkerProcess), Is.True, $"pids {pids[0]} and {pids[1]} run RayGen.Worker.dll");
        }
        finally
        {
            File.Delete(a);
            File.Delete(b);
        }
    }

    [Test]
    public void A_ten_megabyte_array_round_trips()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var data = new byte[10 * 1024 * 1024];
        new Random(7).NextBytes(data);
        var back = ProcTasks.Remote.Reverse(data).Get(TimeSpan.FromSeconds(60));
        Array.Reverse(back);
        Assert.That(back.AsSpan().SequenceEqual(data), Is.True);
    }

    [Test]
    public void A_256_MB_double_array_put_once_is_summed_by_a_task_and_read_back_intact()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var data = new double[32 * 1024 * 1024];
        for (var i = 0; i < data.Length; i++) data[i] = i % 1000;
        var expected = 0.0;
        foreach (var v in data) expected += v;
        var stored = Ray.Put(data);
        Assert.That(ProcTasks.Remote.SumDoubles(stored).Get(TimeSpan.FromSeconds(120)), Is.EqualTo(expected));
        var back = stored.Get();
        Assert.That(back.AsSpan().SequenceEqual(data), Is.True);
    }

    [Test]
    public void A_put_value_passed_by_ref_reaches_the_worker()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var values = Ray.Put(Enumerable.Range(1, 1000).ToArray());
        Assert.That(ProcTasks.Remote.Sum(values).Get(TimeSpan.FromSeconds(30)), Is.EqualTo(500500));
    }

    [Test]
    public void An_exception_in_the_worker_becomes_a_RayTaskException()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var error = Assert.Throws<RayTaskException>(() => ProcTasks.Remote.Throws("boom").Get(TimeSpan.FromSeconds(30)));
        Assert.That(error!.ErrorType, Is.EqualTo(typeof(InvalidOperationException).FullName));
        Assert.That(error.Message, Does.Contain("boom"));
        Assert.That(error.RemoteStackTrace, Does.Contain(nameof(ProcTasks.Throws)));
    }

    [Test]
    public void A_worker_that_crashes_once_is_retried_and_the_task_returns()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var marker = Path.Combine(Path.GetTempPath(), $"raygen-test-crash-{Guid.NewGuid():N}");
        try
        {
            Assert.That(ProcTasks.Remote.CrashOnce(marker).Get(TimeSpan.FromSeconds(60)), Is.EqualTo(42));
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Test]
    public void With_MaxRetries_zero_a_crash_throws_WorkerCrashedException()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var marker = ProcessTestSupport.ScratchPath("crash");
        try
        {
            var result = ProcTasks.Remote.With(new RemoteOptions { MaxRetries = 0 }).CrashOnce(marker);
            Assert.Throws<WorkerCrashedException>(() => result.Get(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Test]
    public void After_a_worker_crashed_the_next_task_runs_in_a_fresh_worker()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var marker = ProcessTestSupport.ScratchPath("crash");
        try
        {
            var crashed = ProcTasks.Remote.With(new RemoteOptions { MaxRetries = 0 }).CrashOnce(marker);
            Assert.Throws<WorkerCrashedException>(() => crashed.Get(TimeSpan.FromSeconds(60)));
            var crashedPid = int.Parse(File.ReadAllText(marker), System.Globalization.CultureInfo.InvariantCulture);
            var pid = ProcTasks.Remote.Pid().Get(TimeSpan.FromSeconds(30));
            Assert.That(pid, Is.Not.EqualTo(crashedPid), "not the crashed worker");
            Assert.That(ProcessTestSupport.IsWorkerProcess(pid), Is.True, $"pid {pid} runs RayGen.Worker.dll");
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Test]
    public void Recursive_fib_with_nested_get_finishes_on_two_cpus()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 2 });
        Assert.That(ProcTasks.Remote.Fib(10).Get(TimeSpan.FromSeconds(90)), Is.EqualTo(55));
    }

    [Test]
    public void A_value_put_inside_a_worker_reaches_a_nested_task()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 2 });
        Assert.That(ProcTasks.Remote.SumOfPut(100).Get(TimeSpan.FromSeconds(60)), Is.EqualTo(4950));
    }

    [Test]
    public void Wait_inside_a_worker_returns_the_finished_ref_and_leaves_the_pending_one()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 2 });
        Assert.That(ProcTasks.Remote.WaitReturnsTheFinishedRef().Get(TimeSpan.FromSeconds(60)), Is.True);
    }

    /// <summary>Starts a task that writes its pid and awaits its token; returns once it has written the pid.</summary>
    private static ObjectRef<int> StartAwaitingCancellation(string started, string observed, out int pid)
    {
        var running = ProcTasks.Remote.PidThenAwaitCancellation(started, observed);
        pid = int.Parse(ProcessTestSupport.WaitForFile(started), System.Globalization.CultureInfo.InvariantCulture);
        return running;
    }

    [Test]
    public void Cancel_signals_the_token_in_the_worker()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var (started, observed) = (ProcessTestSupport.ScratchPath("started"), ProcessTestSupport.ScratchPath("observed"));
        try
        {
            var running = StartAwaitingCancellation(started, observed, out _);
            Ray.Cancel(running);
            Assert.Throws<RayTaskCanceledException>(() => running.Get(TimeSpan.FromSeconds(30)));
            Assert.That(File.Exists(observed), Is.True, "the task in the worker saw its token end its await");
        }
        finally
        {
            File.Delete(started);
            File.Delete(observed);
        }
    }

    [Test]
    public void A_plain_cancel_leaves_the_worker_alive()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var (started, observed) = (ProcessTestSupport.ScratchPath("started"), ProcessTestSupport.ScratchPath("observed"));
        try
        {
            var running = StartAwaitingCancellation(started, observed, out var pid);
            Ray.Cancel(running);
            Assert.Throws<RayTaskCanceledException>(() => running.Get(TimeSpan.FromSeconds(30)));
            Assert.That(ProcessTestSupport.IsWorkerProcess(pid), Is.True, $"worker {pid} still runs");
            Assert.That(ProcessTestSupport.WorkerPids(ray), Does.Contain(pid), "and the runtime still counts it");
        }
        finally
        {
            File.Delete(started);
            File.Delete(observed);
        }
    }

    [Test]
    public void Cancel_with_force_kills_the_worker_running_the_task()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var started = ProcessTestSupport.ScratchPath("started");
        try
        {
            var stuck = ProcTasks.Remote.PidThenSleepForever(started);
            var pid = int.Parse(ProcessTestSupport.WaitForFile(started), System.Globalization.CultureInfo.InvariantCulture);
            Ray.Cancel(stuck, force: true);
            Assert.Throws<RayTaskCanceledException>(() => stuck.Get(TimeSpan.FromSeconds(30)));
            Assert.That(ProcessTestSupport.WaitForExit(pid, TimeSpan.FromSeconds(30)), Is.True, $"worker {pid} exited");
        }
        finally
        {
            File.Delete(started);
        }
    }

    [Test]
    public void After_a_force_cancel_a_fresh_worker_runs_the_next_task()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var started = ProcessTestSupport.ScratchPath("started");
        try
        {
            var stuck = ProcTasks.Remote.PidThenSleepForever(started);
            var killed = int.Parse(ProcessTestSupport.WaitForFile(started), System.Globalization.CultureInfo.InvariantCulture);
            Ray.Cancel(stuck, force: true);
            var pid = ProcTasks.Remote.Pid().Get(TimeSpan.FromSeconds(30));
            Assert.That(pid, Is.Not.EqualTo(killed));
            Assert.That(ProcessTestSupport.IsWorkerProcess(pid), Is.True, $"pid {pid} runs RayGen.Worker.dll");
        }
        finally
        {
            File.Delete(started);
        }
    }

    [Test]
    public void No_session_folder_is_left_after_shutdown()
    {
        var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var dir = ProcessTestSupport.Backend(ray).Session.Path;
        ProcTasks.Remote.Pid().Get(TimeSpan.FromSeconds(30));
        Assert.That(Directory.Exists(dir), Is.True);
        ray.Dispose();
        Assert.That(Directory.Exists(dir), Is.False);
    }

    [Test]
    public void No_worker_is_left_alive_after_shutdown()
    {
        var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        ProcTasks.Remote.Pid().Get(TimeSpan.FromSeconds(30));
        var pids = ProcessTestSupport.WorkerPids(ray);
        Assert.That(pids, Is.Not.Empty);
        ray.Dispose();
        Assert.That(pids.Where(ProcessTestSupport.IsAlive), Is.Empty);
    }
}
