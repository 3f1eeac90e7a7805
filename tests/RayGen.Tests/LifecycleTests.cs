using System;
using NUnit.Framework;
using RayGen.Tests.Remotes;

namespace RayGen.Tests;

/// <summary>Init, Shutdown and using RayGen without a runtime. Manages the runtime itself.</summary>
[TestFixtureSource(typeof(Modes), nameof(Modes.All))]
public class LifecycleTests
{
    private readonly RayMode _mode;

    public LifecycleTests(RayMode mode) => _mode = mode;

    [TearDown]
    public void Stop() => Ray.Shutdown();

    [Test]
    public void A_second_Init_while_one_runs_fails_clearly()
    {
        Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
        Assert.That(() => Ray.Init(new RayOptions { Mode = _mode }),
            Throws.InstanceOf<RayException>().With.Message.Contains("already running"));
    }

    [Test]
    public void Init_after_Shutdown_starts_a_fresh_runtime_with_the_new_options()
    {
        Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
        Ray.Shutdown();
        using var second = Ray.Init(new RayOptions { Mode = _mode, NumCpus = 3 });
        Assert.That(second.NumCpus, Is.EqualTo(3));
        Assert.That(TestTasks.Remote.Add(1, 2).Get(), Is.EqualTo(3));
    }

    [Test]
    public void Disposing_the_runtime_shuts_it_down()
    {
        var runtime = Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
        runtime.Dispose();
        Assert.That(Ray.IsInitialized, Is.False);
        using var again = Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
        Assert.That(Ray.IsInitialized, Is.True);
    }

    [Test]
    public void Remote_calls_Put_and_Get_without_a_runtime_say_to_call_Init_first()
    {
        Assert.That(() => TestTasks.Remote.Add(1, 2), Throws.InstanceOf<RayException>().With.Message.Contains("Ray.Init()"));
        Assert.That(() => Ray.Put(1), Throws.InstanceOf<RayException>().With.Message.Contains("Ray.Init()"));
        Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
        var value = Ray.Put(5);
        Ray.Shutdown();
        Assert.That(() => Ray.Get(value), Throws.InstanceOf<RayException>().With.Message.Contains("Ray.Init()"));
        Assert.That(() => Counter.Remote.New(1), Throws.InstanceOf<RayException>().With.Message.Contains("Ray.Init()"));
    }

    [Test]
    public void Shutdown_fails_pending_refs_instead_of_leaving_them_hanging()
    {
        Ray.Init(new RayOptions { Mode = _mode, NumCpus = 1 });
        var running = TestTasks.Remote.WaitForCancelAsync();
        var queued = TestTasks.Remote.Add(1, 1);
        Ray.Shutdown();
        Assert.That(() => running.Get(TimeSpan.FromSeconds(20)), Throws.InstanceOf<RayException>().With.Message.Contains("shut down"));
        Assert.That(() => queued.Get(TimeSpan.FromSeconds(20)), Throws.InstanceOf<RayException>().With.Message.Contains("shut down"));
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
