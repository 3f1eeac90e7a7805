using System;
using System.Collections.Generic;
using System.Linq;
using NUnit.Framework;

namespace RayGen.Data.Tests;

/// <summary>Each operator's meaning, checked against LINQ over the same rows, in process (the same code path, no processes to start).</summary>
[TestFixture]
public sealed class OperatorTests() : DataFixture(RayMode.InProcess)
{
    [Test]
    public void Nothing_runs_until_a_consumer_asks()
    {
        var dataset = RayData.Range(1000).Map(static i => 100 / (i - i));   // would throw at once if it ran
        Assert.That(dataset.ToString(), Is.EqualTo("Dataset<Int32>: Range -> Map"));
        Assert.Throws<InvalidOperationException>(() => dataset.Stats());
    }

    [Test]
    public void FlatMap_and_Filter_match_LINQ()
    {
        var rows = RayData.Range(1000, blocks: 7).FlatMap(static i => Enumerable.Repeat(i, i % 3)).Filter(static i => i % 5 != 0).IterRows().ToList();
        Assert.That(rows, Is.EqualTo(Enumerable.Range(0, 1000).SelectMany(i => Enumerable.Repeat(i, i % 3)).Where(i => i % 5 != 0)));
    }

    [Test]
    public void FromItems_Take_and_Count()
    {
        var words = RayData.FromItems(new[] { "a", "bb", "ccc", "dddd", "eeeee" }, blocks: 3);
        Assert.Multiple(() =>
        {
            Assert.That(words.Map(static w => w.Length).Take(3), Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(words.Filter(static w => w.Length > 1).Count(), Is.EqualTo(4));
            Assert.That(RayData.Range(0).Count(), Is.Zero);
        });
    }

    [Test]
    public void IterBatches_cuts_batches_across_blocks()
    {
        var batches = RayData.Range(1000, blocks: 7).IterBatches(batchSize: 300).ToList();
        Assert.That(batches.Select(b => b.Length), Is.EqualTo(new[] { 300, 300, 300, 100 }));
        Assert.That(batches.SelectMany(b => b), Is.EqualTo(Enumerable.Range(0, 1000)));
    }

    [Test]
    public void Sort_orders_by_the_key_either_way()
    {
        var values = Enumerable.Range(0, 5000).Select(i => (i * 7919) % 5003).ToArray();
        var data = RayData.FromItems(values, blocks: 6);
        Assert.Multiple(() =>
        {
            Assert.That(data.Sort(static v => v).IterRows().ToList(), Is.EqualTo(values.Order()));
            Assert.That(data.Sort(static v => v, descending: true).IterRows().ToList(), Is.EqualTo(values.OrderDescending()));
            Assert.That(RayData.FromItems(values, blocks: 40).Sort(static v => v).IterRows().ToList(), Is.EqualTo(values.Order()),
                "keys sampled from some of the blocks only");
        });
    }

    [Test]
    public void GroupBy_counts_and_aggregates_per_key_ordered_by_key()
    {
        var words = Enumerable.Range(0, 3000).Select(i => $"w{i % 17}").ToArray();
        var data = RayData.FromItems(words, blocks: 5);
        var counts = data.GroupBy(static w => w).Count().IterRows().ToList();
        var lengths = data.GroupBy(static w => w[^1]).Aggregate(static () => 0L, static (acc, w) => acc + w.Length, static (a, b) => a + b).IterRows().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(counts, Is.EqualTo(words.GroupBy(w => w).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Key, (long)g.Count()))));
            Assert.That(lengths, Is.EqualTo(words.GroupBy(w => w[^1]).OrderBy(g => g.Key).Select(g => (g.Key, g.Sum(w => (long)w.Length)))));
        });
    }

    [Test]
    public void Repartition_keeps_the_order_and_RandomShuffle_keeps_the_rows()
    {
        var data = RayData.Range(1000, blocks: 3);
        var repartitioned = data.Repartition(8);
        var shuffled = data.RandomShuffle(seed: 42).IterRows().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(repartitioned.IterRows().ToList(), Is.EqualTo(Enumerable.Range(0, 1000)));
            Assert.That(repartitioned.Stats().Operators.Last().BlocksOut, Is.EqualTo(8));
            Assert.That(shuffled.Order(), Is.EqualTo(Enumerable.Range(0, 1000)));
            Assert.That(shuffled, Is.Not.EqualTo(Enumerable.Range(0, 1000)));
            Assert.That(data.RandomShuffle(seed: 42).IterRows().ToList(), Is.EqualTo(shuffled), "the same seed gives the same order");
        });
    }

    [Test]
    public void Materialize_runs_once_and_later_consumers_start_from_its_blocks()
    {
        var kept = RayData.Range(100, blocks: 4).Map(static i => i * 2).Materialize();
        Assert.Multiple(() =>
        {
            Assert.That(kept.ToString(), Is.EqualTo("Dataset<Int32>: Materialized"));
            Assert.That(kept.IterRows().Sum(), Is.EqualTo(Enumerable.Range(0, 100).Sum() * 2));
            Assert.That(kept.Map(static i => i + 1).Count(), Is.EqualTo(100));
        });
    }

    [Test]
    public void A_failing_function_fails_the_consumer_with_its_message()
    {
        var error = Assert.Throws<RayTaskException>(() => RayData.Range(100).Map(static i => i == 57 ? throw new InvalidOperationException("row 57 is bad") : i).Count());
        Assert.That(error!.Message, Does.Contain("row 57 is bad"));
    }

    [Test]
    public void Instance_methods_and_capturing_lambdas_are_refused_with_the_fix_named()
    {
        var holder = new List<int>();
        var limit = 3;
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<ArgumentException>(() => RayData.Range(5).Filter(i => i < limit))!.Message,
                Does.Contain("Filter").And.Contain("'limit'").And.Contain("class transform"));
            Assert.That(Assert.Throws<ArgumentException>(() => RayData.Range(5).Filter(holder.Contains))!.Message,
                Does.Contain("instance method of List"));
            Assert.DoesNotThrow(() => RayData.Range(5).Map(Twice));
        });
    }

    [Test]
    public void Static_method_groups_run_like_lambdas()
    {
        Assert.That(RayData.Range(5).Map(Twice).IterRows(), Is.EqualTo(new[] { 0, 2, 4, 6, 8 }));
    }

    [Test]
    public void Stats_after_a_run_give_rows_bytes_and_time_per_operator_as_a_table()
    {
        var dataset = RayData.Range(10_000, blocks: 4).Map(static i => (long)i).Filter(static i => i % 2 == 0);
        Assert.That(dataset.Count(), Is.EqualTo(5_000));
        var stats = dataset.Stats();
        var table = stats.ToString();
        TestContext.Out.WriteLine(table);
        Assert.Multiple(() =>
        {
            Assert.That(stats.Operators.Select(o => o.Name), Is.EqualTo(new[] { "Range", "Map", "Filter" }));
            Assert.That(stats.Operators[0].RowsOut, Is.EqualTo(10_000));
            Assert.That(stats.Operators[2].RowsIn, Is.EqualTo(10_000));
            Assert.That(stats.Operators[2].RowsOut, Is.EqualTo(5_000));
            Assert.That(stats.Operators[2].BytesOut, Is.GreaterThan(5_000 * 8));
            Assert.That(stats.Operators.All(o => o.Tasks == 4));
            Assert.That(stats.RowsOut, Is.EqualTo(5_000));
            Assert.That(table, Does.Contain("operator").And.Contain("rows out").And.Contain("Filter").And.Contain("5,000"));
        });
    }

    [Test]
    public void Stats_show_the_bytes_held_for_each_operator_over_blocks_against_its_share_of_the_runs_bound()
    {
        DataContext.Current.MaxStoreBytes = 6L << 20;
        var dataset = RayData.Range(40_000, blocks: 8)
            .Map(static i => new Blob { Id = i, Payload = [(byte)i] })
            .MapBatches<Reverser, Blob, Blob>(concurrency: 1)   // a class transform over blocks: an operator of its own
            .Map(static b => b.Id);                             // after it, a stage over blocks
        Assert.That(dataset.IterRows(), Is.EqualTo(Enumerable.Range(0, 40_000)));
        var stats = dataset.Stats();
        TestContext.Out.WriteLine(stats);
        Assert.Multiple(() =>
        {
            Assert.That(stats.Operators.Select(o => o.HeldBytesBound), Is.EqualTo(new long?[] { null, null, 3L << 20, 3L << 20 }),
                "the run's 6 MiB shared by the two operators that take blocks; none for the source or an operator fused after it");
            Assert.That(stats.Operators[2].PeakHeldBytes, Is.GreaterThan(0).And.LessThanOrEqualTo(3L << 20));
            Assert.That(stats.ToString(), Does.Contain("held (peak/bound)").And.Contain("/ 3.0 MiB"));
        });
    }

    private static int Twice(int x) => 2 * x;
}
