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
    public void A_large_put_is_backed_by_shared_memory_not_by_the_drivers_heap()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var stored = Ray.Put(new double[1 << 20]);
        Assert.That(stored.Entry.Shared, Is.Not.Null, "the entry is backed by shared memory");
        Assert.That(stored.Entry.Data, Is.Null, "the driver's heap holds no copy of the bytes");
    }

    [Test]
    public void A_large_put_is_one_file_of_the_session_sized_like_the_value_readable_by_its_user_only()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var stored = Ray.Put(new double[1 << 20]);
        var path = Path.Combine(ObjectsDir(ray), stored.Entry.Shared!.Name);
        Assert.That(new FileInfo(path).Length, Is.EqualTo(4 + 8L * (1 << 20)), "MemoryPack's length prefix and the doubles");
        Assert.That(File.GetUnixFileMode(path), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Test]
    public void A_large_put_in_the_driver_is_written_by_the_driver_and_reads_back()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var stored = Ray.Put(new double[1 << 20]);
        Assert.That(stored.Entry.Shared!.CreatorPid, Is.EqualTo(Environment.ProcessId));
        Assert.That(stored.Get(), Has.Length.EqualTo(1 << 20));
    }

    [Test]
    public void A_small_put_stays_inline()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        Assert.That(Ray.Put(new double[100]).Entry.Shared, Is.Null);
    }

    [Test]
    public void A_workers_large_result_is_written_by_the_worker_and_only_its_name_reaches_the_driver()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var result = StoreTasks.Remote.MakeDoubles(1 << 20, 2.0);
        result.Get(Long);
        var shared = result.Entry.Shared;
        Assert.That(shared, Is.Not.Null);
        Assert.That(result.Entry.Data, Is.Null, "the bytes never came over the socket into the driver's heap");
        Assert.That(ProcessTestSupport.IsWorkerProcess(shared!.CreatorPid), Is.True, $"the file's creator {shared.CreatorPid} is a worker");
        Assert.That(File.Exists(Path.Combine(ObjectsDir(ray), shared.Name)), Is.True);
    }

    [Test]
    public void The_driver_owns_a_workers_large_result_once_it_arrived()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var result = StoreTasks.Remote.MakeDoubles(1 << 20, 2.0);
        result.Get(Long);
        Assert.That(result.Entry.Shared!.Owned, Is.True);
    }

    [Test]
    public void A_workers_large_result_is_read_by_the_driver_and_by_another_task()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var result = StoreTasks.Remote.MakeDoubles(1 << 20, 2.0);
        Assert.That(result.Get(Long).Sum(), Is.EqualTo(2.0 * (1 << 20)));
        Assert.That(ProcTasks.Remote.SumDoubles(result).Get(Long), Is.EqualTo(2.0 * (1 << 20)), "another task reads it in place");
    }

    private static double[] Numbers() => Enumerable.Range(0, 300_000).Select(i => (double)i).ToArray();

    [Test]
    public void A_view_spans_the_value_inside_the_mapped_file()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var data = Numbers();
        var stored = Ray.Put(data);
        var shared = stored.Entry.Shared!;
        using var view = stored.GetView();
        Assert.That(view.Address, Is.EqualTo(shared.Address + 4), "the span starts past MemoryPack's length, in the map");
        Assert.That(view.Address + (long)view.Length * 8, Is.LessThanOrEqualTo(shared.Address + shared.MappedLength));
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
    public void An_open_view_pins_its_value_until_it_is_disposed()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var stored = Ray.Put(Numbers());
        var shared = stored.Entry.Shared!;
        using (stored.GetView())
        {
            Assert.That(shared.Pins, Is.EqualTo(1));
        }

        Assert.That(shared.Pins, Is.Zero);
    }

    [Test]
    public void A_view_in_a_worker_reads_the_value_inside_the_workers_map()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var data = Numbers();
        var stored = Ray.Put(data);
        Assert.That(StoreTasks.Remote.ViewInWorker(stored).Get(Long), Is.EqualTo($"True:{data.Sum()}"));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string PutAndForget(RayRuntime ray, int count)
    {
        var stored = Ray.Put(new double[count]);
        Assert.That(ProcTasks.Remote.SumDoubles(stored).Get(Long), Is.Zero);
        var path = Path.Combine(ObjectsDir(ray), stored.Entry.Shared!.Name);
        Assert.That(File.Exists(path), Is.True);
        return path;
    }

    [Test]
    public void A_large_by_value_argument_is_written_once_into_shared_memory_and_freed_once_its_task_is_done()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        ProcTasks.Remote.Pid().Get(Long);
        var data = new byte[10 << 20];
        new Random(7).NextBytes(data);
        var files = Directory.GetFiles(ObjectsDir(ray)).Length;
        var copies = ProcessTestSupport.CurrentStore.HeapCopies;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = StoreTasks.Remote.Checksum(data);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.LessThan(1 << 20), "the driver serialized the argument without a heap copy of its bytes");
        Assert.That(Directory.GetFiles(ObjectsDir(ray)), Has.Length.EqualTo(files + 1), "the argument is one file in shared memory");
        Assert.That(sum.Get(Long), Is.EqualTo(StoreChecks.Checksum(data)), "the worker received it intact");
        Assert.That(ProcessTestSupport.CurrentStore.HeapCopies, Is.EqualTo(copies), "nothing was copied from the heap into a file");
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(Directory.GetFiles(ObjectsDir(ray)), Has.Length.EqualTo(files), "freed once the task is done");
        GC.KeepAlive(sum);
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
    private static double SumThroughList(StrongBox<ObjectRef<ObjectRef<double[]>[]>?> list)
    {
        var refs = list.Value!.Get();
        return refs.Sum(r => r.Get().Sum()) + StoreTasks.Remote.SumAll(refs).Get(Long);
    }

    [Test]
    public void Refs_put_inside_a_value_live_as_long_as_the_value_and_go_with_it()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        // In a box, so that no temporary of the test method (kept live to its end in Debug builds) holds the ref itself.
        var list = PutListOfLargeValues(ray, out var paths);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(paths.All(File.Exists), Is.True, "the container keeps the values its refs point at");
        Assert.That(SumThroughList(list), Is.EqualTo(12.0 * (1 << 17)), "the refs read back from the container (here and, passed by value, in a worker) find their values");
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(paths.All(File.Exists), Is.True);
        list.Value = null;
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(paths.Where(File.Exists), Is.Empty, "freed with their container");
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
    public void A_container_in_shared_memory_holds_its_refs_until_it_is_freed()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var container = PutLargeContainer(ray, out var paths);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(paths.All(File.Exists), Is.True);
        container.Value = null;
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(paths.Where(File.Exists), Is.Empty, "the container and then the value its ref pointed at are freed");
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
    public void Refs_inside_a_workers_result_live_as_long_as_the_result()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var result = RefsFromWorker(ray, out var paths);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(paths.All(File.Exists), Is.True, "the result keeps the values its refs point at, though the worker let them go");
        Assert.That(SumOfResult(result), Is.EqualTo(3.0 * (1 << 17)));
        result.Value = null;
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(paths.Where(File.Exists), Is.Empty, "freed with the result");
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
    public void Refs_inside_a_workers_put_live_as_long_as_the_put()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var result = ContainerFromWorker(ray, out var path);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(File.Exists(path), Is.True, "the worker's container (held through the result) keeps the value");
        Assert.That(SumThroughWorkerContainer(result), Is.EqualTo(2.0 * (1 << 17)));
        result.Value = null;
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(File.Exists(path), Is.False, "freed with the container");
    }

    [Test]
    public void Refs_inside_a_nested_tasks_argument_are_freed_once_the_task_and_the_worker_let_go()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var answer = StoreTasks.Remote.NestedSumOfPut().Get(Long).Split(':');
        Assert.That(double.Parse(answer[1], System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(3.0 * (1 << 17)));
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
        Assert.That(ProcessTestSupport.CurrentStore.Used, Is.Zero);
    }

    [Test]
    public void A_ref_held_only_by_a_worker_keeps_the_value_until_the_worker_lets_it_go()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var holder = Holder.Remote.New();
        var name = holder.HoldNew(1 << 20, 1.0).Get(Long);
        var path = Path.Combine(ObjectsDir(ray), name);
        Assert.That(File.Exists(path), Is.True, "the worker wrote its put into shared memory");
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(File.Exists(path), Is.True, "the worker's ref keeps it");
        Assert.That(holder.Sum().Get(Long), Is.EqualTo(1 << 20));
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

    [Test]
    public void A_ref_a_worker_reads_again_while_the_release_of_its_earlier_copy_is_reported_keeps_its_value()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var rereader = Rereader.Remote.New();
        var stored = PutAndLend(ray, rereader, out var path);
        // The worker's first copy is collected; the sweep that reports it lets the worker read the ref again right then.
        for (var i = 0; i < 20 && !rereader.ReadAgain().Get(Long); i++) ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(rereader.ReadAgain().Get(Long), Is.True, "the hook ran");
        stored.Value = null;
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(File.Exists(path), Is.True, "the worker's second copy keeps the value: its borrow outlives the release of the first");
        Assert.That(rereader.SumKept().Get(Long), Is.EqualTo(4.0 * (1 << 17)));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string PutAndOpenView(RayRuntime ray, ActorHandle<ViewHolder> holder)
    {
        var data = new double[1 << 20];
        Array.Fill(data, 3.0);
        var stored = Ray.Put(data);
        Assert.That(holder.Open(stored).Get(Long), Is.EqualTo(1 << 20));
        return Path.Combine(ObjectsDir(ray), stored.Entry.Shared!.Name);
    }

    [Test]
    public void A_view_open_in_a_worker_keeps_its_value_though_no_ref_to_it_is_left()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var holder = ViewHolder.Remote.New();
        var path = PutAndOpenView(ray, holder);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(File.Exists(path), Is.True, "the worker's open view counts as a ref (its file must not be freed, nor reused under the view)");
        Assert.That(holder.Sum().Get(Long), Is.EqualTo(3.0 * (1 << 20)));
        holder.Close().Get(Long);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(File.Exists(path), Is.False, "freed once the view is closed");
    }

    [Test]
    public void A_spilled_value_round_trips_and_is_restored_on_get()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 4 << 20 });
        var a = Ray.Put(Enumerable.Range(0, 3 << 17).Select(i => (double)i).ToArray()); // 3 MiB
        var spilled = a.Entry.Shared!;
        PutAnotherThenDropIt(ray, spilled);
        Assert.That(ProcTasks.Remote.SumDoubles(a).Get(Long), Is.EqualTo(Enumerable.Range(0, 3 << 17).Sum(i => (double)i)), "a worker reads it from disk");
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        Assert.That(a.Get()[12345], Is.EqualTo(12345.0));
        Assert.That(spilled.Spilled, Is.False, "Get brought it back into shared memory");
        Assert.That(File.Exists(Path.Combine(ObjectsDir(ray), spilled.Name)), Is.True);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void PutAnotherThenDropIt(RayRuntime ray, SharedObject first)
    {
        var b = Ray.Put(new double[3 << 17]);
        Assert.That(first.Spilled, Is.True, "the older value went to disk to make room");
        Assert.That(File.Exists(Path.Combine(ProcessTestSupport.Backend(ray).Session.SpillPath, first.Name)), Is.True);
        Assert.That(b.Entry.Shared!.Spilled, Is.False);
    }

    [Test]
    public void Put_throws_ObjectStoreFullException_when_nothing_can_be_freed_or_spilled()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1 << 20 });
        ProcessTestSupport.CurrentStore.SpillLimit = 1 << 20;
        var a = Ray.Put(new byte[700 * 1024]);
        var b = Ray.Put(new byte[700 * 1024]);
        Assert.That(a.Entry.Shared!.Spilled, Is.True);
        Assert.Throws<ObjectStoreFullException>(() => Ray.Put(new byte[700 * 1024]));
        Assert.That(Directory.GetFiles(ObjectsDir(ray)), Has.Length.EqualTo(1), "the failed put left no file");
        Assert.That(a.Get(), Has.Length.EqualTo(700 * 1024));
        Assert.That(b.Get(), Has.Length.EqualTo(700 * 1024));
        GC.KeepAlive(a);
        GC.KeepAlive(b);
    }

    [Test]
    public void A_put_in_a_worker_throws_ObjectStoreFullException_when_the_driver_cannot_make_room()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, ObjectStoreMemory = 1 << 20 });
        ProcessTestSupport.CurrentStore.SpillLimit = 1 << 20;
        Assert.That(StoreTasks.Remote.TryPutInWorker(700 * 1024).Get(Long), Is.EqualTo("ok"), "room to spare");
        var a = Ray.Put(new byte[700 * 1024]);
        var b = Ray.Put(new byte[700 * 1024]);
        Assert.That(StoreTasks.Remote.TryPutInWorker(700 * 1024).Get(Long), Is.EqualTo("full"));
        Assert.That(ProcessTestSupport.CurrentStore.Used, Is.LessThanOrEqualTo(1 << 20), "the driver never went over capacity");
        Assert.That(Directory.GetFiles(ObjectsDir(ray)), Has.Length.EqualTo(1), "the refused put left no file");
        Assert.That(a.Get(), Has.Length.EqualTo(700 * 1024));
        Assert.That(b.Get(), Has.Length.EqualTo(700 * 1024));
        GC.KeepAlive(a);
        GC.KeepAlive(b);
    }
}
