using System;
using System.IO;
using System.Linq;
using NUnit.Framework;
using RayGen.ObjectStore;

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
            Assert.That(SharedPayloads.Used, Is.LessThanOrEqualTo(512L * 1024 * 1024));
        }
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
