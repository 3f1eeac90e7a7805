using System;
using System.Collections.Generic;
using RayGen.Benchmarks.Shared;

namespace RayGen.Benchmarks;

/// <summary>One metric of ray_perf.py: its name in Ray's microbenchmark.json, Ray 2.48's published figure, and how to set it up.</summary>
/// <param name="Setup">Creates what the loop needs (actors, refs) and returns the loop body and Ray's multiplier.</param>
/// <param name="Bounded">Runs with short rounds whatever the settings, because each call leaves memory behind (see docs/benchmarks.md).</param>
internal sealed record RayMetric(string Name, double RayPublished, Func<BenchContext, (Action Body, double Multiplier)> Setup,
    string Unit = "per second", bool Bounded = false);

internal sealed record BenchContext(int Cpus)
{
    /// <summary>ray_perf.py sizes its actor fleets with multiprocessing.cpu_count() // 2; here the runtime's CPUs stand in for the machine's, so --cpus scales them.</summary>
    public int HalfCpus => Math.Max(1, Cpus / 2);
}

internal static class RayMetrics
{
    /// <summary>The array single_client_put_gigabytes puts: 100 MiB of long (ray_perf.py puts 800 MiB; the rate in GB/s compares all the same).</summary>
    public const int LargeLongs = 100 * 1024 * 1024 / sizeof(long);

    public static double Gigabytes(long bytes) => bytes / 1e9;

    // Figures from ray-project/ray release/perf_metrics/microbenchmark.json (Ray 2.48, m5.16xlarge, 64 vCPUs).
    public static readonly RayMetric[] All =
    {
        new("single_client_get_calls_Plasma_Store", 10620.41, _ =>
        {
            var value = Ray.Put(0);
            return (() => Ray.Get(value), 1);
        }),
        new("single_client_put_calls_Plasma_Store", 5173.29, _ => (() => Ray.Put(0), 1)),
        new("multi_client_put_calls_Plasma_Store", 16526.36, _ => (() =>
        {
            var refs = new ObjectRef[10];
            for (var i = 0; i < refs.Length; i++) refs[i] = PerfTasks.Remote.DoPutSmall();
            foreach (var r in refs) r.Get();
        }, 1000)),
        new("single_client_put_gigabytes", 19.86, _ =>
        {
            var arr = new long[LargeLongs];
            return (() => Ray.Put(arr), Gigabytes((long)LargeLongs * sizeof(long)));
        }, "GB per second"),
        // Not in ray_perf.py: issue 7's target for ArrayView, a zero-copy view of a stored 1 GiB array (Ray's numpy arrays from ray.get are such views).
        new("zero_copy_view_1GiB", double.NaN, _ => ViewsOf(1024 * 1024 * 1024), "views per second"),
        // The same view of a 1 MiB array (past the inline threshold, so in shared memory too): the baseline that shows
        // a view's cost does not grow with the value (zero_copy_view_1GiB against it, a same-run ratio near 1x).
        new("zero_copy_view_1MiB", double.NaN, _ => ViewsOf(1024 * 1024), "views per second"),
        new("single_client_tasks_and_get_batch", 5.80, _ => (() =>
        {
            var submitted = new ObjectRef<byte[]>[1000];
            for (var i = 0; i < submitted.Length; i++) submitted[i] = PerfTasks.Remote.SmallValue();
            Ray.Get(submitted);
        }, 1)),
        new("multi_client_put_gigabytes", 38.14, _ => (() =>
        {
            var refs = new ObjectRef[10];
            for (var i = 0; i < refs.Length; i++) refs[i] = PerfTasks.Remote.DoPut();
            foreach (var r in refs) r.Get();
        }, Gigabytes(10L * 10 * PerfTasks.MultiPutLongs * sizeof(long))), "GB per second", Bounded: true),
        new("single_client_get_object_containing_10k_refs", 13.37, _ =>
        {
            var obj = PerfTasks.Remote.CreateObjectContainingRef();
            obj.Get();
            return (() => obj.Get(), 1);
        }),
        new("single_client_wait_1k_refs", 5.08, ctx => (() =>
        {
            IReadOnlyList<ObjectRef<byte[]>> notReady = Submit(1000);
            for (var i = 0; i < 1000; i++) notReady = Ray.Wait(notReady).NotReady;
        }, 1)),
        new("single_client_tasks_sync", 980.71, _ => (() => PerfTasks.Remote.SmallValue().Get(), 1)),
        new("single_client_tasks_async", 8040.53, _ => (() => Ray.Get(Submit(1000)), 1000)),
        new("multi_client_tasks_async", 21229.84, _ =>
        {
            const int n = 10_000, m = 4;
            var actors = NewActors(m);
            return (() =>
            {
                var submitted = new ObjectRef[m];
                for (var i = 0; i < m; i++) submitted[i] = actors[i].SmallValueBatch(n);
                foreach (var s in submitted) s.Get();
            }, n * m);
        }),
        new("1_1_actor_calls_sync", 2011.92, _ =>
        {
            var a = PerfActor.Remote.New();
            return (() => a.SmallValue().Get(), 1);
        }),
        new("1_1_actor_calls_async", 8663.65, _ =>
        {
            var a = PerfActor.Remote.New();
            return (() => Ray.Get(Calls(a, 1000)), 1000);
        }),
        new("1_1_actor_calls_concurrent", 5775.02, _ =>
        {
            var a = PerfActor.Remote.With(new RemoteOptions { MaxConcurrency = 16 }).New();
            return (() => Ray.Get(Calls(a, 1000)), 1000);
        }),
        new("1_n_actor_calls_async", 8038.17, ctx =>
        {
            const int n = 5000;
            var actors = NewActors(ctx.HalfCpus);
            var client = PerfClient.Remote.New(actors);
            return (() => client.SmallValueBatch(n).Get(), n * actors.Length);
        }),
        new("n_n_actor_calls_async", 27375.62, ctx =>
        {
            const int n = 5000, m = 4;
            var actors = NewActors(ctx.HalfCpus);
            return (() =>
            {
                var work = new ObjectRef[m];
                for (var i = 0; i < m; i++) work[i] = PerfTasks.Remote.Work(actors, n);
                foreach (var w in work) w.Get();
            }, m * n);
        }),
        new("n_n_actor_calls_with_arg_async", 2759.32, ctx =>
        {
            const int n = 1000;
            var actors = NewActors(ctx.HalfCpus);
            var clients = new ActorHandle<PerfClient>[actors.Length];
            for (var i = 0; i < actors.Length; i++) clients[i] = PerfClient.Remote.New(new[] { actors[i] });
            return (() =>
            {
                var batches = new ObjectRef[clients.Length];
                for (var i = 0; i < clients.Length; i++) batches[i] = clients[i].SmallValueBatchArg(n);
                foreach (var b in batches) b.Get();
            }, n * clients.Length);
        }),
        new("1_1_async_actor_calls_sync", 1459.73, _ =>
        {
            var a = PerfAsyncActor.Remote.New();
            return (() => a.SmallValue().Get(), 1);
        }),
        new("1_1_async_actor_calls_async", 4259.77, _ =>
        {
            var a = PerfAsyncActor.Remote.New();
            return (() =>
            {
                var calls = new ObjectRef<byte[]>[1000];
                for (var i = 0; i < calls.Length; i++) calls[i] = a.SmallValue();
                Ray.Get(calls);
            }, 1000);
        }),
        new("1_1_async_actor_calls_with_args_async", 2836.30, _ =>
        {
            var a = PerfAsyncActor.Remote.New();
            return (() =>
            {
                var calls = new ObjectRef<byte[]>[1000];
                for (var i = 0; i < calls.Length; i++) calls[i] = a.SmallValueWithArg(i);
                Ray.Get(calls);
            }, 1000);
        }),
        // Not in ray_perf.py: issue 15's utilities. A burst of 100 puts then 100 gets on a RayQueue (its actor's
        // calls in flight together), against the same burst on an in-process System.Threading.Channels channel.
        new("queue_ops_per_second", double.NaN, _ =>
        {
            var queue = new RayQueue<int>(maxSize: QueueBurst);
            queue.Put(0);
            queue.Get();
            return (() => QueueBurstOnce(queue).GetAwaiter().GetResult(), 2 * QueueBurst);
        }, "ops per second"),
        new("channel_queue_ops_per_second", double.NaN, _ =>
        {
            var channel = System.Threading.Channels.Channel.CreateBounded<int>(QueueBurst);
            return (() => ChannelBurstOnce(channel).GetAwaiter().GetResult(), 2 * QueueBurst);
        }, "ops per second"),
        // ActorPool.Map of 1000 inputs over cpus/2 actors, against the plain rate of the same 1000 calls sent
        // round-robin to the same actors (what the pool adds is its bookkeeping and its laziness).
        new("actor_pool_map_per_second", double.NaN, ctx =>
        {
            var pool = new ActorPool<PerfActor>(NewActors(ctx.HalfCpus));
            var inputs = new int[PoolInputs];
            return (() =>
            {
                foreach (var _ in pool.Map((a, x) => a.SmallValueArg(x), inputs)) { }
            }, PoolInputs);
        }),
        new("actor_pool_baseline_round_robin_calls", double.NaN, ctx =>
        {
            var actors = NewActors(ctx.HalfCpus);
            return (() =>
            {
                var calls = new ObjectRef<byte[]>[PoolInputs];
                for (var i = 0; i < calls.Length; i++) calls[i] = actors[i % actors.Length].SmallValueArg(i);
                Ray.Get(calls);
            }, PoolInputs);
        }),
        // Not in ray_perf.py (Ray publishes no streaming-generator figure): a stream of 1,000 small items read as they
        // are produced, each Get; judged against channel_items_per_second, the same hand-off in one process.
        new("stream_items_per_second", double.NaN, _ => (() =>
        {
            foreach (var item in PerfTasks.Remote.StreamSmallValues(StreamItems)) item.Get();
        }, StreamItems), "items per second"),
    };

    private const int QueueBurst = 100;
    private const int PoolInputs = 1000;

    /// <summary>Puts an array of <paramref name="bytes"/> of long; the loop takes a zero-copy view of it and reads its two ends.</summary>
    private static (Action Body, double Multiplier) ViewsOf(int bytes)
    {
        var stored = Ray.Put(new long[bytes / sizeof(long)]);
        long sink = 0;
        return (() =>
        {
            using var view = stored.GetView();
            sink += view[0] + view[view.Length - 1];
        }, 1);
    }

    private static async System.Threading.Tasks.Task QueueBurstOnce(RayQueue<int> queue)
    {
        var puts = new System.Threading.Tasks.Task[QueueBurst];
        for (var i = 0; i < puts.Length; i++) puts[i] = queue.PutAsync(i);
        await System.Threading.Tasks.Task.WhenAll(puts);
        var gets = new System.Threading.Tasks.Task<int>[QueueBurst];
        for (var i = 0; i < gets.Length; i++) gets[i] = queue.GetAsync();
        await System.Threading.Tasks.Task.WhenAll(gets);
    }

    private static async System.Threading.Tasks.Task ChannelBurstOnce(System.Threading.Channels.Channel<int> channel)
    {
        for (var i = 0; i < QueueBurst; i++) await channel.Writer.WriteAsync(i);
        for (var i = 0; i < QueueBurst; i++) await channel.Reader.ReadAsync();
    }

    /// <summary>Items in each stream stream_items_per_second reads.</summary>
    public const int StreamItems = 1000;

    private static ObjectRef<byte[]>[] Submit(int n)
    {
        var refs = new ObjectRef<byte[]>[n];
        for (var i = 0; i < n; i++) refs[i] = PerfTasks.Remote.SmallValue();
        return refs;
    }

    private static ObjectRef<byte[]>[] Calls(ActorHandle<PerfActor> a, int n)
    {
        var refs = new ObjectRef<byte[]>[n];
        for (var i = 0; i < n; i++) refs[i] = a.SmallValue();
        return refs;
    }

    private static ActorHandle<PerfActor>[] NewActors(int count)
    {
        var actors = new ActorHandle<PerfActor>[count];
        for (var i = 0; i < count; i++) actors[i] = PerfActor.Remote.New();
        // Placed and built before the clock starts, as Ray's actors are by the time the first round begins.
        foreach (var a in actors) a.SmallValue().Get();
        return actors;
    }

    public static BenchResult Run(RayMetric metric, string group, BenchContext context, TimeitSettings settings)
    {
        var (body, multiplier) = metric.Setup(context);
        var result = Timeit.Run(metric.Name, group, body, multiplier, metric.Bounded ? TimeitSettings.Quick : settings, metric.Unit);
        if (metric.Bounded) result.Note = "short rounds: objects that workers put are not freed yet, so a full run would hold tens of GB";
        return result;
    }
}
