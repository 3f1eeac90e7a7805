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

    /// <summary>Puts a large value, drops it and sweeps: its file is kept in the pool. Returns the file's path.</summary>
    private static string KeepOneFreedFile(RayRuntime ray, int count = Doubles)
    {
        var path = PutAndDrop(ray, count, 1.0);
        SweepAfterGc();
        Assert.That(ProcessTestSupport.CurrentStore.Files.Count, Is.EqualTo(1), "precondition: the freed file is kept");
        return path;
    }

    /// <summary>A kept file, then a second large put of 2.0s that the pool should place into it.</summary>
    private static (string First, ObjectRef<double[]> Second, long ReusesBefore) PutIntoAKeptFile(RayRuntime ray)
    {
        var first = KeepOneFreedFile(ray);
        var reuses = ProcessTestSupport.CurrentStore.Files.Reuses;
        var data = new double[Doubles];
        Array.Fill(data, 2.0);
        return (first, Ray.Put(data), reuses);
    }

    [Test]
    public void The_file_of_a_freed_large_value_is_kept_after_a_sweep()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        PutAndDrop(ray, Doubles, 1.0);
        SweepAfterGc();
        Assert.That(ProcessTestSupport.CurrentStore.Files.Count, Is.EqualTo(1));
    }

    [Test]
    public void A_kept_file_still_counts_against_the_capacity()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        KeepOneFreedFile(ray);
        Assert.That(ProcessTestSupport.CurrentStore.Used, Is.EqualTo(ProcessTestSupport.CurrentStore.Files.Bytes).And.GreaterThan(0));
    }

    [Test]
    public void The_next_large_put_is_written_into_the_kept_file()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var (_, second, reuses) = PutIntoAKeptFile(ray);
        Assert.That(ProcessTestSupport.CurrentStore.Files.Reuses - reuses, Is.EqualTo(1));
        GC.KeepAlive(second);
    }

    [Test]
    public void A_kept_file_taken_by_a_put_leaves_the_pool()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var (_, second, _) = PutIntoAKeptFile(ray);
        Assert.That(ProcessTestSupport.CurrentStore.Files.Count, Is.Zero);
        GC.KeepAlive(second);
    }

    [Test]
    public void A_reused_file_no_longer_goes_by_the_name_of_the_freed_value()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var (first, second, _) = PutIntoAKeptFile(ray);
        Assert.That(File.Exists(first), Is.False);
        GC.KeepAlive(second);
    }

    [Test]
    public void A_reused_file_goes_by_the_name_of_the_value_it_holds_now()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var (_, second, _) = PutIntoAKeptFile(ray);
        Assert.That(File.Exists(Path.Combine(ObjectsDir(ray), second.Entry.Shared!.Name)), Is.True);
    }

    [Test]
    public void The_driver_reads_back_the_new_bytes_of_a_value_in_a_reused_file()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var (_, second, _) = PutIntoAKeptFile(ray);
        Assert.That(second.Get(), Has.All.EqualTo(2.0));
    }

    [Test]
    public void A_worker_reads_the_new_bytes_of_a_value_in_a_reused_file()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var (_, second, _) = PutIntoAKeptFile(ray);
        Assert.That(ProcTasks.Remote.SumDoubles(second).Get(Long), Is.EqualTo(2.0 * Doubles));
    }

    [Test]
    public void The_store_charges_a_reused_file_once_for_the_value_it_holds_now()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var (_, second, _) = PutIntoAKeptFile(ray);
        Assert.That(ProcessTestSupport.CurrentStore.Used, Is.EqualTo(second.Entry.Shared!.Charged));
    }

    [Test]
    public void No_file_is_left_after_shutdown_once_a_kept_file_was_reused()
    {
        var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var session = ProcessTestSupport.Backend(ray).Session;
        var (_, second, _) = PutIntoAKeptFile(ray);
        GC.KeepAlive(second);
        ray.Dispose();
        Assert.That(Directory.Exists(session.Path), Is.False);
    }

    /// <summary>Five puts of one array, each ref dropped at once; returns how many of them went into a kept file.</summary>
    private static long PutFiveTimesDroppingEach()
    {
        var data = new double[Doubles];
        var reuses = ProcessTestSupport.CurrentStore.Files.Reuses;
        for (var i = 0; i < 5; i++)
        {
            data[0] = i;
            PutOnce(data);
        }

        return ProcessTestSupport.CurrentStore.Files.Reuses - reuses;
    }

    [Test]
    public void A_put_in_a_loop_reuses_the_file_of_the_value_it_dropped_without_a_full_collection()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        // A ref can outlive its last use by a call in a Debug build (the JIT keeps it until the frame is reused), so
        // a put may find only the file of the one before the last: every put from the third on reuses one.
        Assert.That(PutFiveTimesDroppingEach(), Is.GreaterThanOrEqualTo(3));
    }

    [Test]
    public void Puts_in_a_loop_that_drop_their_values_pile_up_no_file_per_put()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        PutFiveTimesDroppingEach();
        Assert.That(Directory.GetFiles(ObjectsDir(ray)).Length, Is.LessThanOrEqualTo(3));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void PutOnce(double[] data) => Assert.That(Ray.Put(data).Entry.Shared, Is.Not.Null);

    private const long SmallCapacity = 20L << 20;

    /// <summary>A 4 MiB kept file (a quarter of the store may be kept), then a 16 MiB put that fits only once it is gone.</summary>
    private static ObjectRef<double[]> PutWhatNeedsTheRoomOfAKeptFile(RayRuntime ray)
    {
        KeepOneFreedFile(ray, 1 << 19);
        return Ray.Put(new double[1 << 21]);
    }

    [Test]
    public void A_value_that_needs_the_room_of_kept_files_is_placed_in_shared_memory_not_spilled()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = SmallCapacity });
        var big = PutWhatNeedsTheRoomOfAKeptFile(ray);
        Assert.That(big.Entry.Shared!.Spilled, Is.False);
    }

    [Test]
    public void Kept_files_are_given_back_when_a_value_needs_their_room()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = SmallCapacity });
        var big = PutWhatNeedsTheRoomOfAKeptFile(ray);
        Assert.That(Directory.GetFiles(ObjectsDir(ray)).Select(Path.GetFileName), Is.EqualTo(new[] { big.Entry.Shared!.Name }), "only the new value's file is left");
    }

    [Test]
    public void A_kept_file_given_back_for_room_leaves_the_pool()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = SmallCapacity });
        var big = PutWhatNeedsTheRoomOfAKeptFile(ray);
        Assert.That(ProcessTestSupport.CurrentStore.Files.Count, Is.Zero);
        GC.KeepAlive(big);
    }

    [Test]
    public void Giving_kept_files_back_for_a_value_never_takes_the_store_past_its_capacity()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = SmallCapacity });
        var big = PutWhatNeedsTheRoomOfAKeptFile(ray);
        Assert.That(ProcessTestSupport.CurrentStore.PeakUsed, Is.LessThanOrEqualTo(SmallCapacity));
        GC.KeepAlive(big);
    }

    [Test]
    public void A_full_collection_empties_the_pool_of_kept_files()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        KeepOneFreedFile(ray);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(ProcessTestSupport.CurrentStore.Files.Count, Is.Zero);
    }

    [Test]
    public void A_full_collection_deletes_kept_files()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        KeepOneFreedFile(ray);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(Directory.GetFiles(ObjectsDir(ray)), Is.Empty);
    }

    [Test]
    public void A_full_collection_takes_the_charge_of_kept_files_off_the_store()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        KeepOneFreedFile(ray);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(ProcessTestSupport.CurrentStore.Used, Is.Zero);
    }
}
