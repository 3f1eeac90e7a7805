using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using NUnit.Framework;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.Process.Tests;

/// <summary>The shared-memory object store: values written once into shared memory, read in place, freed when unreachable.</summary>
[TestFixture]
[NonParallelizable]
public class SharedStoreTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [TearDown]
    public void TearDown()
    {
        Ray.Shutdown();
        ProcessTestSupport.KillLeftoverWorkers();
    }

    private static string ObjectsDir(RayRuntime ray) => Path.Combine(ProcessTestSupport.Backend(ray).Session.Path, "objects");

    [Test]
    public void A_large_put_is_backed_by_shared_memory()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        Assert.That(Ray.Put(new double[1 << 20]).Entry.Shared, Is.Not.Null);
    }

    [Test]
    public void A_large_put_keeps_no_copy_of_its_bytes_on_the_drivers_heap()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        Assert.That(Ray.Put(new double[1 << 20]).Entry.Data, Is.Null);
    }

    [Test]
    public void A_large_put_is_one_file_of_the_session_sized_like_the_value()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var stored = Ray.Put(new double[1 << 20]);
        var path = Path.Combine(ObjectsDir(ray), stored.Entry.Shared!.Name);
        Assert.That(new FileInfo(path).Length, Is.EqualTo(4 + 8L * (1 << 20)), "MemoryPack's length prefix and the doubles");
    }

    [Test]
    public void A_large_puts_file_is_readable_and_writable_by_its_user_only()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var stored = Ray.Put(new double[1 << 20]);
        var path = Path.Combine(ObjectsDir(ray), stored.Entry.Shared!.Name);
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void A_large_put_in_the_driver_is_written_by_the_driver()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        Assert.That(Ray.Put(new double[1 << 20]).Entry.Shared!.CreatorPid, Is.EqualTo(Environment.ProcessId));
    }

    [Test]
    public void A_large_put_in_the_driver_reads_back_in_the_driver()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var data = Numbers();
        Assert.That(Ray.Put(data).Get(), Is.EqualTo(data));
    }

    [Test]
    public void A_small_put_stays_inline()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        Assert.That(Ray.Put(new double[100]).Entry.Shared, Is.Null);
    }

    /// <summary>A 8 MiB result a worker made, arrived in the driver.</summary>
    private static ObjectRef<double[]> LargeWorkerResult()
    {
        var result = StoreTasks.Remote.MakeDoubles(1 << 20, 2.0);
        result.Get(Long);
        return result;
    }

    [Test]
    public void A_workers_large_result_is_written_by_the_worker()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var creator = LargeWorkerResult().Entry.Shared!.CreatorPid;
        Assert.That(ProcessTestSupport.IsWorkerProcess(creator), Is.True, $"the file's creator {creator} is a worker");
    }

    [Test]
    public void A_workers_large_result_is_a_file_of_the_session()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        Assert.That(File.Exists(Path.Combine(ObjectsDir(ray), LargeWorkerResult().Entry.Shared!.Name)), Is.True);
    }

    [Test]
    public void Only_the_name_of_a_workers_large_result_reaches_the_driver()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var result = LargeWorkerResult();
        Assert.That(result.Entry.Shared, Is.Not.Null, "precondition: the result is in shared memory");
        Assert.That(result.Entry.Data, Is.Null, "the bytes never came over the socket into the driver's heap");
    }

    [Test]
    public void The_driver_owns_a_workers_large_result_once_it_arrived()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        Assert.That(LargeWorkerResult().Entry.Shared!.Owned, Is.True);
    }

    [Test]
    public void A_workers_large_result_is_read_by_the_driver()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        Assert.That(LargeWorkerResult().Get(Long).Sum(), Is.EqualTo(2.0 * (1 << 20)));
    }

    [Test]
    public void A_workers_large_result_is_read_by_another_task()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        Assert.That(ProcTasks.Remote.SumDoubles(LargeWorkerResult()).Get(Long), Is.EqualTo(2.0 * (1 << 20)));
    }

    private static double[] Numbers() => Enumerable.Range(0, 300_000).Select(i => (double)i).ToArray();

    [Test]
    public void A_view_starts_past_MemoryPacks_length_prefix_inside_the_mapped_file()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var stored = Ray.Put(Numbers());
        using var view = stored.GetView();
        Assert.That(view.Address, Is.EqualTo(stored.Entry.Shared!.Address + 4));
    }

    [Test]
    public void A_view_ends_inside_the_mapped_file()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var stored = Ray.Put(Numbers());
        var shared = stored.Entry.Shared!;
        using var view = stored.GetView();
        Assert.That(view.Address + (long)view.Length * 8, Is.LessThanOrEqualTo(shared.Address + shared.MappedLength));
    }

    [Test]
    public void A_view_reads_the_stored_values()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var data = Numbers();
        var stored = Ray.Put(data);
        using var view = stored.GetView();
        Assert.That(view.Span.SequenceEqual(data), Is.True);
    }

    [Test]
    public void Opening_a_view_allocates_no_array()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var stored = Ray.Put(Numbers());
        using (stored.GetView())
        {
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        using (stored.GetView())
        {
            Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThan(1024));
        }
    }

    [Test]
    public void An_open_view_pins_its_value()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var stored = Ray.Put(Numbers());
        using (stored.GetView())
        {
            Assert.That(stored.Entry.Shared!.Pins, Is.EqualTo(1));
        }
    }

    [Test]
    public void Disposing_a_view_unpins_its_value()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var stored = Ray.Put(Numbers());
        using (stored.GetView())
        {
        }

        Assert.That(stored.Entry.Shared!.Pins, Is.Zero);
    }

    [Test]
    public void A_view_in_a_worker_lies_inside_the_workers_map()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var answer = StoreTasks.Remote.ViewInWorker(Ray.Put(Numbers())).Get(Long);
        Assert.That(answer.Split(':')[0], Is.EqualTo("True"), answer);
    }

    [Test]
    public void A_view_in_a_worker_reads_the_stored_values()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var data = Numbers();
        var answer = StoreTasks.Remote.ViewInWorker(Ray.Put(data)).Get(Long);
        Assert.That(answer.Split(':')[1], Is.EqualTo(data.Sum().ToString(System.Globalization.CultureInfo.CurrentCulture)), answer);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string PutAndForget(RayRuntime ray, int count)
    {
        var stored = Ray.Put(new double[count]);
        Assert.That(ProcTasks.Remote.SumDoubles(stored).Get(Long), Is.Zero, "precondition: a worker read the value");
        var path = Path.Combine(ObjectsDir(ray), stored.Entry.Shared!.Name);
        Assert.That(File.Exists(path), Is.True, "precondition: the value is a file");
        return path;
    }

    /// <summary>A 10 MiB by-value argument (random bytes) of a task, and what the driver saw while submitting it.</summary>
    private sealed record ByValueArgument(byte[] Data, ObjectRef<long> Checksum, long Allocated, int FilesBefore, int FilesAfter, long CopiesBefore);

    private static ByValueArgument SubmitALargeByValueArgument(RayRuntime ray)
    {
        Assert.That(ProcTasks.Remote.Pid().Get(Long), Is.Not.Zero, "precondition: the worker is up (its start leaves no file behind)");
        var data = new byte[10 << 20];
        new Random(7).NextBytes(data);
        var files = Directory.GetFiles(ObjectsDir(ray)).Length;
        var copies = ProcessTestSupport.CurrentStore.HeapCopies;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = StoreTasks.Remote.Checksum(data);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return new ByValueArgument(data, sum, allocated, files, Directory.GetFiles(ObjectsDir(ray)).Length, copies);
    }

    [Test]
    public void A_large_by_value_argument_is_serialized_without_a_heap_copy_of_its_bytes()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var submitted = SubmitALargeByValueArgument(ray);
        Assert.That(submitted.Allocated, Is.LessThan(1 << 20), "bytes the driver allocated while submitting a 10 MiB argument");
    }

    [Test]
    public void A_large_by_value_argument_is_one_file_in_shared_memory()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var submitted = SubmitALargeByValueArgument(ray);
        Assert.That(submitted.FilesAfter, Is.EqualTo(submitted.FilesBefore + 1));
    }

    [Test]
    public void A_large_by_value_argument_reaches_the_worker_intact()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var submitted = SubmitALargeByValueArgument(ray);
        Assert.That(submitted.Checksum.Get(Long), Is.EqualTo(StoreChecks.Checksum(submitted.Data)));
    }

    [Test]
    public void A_large_by_value_argument_is_never_copied_from_the_heap_into_a_file()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var submitted = SubmitALargeByValueArgument(ray);
        submitted.Checksum.Get(Long);
        Assert.That(ProcessTestSupport.CurrentStore.HeapCopies, Is.EqualTo(submitted.CopiesBefore));
    }

    [Test]
    public void A_large_by_value_argument_is_freed_once_its_task_is_done()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var submitted = SubmitALargeByValueArgument(ray);
        submitted.Checksum.Get(Long);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(Directory.GetFiles(ObjectsDir(ray)), Has.Length.EqualTo(submitted.FilesBefore));
        GC.KeepAlive(submitted.Checksum);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static StrongBox<ObjectRef<ObjectRef<double[]>[]>?> PutListOfLargeValues(RayRuntime ray, out string[] paths)
    {
        var refs = new ObjectRef<double[]>[3];
        paths = new string[3];
        for (var i = 0; i < refs.Length; i++)
        {
            var data = new double[1 << 17];
            Array.Fill(data, i + 1.0);
            refs[i] = Ray.Put(data);
            paths[i] = Path.Combine(ObjectsDir(ray), refs[i].Entry.Shared!.Name);
        }

        return new StrongBox<ObjectRef<ObjectRef<double[]>[]>?>(Ray.Put(refs));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double SumThroughListInTheDriver(StrongBox<ObjectRef<ObjectRef<double[]>[]>?> list) =>
        list.Value!.Get().Sum(r => r.Get().Sum());

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double SumThroughListInAWorker(StrongBox<ObjectRef<ObjectRef<double[]>[]>?> list) =>
        StoreTasks.Remote.SumAll(list.Value!.Get()).Get(Long);

    // The container is kept in a box, so that no temporary of the test method (kept live to its end in Debug
    // builds) holds the ref itself.

    [Test]
    public void Values_whose_refs_are_put_inside_a_value_are_kept_while_it_lives()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var list = PutListOfLargeValues(ray, out var paths);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(paths.Where(p => !File.Exists(p)), Is.Empty);
        GC.KeepAlive(list);
    }

    [Test]
    public void Refs_read_back_from_a_container_in_the_driver_find_their_values()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var list = PutListOfLargeValues(ray, out _);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(SumThroughListInTheDriver(list), Is.EqualTo(6.0 * (1 << 17)));
    }

    [Test]
    public void Refs_read_back_from_a_container_and_passed_to_a_worker_find_their_values()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var list = PutListOfLargeValues(ray, out _);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(SumThroughListInAWorker(list), Is.EqualTo(6.0 * (1 << 17)));
    }

    [Test]
    public void Refs_read_back_from_a_container_and_let_go_leave_its_values_kept()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var list = PutListOfLargeValues(ray, out var paths);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        SumThroughListInTheDriver(list);
        SumThroughListInAWorker(list);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(paths.Where(p => !File.Exists(p)), Is.Empty, "the container still holds them");
        GC.KeepAlive(list);
    }

    [Test]
    public void Values_whose_refs_are_put_inside_a_value_are_freed_with_it()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var list = PutListOfLargeValues(ray, out var paths);
        // As the value's life goes: collected while it lives, read, collected again (the worker lets go of its copies), dropped.
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        SumThroughListInTheDriver(list);
        SumThroughListInAWorker(list);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        list.Value = null;
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(paths.Where(File.Exists), Is.Empty);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static StrongBox<ObjectRef<(ObjectRef<double[]>[], double[])>?> PutLargeContainer(RayRuntime ray, out string[] paths)
    {
        var inner = Ray.Put(new double[1 << 17]);
        var container = Ray.Put((new[] { inner }, new double[1 << 17]));
        paths = new[] { Path.Combine(ObjectsDir(ray), inner.Entry.Shared!.Name), Path.Combine(ObjectsDir(ray), container.Entry.Shared!.Name) };
        return new StrongBox<ObjectRef<(ObjectRef<double[]>[], double[])>?>(container);
    }

    [Test]
    public void A_container_in_shared_memory_holds_its_refs_while_it_lives()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var container = PutLargeContainer(ray, out var paths);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(paths.Where(p => !File.Exists(p)), Is.Empty, "the container and the value its ref points at");
        GC.KeepAlive(container);
    }

    [Test]
    public void A_container_in_shared_memory_and_the_values_of_its_refs_are_freed_with_it()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var container = PutLargeContainer(ray, out var paths);
        container.Value = null;
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(paths.Where(File.Exists), Is.Empty);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static StrongBox<ObjectRef<ObjectRef<double[]>[]>?> RefsFromWorker(RayRuntime ray, out string[] paths)
    {
        var result = StoreTasks.Remote.PutInWorker(2);
        var refs = result.Get(Long);
        paths = refs.Select(r => Path.Combine(ObjectsDir(ray), r.Entry.Shared!.Name)).ToArray();
        return new StrongBox<ObjectRef<ObjectRef<double[]>[]>?>(result);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double SumOfResult(StrongBox<ObjectRef<ObjectRef<double[]>[]>?> result) => result.Value!.Get().Sum(r => r.Get().Sum());

    [Test]
    public void Values_whose_refs_are_inside_a_workers_result_are_kept_while_the_result_lives()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var result = RefsFromWorker(ray, out var paths);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(paths.Where(p => !File.Exists(p)), Is.Empty, "though the worker let them go");
        GC.KeepAlive(result);
    }

    [Test]
    public void Refs_inside_a_workers_result_find_their_values_in_the_driver()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var result = RefsFromWorker(ray, out _);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(SumOfResult(result), Is.EqualTo(3.0 * (1 << 17)));
    }

    [Test]
    public void Values_whose_refs_are_inside_a_workers_result_are_freed_with_the_result()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var result = RefsFromWorker(ray, out var paths);
        // As the result's life goes: collected while it lives (the worker reports the refs it let go), read, dropped.
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        SumOfResult(result);
        result.Value = null;
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(paths.Where(File.Exists), Is.Empty);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static StrongBox<ObjectRef<ObjectRef<ObjectRef<double[]>[]>>?> ContainerFromWorker(RayRuntime ray, out string path)
    {
        var result = StoreTasks.Remote.PutContainerInWorker();
        path = Path.Combine(ObjectsDir(ray), result.Get(Long).Get()[0].Entry.Shared!.Name);
        return new StrongBox<ObjectRef<ObjectRef<ObjectRef<double[]>[]>>?>(result);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double SumThroughWorkerContainer(StrongBox<ObjectRef<ObjectRef<ObjectRef<double[]>[]>>?> result) =>
        result.Value!.Get().Get()[0].Get().Sum();

    [Test]
    public void A_value_whose_ref_is_inside_a_workers_put_is_kept_while_the_put_lives()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var result = ContainerFromWorker(ray, out var path);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(File.Exists(path), Is.True, "the worker's container, held through the result, keeps it");
        GC.KeepAlive(result);
    }

    [Test]
    public void A_ref_inside_a_workers_put_finds_its_value_in_the_driver()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var result = ContainerFromWorker(ray, out _);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(SumThroughWorkerContainer(result), Is.EqualTo(2.0 * (1 << 17)));
    }

    [Test]
    public void A_value_whose_ref_is_inside_a_workers_put_is_freed_with_the_put()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var result = ContainerFromWorker(ray, out var path);
        // As the put's life goes: collected while it lives (the worker reports the refs it let go), read, dropped.
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        SumThroughWorkerContainer(result);
        result.Value = null;
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public void A_nested_task_reads_the_refs_inside_its_by_value_argument()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var answer = StoreTasks.Remote.NestedSumOfPut().Get(Long).Split(':');
        Assert.That(double.Parse(answer[1], System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(3.0 * (1 << 17)));
    }

    [Test]
    public void Refs_inside_a_nested_tasks_argument_are_freed_once_the_task_and_the_worker_let_go()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var answer = StoreTasks.Remote.NestedSumOfPut().Get(Long).Split(':');
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(File.Exists(Path.Combine(ObjectsDir(ray), answer[0])), Is.False, "not kept for the session");
    }

    [Test]
    public void Once_no_ref_reaches_a_value_and_a_collection_ran_its_file_is_gone()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var path = PutAndForget(ray, 1 << 20);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public void Once_no_ref_reaches_a_value_and_a_collection_ran_it_is_no_longer_charged()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        PutAndForget(ray, 1 << 20);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(ProcessTestSupport.CurrentStore.Used, Is.Zero);
    }

    /// <summary>An actor that put a large value of ones and holds the only ref to it; returns the value's file.</summary>
    private static string HeldOnlyByAWorker(RayRuntime ray, ActorHandle<Holder> holder)
    {
        var path = Path.Combine(ObjectsDir(ray), holder.HoldNew(1 << 20, 1.0).Get(Long));
        Assert.That(File.Exists(path), Is.True, "precondition: the worker wrote its put into shared memory");
        return path;
    }

    [Test]
    public void A_ref_held_only_by_a_worker_keeps_its_value()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var path = HeldOnlyByAWorker(ray, Holder.Remote.New());
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(File.Exists(path), Is.True);
    }

    [Test]
    public void A_ref_held_only_by_a_worker_reads_its_value_after_a_collection()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var holder = Holder.Remote.New();
        HeldOnlyByAWorker(ray, holder);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(holder.Sum().Get(Long), Is.EqualTo(1 << 20));
    }

    [Test]
    public void A_value_held_only_by_a_worker_is_freed_once_the_worker_lets_it_go()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var holder = Holder.Remote.New();
        var path = HeldOnlyByAWorker(ray, holder);
        holder.Drop().Get(Long);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(File.Exists(path), Is.False, "freed once the worker's ref was collected");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static StrongBox<ObjectRef<double[]>?> PutAndLend(RayRuntime ray, ActorHandle<Rereader> rereader, out string path)
    {
        var data = new double[1 << 17];
        Array.Fill(data, 4.0);
        var stored = Ray.Put(data);
        path = Path.Combine(ObjectsDir(ray), stored.Entry.Shared!.Name);
        rereader.Arm(stored).Get(Long);
        return new StrongBox<ObjectRef<double[]>?>(stored);
    }

    /// <summary>
    /// The worker's first copy of a lent ref is collected; the sweep that reports it lets the worker read the ref again
    /// right then (the hook). Then the driver drops its own ref and collects. Returns the value's file.
    /// </summary>
    private static string ReadAgainWhileTheReleaseIsReported(RayRuntime ray, ActorHandle<Rereader> rereader)
    {
        var stored = PutAndLend(ray, rereader, out var path);
        for (var i = 0; i < 20 && !rereader.ReadAgain().Get(Long); i++) ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(rereader.ReadAgain().Get(Long), Is.True, "precondition: the hook ran");
        stored.Value = null;
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        return path;
    }

    [Test]
    public void A_ref_a_worker_reads_again_while_the_release_of_its_earlier_copy_is_reported_keeps_its_value()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var path = ReadAgainWhileTheReleaseIsReported(ray, Rereader.Remote.New());
        Assert.That(File.Exists(path), Is.True, "the worker's second copy keeps the value: its borrow outlives the release of the first");
    }

    [Test]
    public void A_ref_a_worker_reads_again_while_the_release_of_its_earlier_copy_is_reported_reads_its_value()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var rereader = Rereader.Remote.New();
        ReadAgainWhileTheReleaseIsReported(ray, rereader);
        Assert.That(rereader.SumKept().Get(Long), Is.EqualTo(4.0 * (1 << 17)));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string PutAndOpenView(RayRuntime ray, ActorHandle<ViewHolder> holder)
    {
        var data = new double[1 << 20];
        Array.Fill(data, 3.0);
        var stored = Ray.Put(data);
        Assert.That(holder.Open(stored).Get(Long), Is.EqualTo(1 << 20), "precondition: the worker opened a view of the value");
        return Path.Combine(ObjectsDir(ray), stored.Entry.Shared!.Name);
    }

    [Test]
    public void A_view_open_in_a_worker_keeps_its_value_though_no_ref_to_it_is_left()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var path = PutAndOpenView(ray, ViewHolder.Remote.New());
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(File.Exists(path), Is.True, "the worker's open view counts as a ref (its file must not be freed, nor reused under the view)");
    }

    [Test]
    public void A_view_open_in_a_worker_reads_its_value_though_no_ref_to_it_is_left()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var holder = ViewHolder.Remote.New();
        PutAndOpenView(ray, holder);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(holder.Sum().Get(Long), Is.EqualTo(3.0 * (1 << 20)));
    }

    [Test]
    public void A_value_only_a_workers_view_kept_is_freed_once_the_view_is_closed()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var holder = ViewHolder.Remote.New();
        var path = PutAndOpenView(ray, holder);
        holder.Close().Get(Long);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(File.Exists(path), Is.False);
    }

    private static double[] ThreeMiBOfNumbers() => Enumerable.Range(0, 3 << 17).Select(i => (double)i).ToArray();

    /// <summary>In a 4 MiB store, a 3 MiB value and then another: the first must make room.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (ObjectRef<double[]> First, StrongBox<ObjectRef<double[]>?> Second) PutTwoThatDoNotFitTogether()
    {
        var first = Ray.Put(ThreeMiBOfNumbers());
        var second = Ray.Put(new double[3 << 17]);
        return (first, new StrongBox<ObjectRef<double[]>?>(second));
    }

    /// <summary>As <see cref="PutTwoThatDoNotFitTogether"/>, the second then dropped: returns the spilled first.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ObjectRef<double[]> SpillOneThenDropWhatTookItsRoom()
    {
        var (first, second) = PutTwoThatDoNotFitTogether();
        Assert.That(first.Entry.Shared!.Spilled, Is.True, "precondition: the older value went to disk to make room");
        second.Value = null;
        return first;
    }

    [Test]
    public void The_older_value_goes_to_disk_to_make_room_for_a_new_one()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 4 << 20 });
        var (first, second) = PutTwoThatDoNotFitTogether();
        var spilled = first.Entry.Shared!;
        Assert.That(spilled.Spilled && File.Exists(Path.Combine(ProcessTestSupport.Backend(ray).Session.SpillPath, spilled.Name)), Is.True, "marked spilled, and its file is in the spill directory");
        GC.KeepAlive(second);
    }

    [Test]
    public void The_new_value_that_made_an_older_one_spill_is_in_shared_memory()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 4 << 20 });
        var (_, second) = PutTwoThatDoNotFitTogether();
        Assert.That(second.Value!.Entry.Shared!.Spilled, Is.False);
    }

    [Test]
    public void A_worker_reads_a_spilled_value_from_disk()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 4 << 20 });
        var spilled = SpillOneThenDropWhatTookItsRoom();
        Assert.That(ProcTasks.Remote.SumDoubles(spilled).Get(Long), Is.EqualTo(ThreeMiBOfNumbers().Sum()));
    }

    [Test]
    public void The_driver_reads_a_spilled_value_back()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 4 << 20 });
        var spilled = SpillOneThenDropWhatTookItsRoom();
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(spilled.Get(), Is.EqualTo(ThreeMiBOfNumbers()));
    }

    [Test]
    public void Get_restores_a_spilled_value_into_shared_memory_once_there_is_room()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 4 << 20 });
        var spilled = SpillOneThenDropWhatTookItsRoom();
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        spilled.Get();
        var shared = spilled.Entry.Shared!;
        Assert.That(!shared.Spilled && File.Exists(Path.Combine(ObjectsDir(ray), shared.Name)), Is.True, "no longer marked spilled, and its file is in shared memory");
    }

    /// <summary>A 1 MiB store whose spill directory holds 1 MiB too: a is spilled and b fills shared memory.</summary>
    private static (ObjectRef<byte[]> A, ObjectRef<byte[]> B) FillMemoryAndSpill()
    {
        ProcessTestSupport.CurrentStore.SpillLimit = 1 << 20;
        var a = Ray.Put(new byte[700 * 1024]);
        var b = Ray.Put(new byte[700 * 1024]);
        Assert.That(a.Entry.Shared!.Spilled, Is.True, "precondition: the spill directory is full now, and shared memory holds b");
        return (a, b);
    }

    [Test]
    public void Put_throws_ObjectStoreFullException_when_nothing_can_be_freed_or_spilled()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1 << 20 });
        var full = FillMemoryAndSpill();
        Assert.Throws<ObjectStoreFullException>(() => Ray.Put(new byte[700 * 1024]));
        GC.KeepAlive(full.A);
        GC.KeepAlive(full.B);
    }

    [Test]
    public void A_put_refused_for_want_of_room_leaves_no_file()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1 << 20 });
        var (_, b) = FillMemoryAndSpill();
        Assert.Throws<ObjectStoreFullException>(() => Ray.Put(new byte[700 * 1024]), "precondition: the put was refused");
        Assert.That(Directory.GetFiles(ObjectsDir(ray)).Select(Path.GetFileName), Is.EqualTo(new[] { b.Entry.Shared!.Name }), "only b is in shared memory");
    }

    [Test]
    public void Values_stored_before_a_refused_put_still_read_back()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1 << 20 });
        var (a, b) = FillMemoryAndSpill();
        Assert.Throws<ObjectStoreFullException>(() => Ray.Put(new byte[700 * 1024]), "precondition: the put was refused");
        Assert.That(new[] { a.Get().Length, b.Get().Length }, Is.EqualTo(new[] { 700 * 1024, 700 * 1024 }));
    }

    [Test]
    public void A_put_in_a_worker_succeeds_while_the_store_has_room()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1 << 20 });
        Assert.That(StoreTasks.Remote.TryPutInWorker(700 * 1024).Get(Long), Is.EqualTo("ok"));
    }

    [Test]
    public void A_put_in_a_worker_throws_ObjectStoreFullException_when_the_driver_cannot_make_room()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1 << 20 });
        var full = FillMemoryAndSpill();
        Assert.That(StoreTasks.Remote.TryPutInWorker(700 * 1024).Get(Long), Is.EqualTo("full"));
        GC.KeepAlive(full.B);
    }

    [Test]
    public void A_put_in_a_worker_refused_for_want_of_room_never_takes_the_store_past_its_capacity()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1 << 20 });
        var full = FillMemoryAndSpill();
        Assert.That(StoreTasks.Remote.TryPutInWorker(700 * 1024).Get(Long), Is.EqualTo("full"), "precondition: the put was refused");
        Assert.That(ProcessTestSupport.CurrentStore.PeakUsed, Is.LessThanOrEqualTo(1 << 20));
        GC.KeepAlive(full.B);
    }

    [Test]
    public void A_put_in_a_worker_refused_for_want_of_room_leaves_no_file()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1 << 20 });
        var (_, b) = FillMemoryAndSpill();
        Assert.That(StoreTasks.Remote.TryPutInWorker(700 * 1024).Get(Long), Is.EqualTo("full"), "precondition: the put was refused");
        Assert.That(Directory.GetFiles(ObjectsDir(ray)).Select(Path.GetFileName), Is.EqualTo(new[] { b.Entry.Shared!.Name }), "only b is in shared memory");
    }

    [Test]
    public void Values_stored_before_a_put_in_a_worker_was_refused_still_read_back()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1 << 20 });
        var (a, b) = FillMemoryAndSpill();
        Assert.That(StoreTasks.Remote.TryPutInWorker(700 * 1024).Get(Long), Is.EqualTo("full"), "precondition: the put was refused");
        Assert.That(new[] { a.Get().Length, b.Get().Length }, Is.EqualTo(new[] { 700 * 1024, 700 * 1024 }));
    }
}
