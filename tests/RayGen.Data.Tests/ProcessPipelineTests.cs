using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using NUnit.Framework;

namespace RayGen.Data.Tests;

/// <summary>The Done-when behaviours, on worker processes.</summary>
[TestFixture]
public sealed class ProcessPipelineTests() : DataFixture(RayMode.Processes)
{
    [Test]
    public void A_million_row_range_through_Map_Filter_MapBatches_gives_the_exact_sum()
    {
        var total = RayData.Range(1_000_000)
            .Map(static i => (long)i * 3)
            .Filter(static x => x % 2 == 0)
            .MapBatches(static (long[] batch) => batch.Select(x => x + 1).ToArray(), batchSize: 1000)
            .IterBatches(batchSize: 4096)
            .Sum(batch => batch.Sum());

        long expected = 0;
        for (long i = 0; i < 1_000_000; i++)
        {
            var x = i * 3;
            if (x % 2 == 0) expected += x + 1;
        }

        Assert.That(total, Is.EqualTo(expected));
    }

    [Test]
    public void A_static_lambda_reaches_the_workers_through_the_generated_registry_not_by_reflection()
    {
        var tripled = RayData.Range(10_000).Map(static i => (long)i * 3);
        var function = ((RayGen.Data.Plan.StepOp)tripled.Plan.Ops[^1]).Step.Function!;
        Assert.That(function.RegistryId, Does.StartWith("ProcessPipelineTests.cs("), "the interceptor named the call site");

        // Spoil what reflection would bind by: only the registry can find the function now.
        function.MethodToken = 0;
        function.DeclaringType = "Nowhere.Gone, Nowhere";
        var rows = tripled.IterRows().ToList();
        Assert.That(rows, Is.EqualTo(Enumerable.Range(0, 10_000).Select(i => (long)i * 3)));
    }

    [Test]
    public void A_function_that_names_private_code_is_bound_by_reflection_and_still_runs()
    {
        var scaled = RayData.Range(1_000).Map(static i => Secret(i));
        Assert.That(((RayGen.Data.Plan.StepOp)scaled.Plan.Ops[^1]).Step.Function!.RegistryId, Is.Empty, "the registry cannot name a private method");
        Assert.That(scaled.IterRows().Sum(), Is.EqualTo(Enumerable.Range(0, 1_000).Sum(Secret)));
    }

    private static int Secret(int x) => (x * 7) % 11;

    [Test]
    public void IterBatches_yields_the_first_batch_before_the_last_block_is_made()
    {
        var stamped = RayData.Range(40 * 100, blocks: 40).MapBatches(static (int[] batch) =>
        {
            System.Threading.Thread.Sleep(40);   // some work per block, so making them all takes a while
            var now = DateTime.UtcNow.Ticks;
            return batch.Select(v => new Stamped(v, now, Environment.ProcessId)).ToArray();
        }, batchSize: 100);

        long firstArrived = 0;
        var all = new List<Stamped>();
        foreach (var batch in stamped.IterBatches(batchSize: 100))
        {
            if (firstArrived == 0) firstArrived = DateTime.UtcNow.Ticks;
            all.AddRange(batch);
        }

        var lastMade = all.Max(s => s.MadeAtTicks);
        Assert.Multiple(() =>
        {
            Assert.That(all.Select(s => s.Value), Is.EqualTo(Enumerable.Range(0, 4000)), "every row, in order");
            Assert.That(firstArrived, Is.LessThan(lastMade), "the first batch reached the consumer before the last block was made");
            Assert.That(all.Select(s => s.Pid).Distinct(), Has.None.EqualTo(Environment.ProcessId), "blocks were made in worker processes");
        });
    }

    [Test]
    public void A_dataset_four_times_the_store_streams_through_MapBatches_to_a_sink_within_the_bound()
    {
        const int rows = 2048, payload = 64 * 1024;        // 128 MiB of payload through a 32 MiB store
        Assert.That((long)rows * payload, Is.EqualTo(4 * StoreBytes));
        var output = ScratchPath("blobs");
        var blobs = RayData.Range(rows, blocks: 128)
            .MapBatches(static (int[] ids) => ids.Select(id => new Blob { Id = id, Payload = Fill(id, 64 * 1024) }).ToArray(), batchSize: 16)
            .MapBatches<Reverser, Blob, Blob>(concurrency: 2, batchSize: 16);   // actors: every block crosses the store twice

        Assert.DoesNotThrow(() => blobs.WriteJson(output));

        var stats = blobs.Stats();
        TestContext.Out.WriteLine(stats);
        Assert.Multiple(() =>
        {
            Assert.That(stats.RowsOut, Is.EqualTo(rows));
            Assert.That(Directory.GetFiles(output, "part-*.jsonl"), Has.Length.EqualTo(128));
            Assert.That(File.Exists(Path.Combine(output, "_SUCCESS")));
            Assert.That(stats.PeakStoreBytes, Is.Not.Null.And.LessThanOrEqualTo(StoreBytes), "measured store use stayed within the store");
            // Blocks the run let go stay in the store until the driver's and the workers' GCs release them, so the store
            // runs near full and may spill a little of that garbage (a few MiB measured); never a store's worth.
            Assert.That(stats.PeakSpilledBytes, Is.LessThan(StoreBytes), "spilled less than one store's worth of the 128 MiB");
            // Past the bound, each operator over blocks may still run one task (its input and output: two 1 MiB blocks).
            Assert.That(stats.PeakBlockBytes, Is.LessThanOrEqualTo(stats.StoreBudget + (4L << 20)), "the executor kept to its own bound");
        });
    }

    [Test]
    public void A_fast_operator_before_a_slow_one_holds_no_more_than_the_slow_ones_bound_before_it()
    {
        const int blocks = 40;
        DataContext.Current.MaxStoreBytesPerOperator = 600 * 1024;   // two 256 KiB blocks and a little
        var bounded = FastThenSlow(blocks, sleepMs: 30);
        var ids = bounded.IterRows().Select(b => b.Payload.All(x => x == (byte)b.Id) ? b.Id : -1).ToList();
        var stats = bounded.Stats();
        TestContext.Out.WriteLine(stats);

        DataContext.Current.MaxStoreBytesPerOperator = null;         // the default: the run's bound (8 MiB) for its one operator over blocks
        var unbounded = FastThenSlow(blocks, sleepMs: 30);
        Assert.That(unbounded.Count(), Is.EqualTo(blocks * 4));
        TestContext.Out.WriteLine(unbounded.Stats());

        var source = stats.Operators[1];
        var block = source.BytesOut!.Value / source.BlocksOut;
        var slow = stats.Operators[2];
        var bound = slow.HeldBytesBound ?? 0;
        Assert.Multiple(() =>
        {
            Assert.That(ids, Is.EqualTo(Enumerable.Range(0, blocks * 4)), "every row, whole and in order");
            Assert.That(block, Is.InRange(256 * 1024, 257 * 1024), "the blocks are the size the test counts on");
            Assert.That(slow.HeldBytesBound, Is.EqualTo(600 * 1024));
            // The executor books a task's output at its estimate (the average so far) until the task finishes, so an
            // output larger than its estimate may pass the bound by the difference: at most one block.
            Assert.That(slow.PeakHeldBytes, Is.LessThanOrEqualTo(bound + block), "held before the slow operator, by the executor's accounting");
            Assert.That(slow.PeakHeldBytes, Is.GreaterThan(bound - block), "the bound was reached: the fast operator was held back by it");
            Assert.That(unbounded.Stats().Operators[2].PeakHeldBytes, Is.GreaterThan(bound + block),
                "without the bound the same pipeline held more (only the bounds on block counts held it)");
            Assert.That(stats.Operators[0].HeldBytesBound, Is.Null, "a source takes no blocks");
        });
    }

    [Test]
    public void A_block_larger_than_its_operators_bound_still_flows_one_at_a_time()
    {
        DataContext.Current.MaxStoreBytesPerOperator = 1;
        var dataset = FastThenSlow(blocks: 12, sleepMs: 5);
        Assert.That(dataset.IterRows().Select(b => b.Id), Is.EqualTo(Enumerable.Range(0, 48)));
        var stats = dataset.Stats();
        var block = stats.Operators[1].BytesOut!.Value / stats.Operators[1].BlocksOut;
        Assert.That(stats.Operators[2].PeakHeldBytes, Is.EqualTo(block), "one block at a time: the operator may always take one");
    }

    /// <summary>A source stage making 256 KiB blocks (4 rows of 64 KiB) fast, before a class transform that sleeps per block.</summary>
    private static Dataset<Blob> FastThenSlow(int blocks, int sleepMs) => RayData.Range(blocks * 4, blocks: blocks)
        .MapBatches(static (int[] ids) => ids.Select(id => new Blob { Id = id, Payload = Fill(id, 64 * 1024) }).ToArray())
        .MapBatches<Sleeper, Blob, Blob>(concurrency: 1, batchSize: 1000, sleepMs);

    [Test]
    public void A_class_transforms_constructor_runs_once_per_actor_not_per_batch()
    {
        var tagged = RayData.Range(2_000, blocks: 20)
            .MapBatches<Tagger, int, Tagged>(concurrency: 2, batchSize: 50, 1000)
            .Take(2_000);

        var instances = tagged.Select(t => t.Instance).Distinct().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(tagged.Select(t => t.Value), Is.EqualTo(Enumerable.Range(1000, 2000)), "the constructor's argument reached every instance; rows in order");
            Assert.That(instances, Has.Count.InRange(1, 2), "one instance per actor, whatever the number of batches (40)");
            Assert.That(tagged.Select(t => t.ConstructedInProcess).Distinct(), Is.EqualTo(new[] { 1 }), "each actor's process built its transform once");
            Assert.That(tagged.Select(t => t.Pid).Distinct(), Has.None.EqualTo(Environment.ProcessId));
        });
    }

    [Test]
    public void Sort_and_GroupBy_run_their_map_and_reduce_tasks_in_workers()
    {
        var values = RayData.Range(20_000, blocks: 8).Map(static i => (i * 7919) % 10_007);
        var sorted = values.Sort(static v => v, descending: true).Take(5);
        var counts = values.GroupBy(static v => v % 3).Count().IterRows().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(sorted, Is.EqualTo(Enumerable.Range(0, 20_000).Select(i => (i * 7919) % 10_007).OrderDescending().Take(5)));
            Assert.That(counts, Is.EqualTo(Enumerable.Range(0, 20_000).GroupBy(i => (i * 7919) % 10_007 % 3).OrderBy(g => g.Key).Select(g => (g.Key, (long)g.Count()))));
        });
    }

    [Test]
    public void Blocks_made_by_actors_outlive_the_pool_once_materialized()
    {
        var kept = RayData.Range(4_000, blocks: 8)
            .MapBatches(static (int[] ids) => ids.Select(id => new Blob { Id = id, Payload = new byte[1000] }).ToArray())
            .MapBatches<Reverser, Blob, Blob>(concurrency: 2, batchSize: 500)
            .Materialize();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        System.Threading.Thread.Sleep(1500);   // the sweeper runs every second
        Assert.That(kept.IterRows().Select(b => b.Id), Is.EqualTo(Enumerable.Range(0, 4_000)), "the pool's actors are gone; their blocks are not");
    }

    [Test]
    public void A_csv_file_cut_into_ranges_is_read_by_a_task_per_range_in_workers_with_the_rows_of_one_read()
    {
        var people = SplitReadTests.People(2_000);
        var folder = ScratchPath("csv");
        RayData.FromItems(people, blocks: 1).WriteCsv(folder);
        var file = Directory.GetFiles(folder, "part-*.csv").Single();

        DataContext.Current.TargetBytesPerReadTask = 8 * 1024;
        var split = RayData.ReadCsv<Person>(file).Map(static p => (p.Id, p.Name, Pid: Environment.ProcessId));
        var rows = split.IterRows().ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(rows.Select(r => (r.Id, r.Name)), Is.EqualTo(people.Select(p => (p.Id, p.Name))), "every row once, in the file's order");
            Assert.That(split.Stats().Operators[0].Tasks, Is.GreaterThan(20), "a read task per range");
            Assert.That(rows.Select(r => r.Pid).Distinct(), Has.None.EqualTo(Environment.ProcessId), "read in worker processes");
        });
    }

    [Test]
    public void A_capturing_lambda_is_refused_before_anything_runs_with_the_operator_named()
    {
        var offset = 5;
        var error = Assert.Throws<ArgumentException>(() => RayData.Range(10).Map(i => i + offset));
        Assert.That(error!.Message, Does.Contain("Map").And.Contain("'offset'").And.Contain("static"));
    }

    private static byte[] Fill(int id, int length)
    {
        var bytes = new byte[length];
        bytes.AsSpan().Fill((byte)id);
        return bytes;
    }
}

/// <summary>Reverses each payload.</summary>
public sealed class Reverser : IBatchTransform<Blob, Blob>
{
    public Blob[] Transform(Blob[] batch) => batch.Select(b => new Blob { Id = b.Id, Payload = b.Payload.Reverse().ToArray() }).ToArray();
}

/// <summary>A slow operator: sleeps per batch, then passes it on.</summary>
public sealed class Sleeper(int milliseconds) : IBatchTransform<Blob, Blob>
{
    public Blob[] Transform(Blob[] batch)
    {
        System.Threading.Thread.Sleep(milliseconds);
        return batch;
    }
}

/// <summary>A class transform whose constructor is costly in real life (a model); here it records that it ran.</summary>
public sealed class Tagger : IBatchTransform<int, Tagged>
{
    private static int s_constructed;
    private readonly Guid _instance = Guid.NewGuid();
    private readonly int _offset;
    private readonly int _constructed;

    public Tagger(int offset)
    {
        _offset = offset;
        _constructed = System.Threading.Interlocked.Increment(ref s_constructed);
    }

    public Tagged[] Transform(int[] batch) =>
        batch.Select(v => new Tagged(v + _offset, _instance, _constructed, Environment.ProcessId)).ToArray();
}
