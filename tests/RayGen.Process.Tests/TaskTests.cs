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
    public void Init_without_options_runs_tasks_in_another_process()
    {
        using var ray = Ray.Init();
        Assert.That(ray.Mode, Is.EqualTo(RayMode.Processes));
        var pid = ProcTasks.Remote.Pid().Get(TimeSpan.FromSeconds(30));
        Assert.That(pid, Is.Not.EqualTo(Environment.ProcessId));
    }

    [Test]
    public void Two_slow_tasks_on_two_cpus_run_at_once_in_different_processes()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 2 });
        // Parallelism is the point here, not start-up: wait until the two prestarted workers are connected.
        var ready = DateTime.UtcNow.AddSeconds(30);
        while (ProcessTestSupport.Backend(ray).Workers.Count(w => w.IsConnected) < 2 && DateTime.UtcNow < ready) System.Threading.Thread.Sleep(20);
        var clock = ProcessTestSupport.Time();
        var a = ProcTasks.Remote.SleepThenPid(1500);
        var b = ProcTasks.Remote.SleepThenPid(1500);
        var pids = Ray.Get(new[] { a, b });
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2.9)));
        Assert.That(pids[0], Is.Not.EqualTo(pids[1]));
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
        var marker = Path.Combine(Path.GetTempPath(), $"raygen-test-crash-{Guid.NewGuid():N}");
        try
        {
            var result = ProcTasks.Remote.With(new RemoteOptions { MaxRetries = 0 }).CrashOnce(marker);
            Assert.Throws<WorkerCrashedException>(() => result.Get(TimeSpan.FromSeconds(60)));
            // The runtime replaced the worker and goes on.
            Assert.That(ProcTasks.Remote.Pid().Get(TimeSpan.FromSeconds(30)), Is.Not.EqualTo(Environment.ProcessId));
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
    public void Put_and_wait_inside_a_worker_go_through_the_driver()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 2 });
        Assert.That(ProcTasks.Remote.SumOfPut(100).Get(TimeSpan.FromSeconds(60)), Is.EqualTo(4950));
        Assert.That(ProcTasks.Remote.WaitForAny().Get(TimeSpan.FromSeconds(60)), Is.EqualTo(1));
    }

    [Test]
    public void Cancel_signals_the_token_in_the_worker()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var pid = ProcTasks.Remote.Pid().Get(TimeSpan.FromSeconds(30));
        var waiting = ProcTasks.Remote.WaitsForCancel();
        System.Threading.Thread.Sleep(300);
        Ray.Cancel(waiting);
        Assert.Throws<RayTaskCanceledException>(() => waiting.Get(TimeSpan.FromSeconds(30)));
        Assert.That(ProcessTestSupport.IsAlive(pid), Is.True, "a plain cancel leaves the worker alive");
    }

    [Test]
    public void Cancel_with_force_kills_the_worker_and_a_fresh_one_takes_over()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var stuck = ProcTasks.Remote.SleepsForever();
        System.Threading.Thread.Sleep(500);
        var workerPids = ProcessTestSupport.Backend(ray).Workers.Select(w => w.Pid).ToArray();
        Ray.Cancel(stuck, force: true);
        Assert.Throws<RayTaskCanceledException>(() => stuck.Get(TimeSpan.FromSeconds(30)));
        var pid = ProcTasks.Remote.Pid().Get(TimeSpan.FromSeconds(30));
        Assert.That(workerPids, Does.Not.Contain(pid));
    }

    [Test]
    public void No_session_file_is_left_after_shutdown()
    {
        var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var dir = ProcessTestSupport.Backend(ray).Session.Path;
        ProcTasks.Remote.Pid().Get(TimeSpan.FromSeconds(30));
        Assert.That(Directory.Exists(dir), Is.True);
        var pids = ProcessTestSupport.Backend(ray).Workers.Select(w => w.Pid).ToArray();
        ray.Dispose();
        Assert.That(Directory.Exists(dir), Is.False);
        Assert.That(pids.Where(ProcessTestSupport.IsAlive), Is.Empty);
    }
}
