using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using NUnit.Framework;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.Process.Tests;

/// <summary>Freed files the driver wrote are kept mapped for its next large value, within the store's capacity.</summary>
[TestFixture]
[NonParallelizable]
public class FilePoolTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);
    private const int Doubles = 1 << 20; // 8 MiB

    [TearDown]
    public void TearDown()
    {
        Ray.Shutdown();
        ProcessTestSupport.KillLeftoverWorkers();
    }

    private static string ObjectsDir(RayRuntime ray) => Path.Combine(ProcessTestSupport.Backend(ray).Session.Path, "objects");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string PutAndDrop(RayRuntime ray, int count, double value)
    {
        var data = new double[count];
        Array.Fill(data, value);
        var stored = Ray.Put(data);
        return Path.Combine(ObjectsDir(ray), stored.Entry.Shared!.Name);
    }

    /// <summary>What the periodic sweep does once the GC collected the dropped ref (unlike a full collection, which gives kept files back).</summary>
    private static void SweepAfterGc()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        ProcessTestSupport.CurrentStore.Sweep();
    }

    [Test]
    public void The_next_large_put_is_written_into_the_file_of_a_freed_one_and_reads_back_its_own_bytes()
    {
        var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var session = ProcessTestSupport.Backend(ray).Session;
        var first = PutAndDrop(ray, Doubles, 1.0);
        SweepAfterGc();
        Assert.That(ProcessTestSupport.CurrentStore.Files.Count, Is.EqualTo(1), "the freed file is kept");
        Assert.That(ProcessTestSupport.CurrentStore.Used, Is.EqualTo(ProcessTestSupport.CurrentStore.Files.Bytes), "a kept file still counts against the capacity");
        var reuses = ProcessTestSupport.CurrentStore.Files.Reuses;
        var data = new double[Doubles];
        Array.Fill(data, 2.0);
        var second = Ray.Put(data);
        Assert.That(ProcessTestSupport.CurrentStore.Files.Reuses, Is.EqualTo(reuses + 1), "the second value went into the kept file");
        Assert.That(ProcessTestSupport.CurrentStore.Files.Count, Is.Zero);
        Assert.That(File.Exists(first), Is.False, "the kept file was renamed for the value it holds now");
        Assert.That(File.Exists(Path.Combine(ObjectsDir(ray), second.Entry.Shared!.Name)), Is.True);
        Assert.That(second.Get().All(x => x == 2.0), Is.True, "the driver reads the new bytes");
        Assert.That(ProcTasks.Remote.SumDoubles(second).Get(Long), Is.EqualTo(2.0 * Doubles), "a worker reads the new bytes");
        Assert.That(ProcessTestSupport.CurrentStore.Used, Is.EqualTo(second.Entry.Shared!.Charged));
        GC.KeepAlive(second);
        ray.Dispose();
        Assert.That(Directory.Exists(session.Path), Is.False, "no file is left after shutdown");
    }

    [Test]
    public void A_put_in_a_loop_reuses_the_file_of_the_value_it_dropped_without_a_full_collection()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var data = new double[Doubles];
        var reuses = ProcessTestSupport.CurrentStore.Files.Reuses;
        for (var i = 0; i < 5; i++)
        {
            data[0] = i;
            PutOnce(data);
        }

        // A ref can outlive its last use by a call in a Debug build (the JIT keeps it until the frame is reused), so
        // a put may find only the file of the one before the last: every put from the third on reuses one.
        Assert.That(ProcessTestSupport.CurrentStore.Files.Reuses - reuses, Is.GreaterThanOrEqualTo(3), "the puts wrote into files their predecessors let go");
        Assert.That(Directory.GetFiles(ObjectsDir(ray)).Length, Is.LessThanOrEqualTo(3), "no file per put piles up");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void PutOnce(double[] data) => Assert.That(Ray.Put(data).Entry.Shared, Is.Not.Null);

    [Test]
    public void Kept_files_are_given_back_when_a_value_needs_their_room()
    {
        const long capacity = 20L << 20;
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = capacity });
        PutAndDrop(ray, 1 << 19, 1.0); // 4 MiB: a quarter of the store may be kept
        SweepAfterGc();
        Assert.That(ProcessTestSupport.CurrentStore.Files.Count, Is.EqualTo(1));
        var big = Ray.Put(new double[1 << 21]); // 16 MiB: fits only once the kept file is gone
        Assert.That(big.Entry.Shared!.Spilled, Is.False, "nothing had to spill");
        Assert.That(ProcessTestSupport.CurrentStore.Files.Count, Is.Zero);
        Assert.That(ProcessTestSupport.CurrentStore.PeakUsed, Is.LessThanOrEqualTo(capacity));
        Assert.That(Directory.GetFiles(ObjectsDir(ray)), Has.Length.EqualTo(1));
    }

    [Test]
    public void A_full_collection_gives_kept_files_back()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        PutAndDrop(ray, Doubles, 1.0);
        SweepAfterGc();
        Assert.That(ProcessTestSupport.CurrentStore.Files.Count, Is.EqualTo(1));
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(ProcessTestSupport.CurrentStore.Files.Count, Is.Zero);
        Assert.That(ProcessTestSupport.CurrentStore.Used, Is.Zero);
        Assert.That(Directory.GetFiles(ObjectsDir(ray)), Is.Empty);
    }
}
