using System;
using System.Collections.Concurrent;
using System.IO;
using NUnit.Framework;
using RayGen.Tests.Remotes;

namespace RayGen.Tests;

[TestFixtureSource(typeof(Modes), nameof(Modes.All))]
public class PlacementGroupTests : RuntimeFixture
{
    public PlacementGroupTests(RayMode mode) : base(mode) { }

    // How long a check that something does NOT happen looks; the claim holds whatever this is.
    private static readonly TimeSpan Glance = TimeSpan.FromMilliseconds(300);

    private static Bundle[] OneCpuBundles(int count)
    {
        var bundles = new Bundle[count];
        for (var i = 0; i < count; i++) bundles[i] = new Bundle { NumCpus = 1 };
        return bundles;
    }

    private static RemoteOptions In(PlacementGroup group, int bundle = -1) =>
        new() { SchedulingStrategy = SchedulingStrategy.PlacementGroup(group, bundle) };

    [Test]
    public void A_group_that_fits_becomes_ready_and_its_cpus_are_not_free_for_other_tasks_until_it_is_removed()
    {
        var group = Ray.PlacementGroup(OneCpuBundles(2), PlacementStrategy.Pack);
        Assert.That(group.Wait(NoHang), Is.True, "two 1-CPU bundles fit two CPUs");

        var third = TestTasks.Remote.Add(1, 2);
        var (ready, _) = Ray.Wait(new[] { third }, timeout: Glance);
        Assert.That(ready, Is.Empty, "the group holds both CPUs");

        Ray.RemovePlacementGroup(group);
        Assert.That(third.Get(NoHang), Is.EqualTo(3));
    }

    [Test]
    public async System.Threading.Tasks.Task Ready_can_be_awaited()
    {
        var group = Ray.PlacementGroup(OneCpuBundles(1));
        await group.Ready().WaitAsync(NoHang);
        Assert.That(group.BundleCount, Is.EqualTo(1));
    }

    [Test]
    public void StrictPack_of_three_cpus_on_two_stays_pending_with_a_warning_and_holds_nothing()
    {
        var warnings = new ConcurrentQueue<string>();
        Runtime.Core.WarningSink = warnings.Enqueue;
        var group = Ray.PlacementGroup(OneCpuBundles(3), PlacementStrategy.StrictPack);

        Assert.That(warnings, Has.Some.Contains("placement group").And.Some.Contains("StrictPack"));
        Assert.That(group.Wait(Glance), Is.False);
        Assert.That(TestTasks.Remote.With(new RemoteOptions { NumCpus = 2 }).Add(1, 1).Get(NoHang), Is.EqualTo(2), "both CPUs are still free");
        Ray.RemovePlacementGroup(group);
    }

    [Test]
    public void StrictSpread_of_two_bundles_on_one_node_stays_pending()
    {
        var group = Ray.PlacementGroup(OneCpuBundles(2), PlacementStrategy.StrictSpread);
        Assert.That(group.Wait(Glance), Is.False);
    }

    [TestCase(PlacementStrategy.Pack)]
    [TestCase(PlacementStrategy.Spread)]
    [TestCase(PlacementStrategy.StrictPack)]
    public void Pack_Spread_and_StrictPack_fit_when_the_total_fits(PlacementStrategy strategy)
    {
        Assert.That(Ray.PlacementGroup(OneCpuBundles(2), strategy).Wait(NoHang), Is.True);
    }

    [Test]
    public void A_group_that_does_not_fit_yet_is_reserved_once_the_cpus_free_up()
    {
        var gate = ScratchFile("gate");
        var busy = TestTasks.Remote.HoldUntil(gate);
        var group = Ray.PlacementGroup(OneCpuBundles(2));
        Assert.That(group.Wait(Glance), Is.False, "one CPU is held by a task");
        File.WriteAllText(gate, "open");
        Assert.That(busy.Get(NoHang), Is.EqualTo(1));
        Assert.That(group.Wait(NoHang), Is.True);
    }

    [Test]
    public void A_task_scheduled_into_a_bundle_runs_on_the_bundles_resources()
    {
        var group = Ray.PlacementGroup(new[] { new Bundle { NumCpus = 2 } });
        Assert.That(group.Wait(NoHang), Is.True);
        Assert.That(TestTasks.Remote.With(In(group, 0)).Add(2, 3).Get(NoHang), Is.EqualTo(5));
        Assert.That(TestTasks.Remote.With(In(group)).Add(3, 4).Get(NoHang), Is.EqualTo(7), "bundle index -1: any bundle");
    }

    [Test]
    public void A_bundles_resources_are_used_only_by_work_scheduled_into_that_bundle()
    {
        var gate = ScratchFile("gate");
        var group = Ray.PlacementGroup(OneCpuBundles(2));
        Assert.That(group.Wait(NoHang), Is.True);
        var holder = TestTasks.Remote.With(In(group, 0)).MarkThenHoldUntil(ScratchFile("started"), gate);
        WaitForFile(ScratchFile("started"));

        var sameBundle = TestTasks.Remote.With(In(group, 0)).Add(1, 1);
        var outside = TestTasks.Remote.Add(2, 2);
        Assert.That(TestTasks.Remote.With(In(group, 1)).Add(3, 3).Get(NoHang), Is.EqualTo(6), "bundle 1 is free");
        var (ready, _) = Ray.Wait(new[] { sameBundle, outside }, timeout: Glance);
        Assert.That(ready, Is.Empty, "bundle 0 is busy, and bundle 1's CPU is not for tasks outside the group");

        File.WriteAllText(gate, "open");
        Assert.That(holder.Get(NoHang), Is.EqualTo(1));
        Assert.That(sameBundle.Get(NoHang), Is.EqualTo(2));
        Ray.RemovePlacementGroup(group);
        Assert.That(outside.Get(NoHang), Is.EqualTo(4));
    }

    [Test]
    public void Removing_a_group_fails_a_task_running_in_it_and_returns_its_cpus()
    {
        var gate = ScratchFile("gate");
        var group = Ray.PlacementGroup(OneCpuBundles(2));
        Assert.That(group.Wait(NoHang), Is.True);
        var running = TestTasks.Remote.With(In(group, 0)).MarkThenHoldUntil(ScratchFile("started"), gate);
        WaitForFile(ScratchFile("started"));

        Ray.RemovePlacementGroup(group);
        var error = Assert.Throws<RayException>(() => running.Get(NoHang));
        Assert.That(error!.Message, Does.Contain("placement group").And.Contain("removed"));
        File.WriteAllText(gate, "open"); // in process the thread cannot be killed: let it end
        Assert.That(TestTasks.Remote.With(new RemoteOptions { NumCpus = 2 }).Add(1, 1).Get(NoHang), Is.EqualTo(2));
    }

    [Test]
    public void Removing_a_group_kills_the_actors_placed_in_it()
    {
        var group = Ray.PlacementGroup(OneCpuBundles(1));
        var counter = Counter.Remote.With(In(group, 0)).New(0);
        Assert.That(counter.Increment().Get(NoHang), Is.EqualTo(1));

        Ray.RemovePlacementGroup(group);
        var error = Assert.Throws<ActorDiedException>(() => counter.Increment().Get(NoHang));
        Assert.That(error!.Message, Does.Contain("placement group"));
    }

    [Test]
    public void A_task_scheduled_into_a_removed_group_fails()
    {
        var group = Ray.PlacementGroup(OneCpuBundles(1));
        Ray.RemovePlacementGroup(group);
        Assert.That(() => TestTasks.Remote.With(In(group)).Add(1, 1).Get(NoHang),
            Throws.InstanceOf<RayException>().With.Message.Contains("removed"));
    }

    [Test]
    public void Removing_a_pending_group_fails_its_Ready()
    {
        var group = Ray.PlacementGroup(OneCpuBundles(3), PlacementStrategy.StrictPack);
        Ray.RemovePlacementGroup(group);
        Assert.That(() => group.Wait(NoHang), Throws.InstanceOf<RayException>().With.Message.Contains("removed"));
    }

    [Test]
    public void A_group_passed_to_a_task_schedules_the_tasks_nested_work()
    {
        var group = Ray.PlacementGroup(OneCpuBundles(1));
        Assert.That(PlacementTasks.Remote.AddInGroupAsync(group, 0, 20, 22).Get(NoHang), Is.EqualTo(42));
    }

    [Test]
    public void A_task_can_make_use_and_remove_a_group()
    {
        Assert.That(PlacementTasks.Remote.MakeUseAndRemoveGroup(40, 2).Get(NoHang), Is.EqualTo(42));
        Assert.That(TestTasks.Remote.With(new RemoteOptions { NumCpus = 2 }).Add(1, 1).Get(NoHang), Is.EqualTo(2), "the group's CPU came back");
    }

    [Test]
    public void An_empty_bundle_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Ray.PlacementGroup(new[] { new Bundle() }));
    }
}
