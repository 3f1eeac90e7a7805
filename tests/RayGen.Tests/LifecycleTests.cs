using System;
using System.IO;
using NUnit.Framework;
using RayGen.Tests.Remotes;

namespace RayGen.Tests;

/// <summary>Init, Shutdown and using RayGen without a runtime. Manages the runtime itself.</summary>
[TestFixtureSource(typeof(Modes), nameof(Modes.All))]
public class LifecycleTests
{
    private readonly RayMode _mode;

    public LifecycleTests(RayMode mode) => _mode = mode;

    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(20);

    private string _scratch = null!;

    [SetUp]
    public void MakeScratch()
    {
        _scratch = Path.Combine(Path.GetTempPath(), "raygen-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
    }

    [TearDown]
    public void Stop()
    {
        Ray.Shutdown();
        try { Directory.Delete(_scratch, recursive: true); } catch (IOException) { }
    }

    private string ScratchFile(string name) => Path.Combine(_scratch, name);

    [Test]
    public void A_second_Init_while_one_runs_fails_clearly()
    {
        Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
        Assert.That(() => Ray.Init(new RayOptions { Mode = _mode }),
            Throws.InstanceOf<RayException>().With.Message.Contains("already running"));
    }

    [Test]
    public void Init_after_Shutdown_starts_a_runtime_with_the_new_options()
    {
        Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
        Ray.Shutdown();
        using var second = Ray.Init(new RayOptions { Mode = _mode, NumCpus = 3 });
        Assert.That(second.NumCpus, Is.EqualTo(3));
    }

    [Test]
    public void Init_after_Shutdown_runs_tasks()
    {
        Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
        Ray.Shutdown();
        using var second = Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
        Assert.That(TestTasks.Remote.Add(1, 2).Get(NoHang), Is.EqualTo(3));
    }

    [Test]
    public void Disposing_the_runtime_shuts_it_down()
    {
        var runtime = Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
        runtime.Dispose();
        Assert.That(Ray.IsInitialized, Is.False);
    }

    [Test]
    public void Init_after_disposing_the_runtime_starts_a_new_one()
    {
        Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 }).Dispose();
        using var again = Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
        Assert.That(Ray.IsInitialized, Is.True);
    }

    [Test]
    public void A_remote_call_without_a_runtime_says_to_call_Init_first() =>
        Assert.That(() => TestTasks.Remote.Add(1, 2), Throws.InstanceOf<RayException>().With.Message.Contains("Ray.Init()"));

    [Test]
    public void Put_without_a_runtime_says_to_call_Init_first() =>
        Assert.That(() => Ray.Put(1), Throws.InstanceOf<RayException>().With.Message.Contains("Ray.Init()"));

    [Test]
    public void Creating_an_actor_without_a_runtime_says_to_call_Init_first() =>
        Assert.That(() => Counter.Remote.New(1), Throws.InstanceOf<RayException>().With.Message.Contains("Ray.Init()"));

    [Test]
    public void Get_of_a_ref_after_Shutdown_says_to_call_Init_first()
    {
        Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
        var value = Ray.Put(5);
        Ray.Shutdown();
        Assert.That(() => Ray.Get(value), Throws.InstanceOf<RayException>().With.Message.Contains("Ray.Init()"));
    }

    [Test]
    public void Shutdown_fails_the_ref_of_a_running_task_instead_of_leaving_it_hanging()
    {
        Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
        var started = ScratchFile("started");
        var running = TestTasks.Remote.AwaitCancellationAsync(started, ScratchFile("observed"));
        Assert.That(Signals.WaitForFile(started, NoHang), Is.True, "the task started");
        Ray.Shutdown();
        Assert.That(() => running.Get(NoHang), Throws.InstanceOf<RayException>().With.Message.Contains("shut down"));
    }

    [Test]
    public void Shutdown_fails_the_ref_of_a_queued_task_instead_of_leaving_it_hanging()
    {
        Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
        var started = ScratchFile("started");
        _ = TestTasks.Remote.AwaitCancellationAsync(started, ScratchFile("observed")); // holds the only CPU
        Assert.That(Signals.WaitForFile(started, NoHang), Is.True, "the first task started");
        var queued = TestTasks.Remote.Add(1, 1);
        Ray.Shutdown();
        Assert.That(() => queued.Get(NoHang), Throws.InstanceOf<RayException>().With.Message.Contains("shut down"));
    }

    [Test]
    public void An_argument_type_MemoryPack_cannot_serialize_fails_at_the_call_naming_type_and_method()
    {
        Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
        Assert.That(() => TestTasks.Remote.TakesPlain(new Plain()),
            Throws.InstanceOf<RayException>().With.Message.Contains(typeof(Plain).FullName).And.Message.Contains("TestTasks.TakesPlain"));
    }

    [Test]
    public void A_return_type_MemoryPack_cannot_serialize_fails_at_the_call_naming_type_and_method()
    {
        Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
        Assert.That(() => TestTasks.Remote.ReturnsPlain(1),
            Throws.InstanceOf<RayException>().With.Message.Contains(typeof(Plain).FullName).And.Message.Contains("TestTasks.ReturnsPlain"));
    }

    [Test]
    public void Negative_NumCpus_is_rejected_with_a_message_naming_it()
    {
        Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
        Assert.That(() => TestTasks.Remote.With(new RemoteOptions { NumCpus = -1 }).Add(1, 1),
            Throws.ArgumentException.With.Message.Contains("NumCpus"));
    }
}
