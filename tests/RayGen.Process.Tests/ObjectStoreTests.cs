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

    [Test]
    public void Rounds_of_128_MB_arrays_through_a_512_MB_store_never_fail()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 512L * 1024 * 1024 });
        var data = new double[16 * 1024 * 1024]; // 128 MB
        for (var round = 0; round < 24; round++)
        {
            data[round] = round + 1;
            var stored = Ray.Put(data);
            Assert.That(ProcTasks.Remote.SumDoubles(stored).Get(Long), Is.EqualTo(Enumerable.Range(1, round + 1).Sum()), $"round {round}");
            Assert.That(ProcessTestSupport.CurrentStore.Used, Is.LessThanOrEqualTo(512L * 1024 * 1024));
        }
    }

    [Test]
    public void Worker_results_never_push_the_store_past_its_capacity()
    {
        const long capacity = 4L * 1024 * 1024;
        var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = capacity });
        var session = ProcessTestSupport.Backend(ray).Session;
        // Six results of 2 MiB each, all held: three times what shared memory may hold.
        var results = new ObjectRef<double[]>[6];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = StoreTasks.Remote.MakeDoubles(1 << 18, i + 1.0);
            results[i].Get(Long);
            Assert.That(ProcessTestSupport.CurrentStore.Used, Is.LessThanOrEqualTo(capacity), $"after result {i}");
            Assert.That(ProcessTestSupport.CurrentStore.PeakUsed, Is.LessThanOrEqualTo(capacity), $"at any time up to result {i}");
        }

        Assert.That(Directory.GetFiles(session.SpillPath), Is.Not.Empty, "results that did not fit went to the spill directory");
        for (var i = 0; i < results.Length; i++)
        {
            var values = results[i].Get(Long);
            Assert.That(values, Has.Length.EqualTo(1 << 18));
            Assert.That(values.All(v => v == i + 1.0), Is.True, $"result {i} reads back intact");
        }

        Assert.That(ProcessTestSupport.CurrentStore.PeakUsed, Is.LessThanOrEqualTo(capacity), "reading spilled results back kept to the capacity too");
        ray.Dispose();
        Assert.That(Directory.Exists(session.SpillPath), Is.False);
        Assert.That(Directory.Exists(session.Path), Is.False);
    }

    [Test]
    public void A_worker_result_that_fits_neither_memory_nor_spill_fails_its_ref_with_ObjectStoreFullException()
    {
        var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1 << 20 });
        var objects = Path.Combine(ProcessTestSupport.Backend(ray).Session.Path, "objects");
        ProcessTestSupport.CurrentStore.SpillLimit = 1 << 20;
        var a = Ray.Put(new byte[700 * 1024]);
        var b = Ray.Put(new byte[700 * 1024]);
        Assert.That(a.Entry.Shared!.Spilled, Is.True, "the spill directory is full now, and shared memory holds b");
        var result = StoreTasks.Remote.MakeDoubles(90 * 1024, 1.0); // 720 KiB
        Assert.Throws<ObjectStoreFullException>(() => result.Get(Long));
        Assert.That(ProcessTestSupport.CurrentStore.PeakUsed, Is.LessThanOrEqualTo(1 << 20));
        Assert.That(Directory.GetFiles(objects), Has.Length.EqualTo(1), "the refused result left no file");
        Assert.That(a.Get(), Has.Length.EqualTo(700 * 1024));
        Assert.That(b.Get(), Has.Length.EqualTo(700 * 1024));
        Assert.That(StoreTasks.Remote.MakeDoubles(10, 1.0).Get(Long), Has.Length.EqualTo(10), "the worker goes on serving");
        ray.Dispose();
    }

    [Test]
    public void When_shared_memory_is_full_values_spill_to_disk_and_still_arrive()
    {
        var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1024 * 1024 });
        var session = ProcessTestSupport.Backend(ray).Session;
        var kept = Ray.Put(new byte[700 * 1024]);
        Assert.That(ProcTasks.Remote.Reverse(kept).Get(Long), Has.Length.EqualTo(700 * 1024));
        var big = new byte[700 * 1024];
        big[0] = 9;
        var spilled = ProcTasks.Remote.Reverse(Ray.Put(big)).Get(Long);
        Assert.That(spilled[^1], Is.EqualTo(9));
        Assert.That(Directory.GetFiles(session.SpillPath), Is.Not.Empty, "the second value went to the spill directory");
        GC.KeepAlive(kept);
        ray.Dispose();
        Assert.That(Directory.Exists(session.SpillPath), Is.False);
        Assert.That(Directory.Exists(session.Path), Is.False);
    }
}
