using System;
using System.IO;
using System.Linq;
using NUnit.Framework;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.Process.Tests;

[TestFixture]
[NonParallelizable]
public class ObjectStoreTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [TearDown]
    public void TearDown()
    {
        Ray.Shutdown();
        ProcessTestSupport.KillLeftoverWorkers();
    }

    private const long RoundsCapacity = 512L * 1024 * 1024;

    /// <summary>24 rounds of one 128 MB array put and summed by a worker; returns the sum each round got.</summary>
    private static double[] SumRoundsOf128MBArrays()
    {
        var data = new double[16 * 1024 * 1024]; // 128 MB
        var sums = new double[24];
        for (var round = 0; round < sums.Length; round++)
        {
            data[round] = round + 1;
            sums[round] = ProcTasks.Remote.SumDoubles(Ray.Put(data)).Get(Long);
        }

        return sums;
    }

    [Test]
    public void Rounds_of_128_MB_arrays_through_a_512_MB_store_each_reach_the_worker_intact()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = RoundsCapacity });
        var expected = Enumerable.Range(1, 24).Select(round => (double)Enumerable.Range(1, round).Sum());
        Assert.That(SumRoundsOf128MBArrays(), Is.EqualTo(expected));
    }

    [Test]
    public void Rounds_of_128_MB_arrays_through_a_512_MB_store_never_take_it_past_its_capacity()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = RoundsCapacity });
        SumRoundsOf128MBArrays();
        Assert.That(ProcessTestSupport.CurrentStore.PeakUsed, Is.LessThanOrEqualTo(RoundsCapacity));
    }

    private const long SixResultsCapacity = 4L * 1024 * 1024;

    /// <summary>Six results of 2 MiB each (result i all i + 1), all held: three times what shared memory may hold.</summary>
    private static ObjectRef<double[]>[] SixResultsHeld()
    {
        var results = new ObjectRef<double[]>[6];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = StoreTasks.Remote.MakeDoubles(1 << 18, i + 1.0);
            results[i].Get(Long);
        }

        return results;
    }

    [Test]
    public void Worker_results_never_push_the_store_past_its_capacity()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = SixResultsCapacity });
        var results = SixResultsHeld();
        Assert.That(ProcessTestSupport.CurrentStore.PeakUsed, Is.LessThanOrEqualTo(SixResultsCapacity));
        GC.KeepAlive(results);
    }

    [Test]
    public void Worker_results_that_do_not_fit_in_shared_memory_go_to_the_spill_directory()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = SixResultsCapacity });
        var results = SixResultsHeld();
        Assert.That(Directory.GetFiles(ProcessTestSupport.Backend(ray).Session.SpillPath), Is.Not.Empty);
        GC.KeepAlive(results);
    }

    [Test]
    public void Spilled_worker_results_read_back_intact()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = SixResultsCapacity });
        var results = SixResultsHeld();
        for (var i = 0; i < results.Length; i++)
        {
            Assert.That(results[i].Get(Long), Has.Length.EqualTo(1 << 18).And.All.EqualTo(i + 1.0), $"result {i}");
        }
    }

    [Test]
    public void Reading_spilled_worker_results_back_keeps_to_the_capacity()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = SixResultsCapacity });
        foreach (var result in SixResultsHeld()) result.Get(Long);
        Assert.That(ProcessTestSupport.CurrentStore.PeakUsed, Is.LessThanOrEqualTo(SixResultsCapacity));
    }

    [Test]
    public void Shutdown_leaves_no_spilled_worker_result_behind()
    {
        var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = SixResultsCapacity });
        var session = ProcessTestSupport.Backend(ray).Session;
        var results = SixResultsHeld();
        GC.KeepAlive(results);
        ray.Dispose();
        Assert.That(new[] { session.SpillPath, session.Path }.Where(Directory.Exists), Is.Empty, "the spill directory and the session are gone");
    }

    private sealed record Refused(ObjectRef<byte[]> A, ObjectRef<byte[]> B, string ObjectsDir);

    /// <summary>A 1 MiB store whose spill directory holds 1 MiB too: a is spilled and b fills shared memory.</summary>
    private static (ObjectRef<byte[]> A, ObjectRef<byte[]> B) FillMemoryAndSpill()
    {
        ProcessTestSupport.CurrentStore.SpillLimit = 1 << 20;
        var a = Ray.Put(new byte[700 * 1024]);
        var b = Ray.Put(new byte[700 * 1024]);
        Assert.That(a.Entry.Shared!.Spilled, Is.True, "precondition: the spill directory is full now, and shared memory holds b");
        return (a, b);
    }

    /// <summary>A 720 KiB worker result where it fits nowhere (see <see cref="FillMemoryAndSpill"/>); its ref has failed when this returns.</summary>
    private static Refused RefuseAWorkerResult(RayRuntime ray)
    {
        var (a, b) = FillMemoryAndSpill();
        var result = StoreTasks.Remote.MakeDoubles(90 * 1024, 1.0);
        Assert.Throws<ObjectStoreFullException>(() => result.Get(Long), "precondition: the result was refused");
        return new Refused(a, b, Path.Combine(ProcessTestSupport.Backend(ray).Session.Path, "objects"));
    }

    [Test]
    public void A_worker_result_that_fits_neither_memory_nor_spill_fails_its_ref_with_ObjectStoreFullException()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1 << 20 });
        var full = FillMemoryAndSpill();
        var result = StoreTasks.Remote.MakeDoubles(90 * 1024, 1.0); // 720 KiB
        Assert.Throws<ObjectStoreFullException>(() => result.Get(Long));
        GC.KeepAlive(full.B);
    }

    [Test]
    public void A_worker_stream_item_that_fits_neither_memory_nor_spill_fails_its_ref_with_ObjectStoreFullException()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1 << 20 });
        var full = FillMemoryAndSpill();
        var items = StoreTasks.Remote.StreamDoubles(1, 90 * 1024).ToList(); // one item of 720 KiB
        Assert.That(items, Has.Count.EqualTo(1));
        var error = Assert.Throws<ObjectStoreFullException>(() => items[0].Get(Long))!;
        Assert.That(error.Message, Does.Contain("an item of"), "the error names what was refused");
        GC.KeepAlive(full.B);
    }

    [Test]
    public void A_refused_worker_result_never_takes_the_store_past_its_capacity()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1 << 20 });
        var held = RefuseAWorkerResult(ray);
        Assert.That(ProcessTestSupport.CurrentStore.PeakUsed, Is.LessThanOrEqualTo(1 << 20));
        GC.KeepAlive(held);
    }

    [Test]
    public void A_refused_worker_result_leaves_no_file()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1 << 20 });
        var held = RefuseAWorkerResult(ray);
        Assert.That(Directory.GetFiles(held.ObjectsDir).Select(Path.GetFileName), Is.EqualTo(new[] { held.B.Entry.Shared!.Name }), "only b is in shared memory");
    }

    [Test]
    public void Values_stored_before_a_refused_worker_result_still_read_back()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1 << 20 });
        var held = RefuseAWorkerResult(ray);
        Assert.That(new[] { held.A.Get().Length, held.B.Get().Length }, Is.EqualTo(new[] { 700 * 1024, 700 * 1024 }));
    }

    [Test]
    public void The_worker_goes_on_serving_after_its_result_was_refused()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1 << 20 });
        var held = RefuseAWorkerResult(ray);
        Assert.That(StoreTasks.Remote.MakeDoubles(10, 1.0).Get(Long), Has.Length.EqualTo(10));
        GC.KeepAlive(held);
    }

    /// <summary>
    /// A 1 MiB store: a 700 KiB value is kept, then another (first byte 9) is put and reversed by a worker.
    /// Returns the kept value's ref and the reversed bytes.
    /// </summary>
    private static (ObjectRef<byte[]> Kept, byte[] Reversed) ReverseWhileSharedMemoryIsFull()
    {
        var kept = Ray.Put(new byte[700 * 1024]);
        Assert.That(ProcTasks.Remote.Reverse(kept).Get(Long), Has.Length.EqualTo(700 * 1024), "precondition: the kept value reaches a worker");
        var big = new byte[700 * 1024];
        big[0] = 9;
        return (kept, ProcTasks.Remote.Reverse(Ray.Put(big)).Get(Long));
    }

    [Test]
    public void When_shared_memory_is_full_values_still_reach_their_task_and_its_result_arrives()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1024 * 1024 });
        var (kept, reversed) = ReverseWhileSharedMemoryIsFull();
        Assert.That(reversed[^1], Is.EqualTo(9), "the worker reversed the value it was given");
        GC.KeepAlive(kept);
    }

    [Test]
    public void When_shared_memory_is_full_values_spill_to_disk()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1024 * 1024 });
        var (kept, _) = ReverseWhileSharedMemoryIsFull();
        Assert.That(Directory.GetFiles(ProcessTestSupport.Backend(ray).Session.SpillPath), Is.Not.Empty);
        GC.KeepAlive(kept);
    }

    [Test]
    public void Shutdown_leaves_no_spilled_value_behind()
    {
        var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1024 * 1024 });
        var session = ProcessTestSupport.Backend(ray).Session;
        var (kept, _) = ReverseWhileSharedMemoryIsFull();
        GC.KeepAlive(kept);
        ray.Dispose();
        Assert.That(new[] { session.SpillPath, session.Path }.Where(Directory.Exists), Is.Empty, "the spill directory and the session are gone");
    }
}
