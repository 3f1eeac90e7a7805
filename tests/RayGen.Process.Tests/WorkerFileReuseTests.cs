using System;
using System.Linq;
using NUnit.Framework;

namespace RayGen.Process.Tests;

/// <summary>
/// Files workers write (large results and puts, handed over to the driver) are given back to their writer once the
/// driver frees them, and written into again through the writer's warm map; never while anyone can still read them.
/// </summary>
[TestFixture]
[NonParallelizable]
public class WorkerFileReuseTests
{
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(90);

    [TearDown]
    public void TearDown()
    {
        Ray.Shutdown();
        ProcessTestSupport.KillLeftoverWorkers();
    }

    [Test]
    public void A_worker_file_freed_by_the_driver_is_reused_by_the_next_worker_write_and_reads_back_its_own_bytes()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var backend = ProcessTestSupport.Backend(ray);
        var store = ProcessTestSupport.CurrentStore;
        ReuseTasks.Remote.PutsAndDropsOne(11).Get(NoHang);
        // The worker reports the ref it let go, a full collection here lets the driver's entry go, and the sweep frees
        // the value: its file goes back to the worker that wrote it (CollectEverywhere would delete it instead).
        store.CollectRemote!();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        store.Sweep();
        Assert.That(backend.LentFiles.LentCount, Is.GreaterThanOrEqualTo(1), "precondition: the driver gave the freed file back");

        var refs = ReuseTasks.Remote.PutsIntoAFileGivenBack(22).Get(NoHang);

        Assert.That(refs[1].Get(NoHang), Is.EqualTo(new[] { 1L }), "the second put went into the file given back");
        var second = refs[0].Get(NoHang);
        Assert.That(second, Has.Length.EqualTo(ReuseTasks.Longs));
        Assert.That(second.All(v => v == 22), Is.True, "the reused file holds the second value, whole");
    }

    [Test]
    public void A_worker_file_is_not_given_back_while_the_driver_holds_its_value_and_a_view_of_it_stays_intact()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var backend = ProcessTestSupport.Backend(ray);
        var held = ReuseTasks.Remote.Returns(7);
        using var view = held.GetView();
        Assert.That(view.Span.ToArray().All(v => v == 7), Is.True);

        // Workers write and drop many values of the same size meanwhile, reusing the files they get back.
        var reuses = Enumerable.Range(0, 4).Select(i => ReuseTasks.Remote.PutsAndDrops(6, 100 * (i + 1))).ToArray();
        Assert.That(Ray.Get(reuses, NoHang).Sum(), Is.GreaterThan(0), "files were given back and written into meanwhile");

        Assert.That(view.Span.ToArray().All(v => v == 7), Is.True, "the mapped value was not overwritten");
        Assert.That(held.Get(NoHang).All(v => v == 7), Is.True, "and reads back whole");
        Assert.That(backend.LentFiles.LentCount, Is.GreaterThan(0));
    }

    [Test]
    public void Files_lent_to_a_worker_that_dies_stop_counting_against_the_store()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var backend = ProcessTestSupport.Backend(ray);
        var store = ProcessTestSupport.CurrentStore;
        ReadAndDrop();
        // The worker collects and reports what it let go; the driver frees the result and gives its file back (a
        // CollectEverywhere would delete it instead: it makes the store as small as it can be).
        store.CollectRemote!();
        // A full collection (the driver's entry may be in any generation by now), then a sweep, which frees the value.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        store.Sweep();
        Assert.That(backend.LentFiles.Bytes, Is.GreaterThan(0), "the freed result's file was lent to the worker that wrote it");
        var usedWhileLent = store.Used;

        foreach (var worker in backend.Workers.ToArray()) worker.Kill(intentional: false);

        ProcessTestSupport.WaitUntil(() => backend.LentFiles.Bytes <= 0, "the pool to notice the worker's exit and take back its lent files", NoHang);

        Assert.That(store.Used, Is.LessThan(usedWhileLent), "its lent file no longer counts");
    }

    [Test]
    public void A_worker_lets_go_of_its_map_of_a_handed_over_file_the_driver_deleted()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        ReadAndDrop();
        // A full collection deletes the freed result rather than lending it; the worker's next sweep (run by the
        // collection the test asks for next) sees the file gone and unmaps it, so its pages are not held.
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(ReuseTasks.Remote.HandedOverMapsAfterSweep().Get(NoHang), Is.Zero);
    }

    [Test]
    public void A_worker_put_is_freed_and_its_file_given_back_once_the_worker_reports_its_release_with_no_collection_in_the_driver()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var backend = ProcessTestSupport.Backend(ray);
        ReuseTasks.Remote.PutsAndDropsOne(11).Get(NoHang);

        // The worker collects and reports the ref it let go; its answer follows the release on the same connection.
        ProcessTestSupport.CurrentStore.CollectRemote!();

        Assert.That(backend.LentFiles.LentCount, Is.EqualTo(1), "nothing in the driver could reach the put, so its file went back at the release");
    }

    [Test]
    public void A_worker_put_whose_ref_reached_the_driver_stays_readable_after_the_worker_lets_go_of_it()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var backend = ProcessTestSupport.Backend(ray);
        var held = ReuseTasks.Remote.PutsOfLength(ReuseTasks.Longs, 9).Get(NoHang)[0];

        ProcessTestSupport.CurrentStore.CollectRemote!();

        Assert.That(backend.LentFiles.LentCount, Is.Zero, "the driver holds the ref: the value is not freed");
        Assert.That(held.Get(NoHang).All(v => v == 9), Is.True);
    }

    [Test]
    public void A_worker_put_written_into_a_file_given_back_takes_over_that_files_charge()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var backend = ProcessTestSupport.Backend(ray);
        var store = ProcessTestSupport.CurrentStore;
        GiveBackOneFile(backend);

        var refs = ReuseTasks.Remote.PutsIntoAFileGivenBack(22).Get(NoHang);

        Assert.That(refs[1].Get(NoHang), Is.EqualTo(new[] { 1L }), "precondition: the put went into the file given back");
        Assert.That(backend.LentFiles.TakenOverCount, Is.EqualTo(1), "the put took the lent file's charge over");
        Assert.That(backend.LentFiles.Bytes, Is.Zero, "the lent file no longer counts as lent");
        Assert.That(store.Used, Is.EqualTo(store.Files.Bytes + refs[0].Entry.Shared!.Charged), "the store counts the new value once, and nothing else of it");
        Assert.That(refs[0].Get(NoHang).All(v => v == 22), Is.True);
    }

    [Test]
    public void A_worker_put_larger_than_the_file_given_back_it_was_written_into_settles_that_file_and_is_counted_once()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var backend = ProcessTestSupport.Backend(ray);
        var store = ProcessTestSupport.CurrentStore;
        GiveBackOneFile(backend);

        // A hundred longs more: still within the kept map (rounded up), but more bytes than the lent file's charge.
        var refs = ReuseTasks.Remote.PutsOfLength(ReuseTasks.Longs + 100, 33).Get(NoHang);

        Assert.That(refs[1].Get(NoHang), Is.EqualTo(new[] { 1L }), "precondition: the put went into the file given back");
        Assert.That(backend.LentFiles.TakenOverCount, Is.Zero, "too large to take the lent charge over");
        Assert.That(backend.LentFiles.Bytes, Is.Zero, "the lent file was settled");
        Assert.That(store.Used, Is.EqualTo(store.Files.Bytes + refs[0].Entry.Shared!.Charged), "the store counts the new value once, and nothing else of it");
        Assert.That(refs[0].Get(NoHang), Has.Length.EqualTo(ReuseTasks.Longs + 100));
    }

    /// <summary>A worker puts a large value and drops it; its release frees the value and the file goes back to it.</summary>
    private static void GiveBackOneFile(RayGen.Driver.ProcessBackend backend)
    {
        ReuseTasks.Remote.PutsAndDropsOne(11).Get(NoHang);
        ProcessTestSupport.CurrentStore.CollectRemote!();
        Assert.That(backend.LentFiles.Bytes, Is.GreaterThan(0), "precondition: the freed put's file was lent back to the worker");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void ReadAndDrop() => Assert.That(ReuseTasks.Remote.Returns(5).Get(NoHang)[0], Is.EqualTo(5));
}
