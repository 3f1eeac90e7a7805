using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NUnit.Framework;
using RayGen.Data;

namespace RayGen.Cluster.Tests;

// RayGen.Data on the cluster, unchanged: its tasks and actor pools are ordinary tasks and actors, placed on the nodes.
public partial class ThreeNodeClusterTests
{
    [Test]
    public void A_dataset_streams_through_tasks_on_several_nodes_with_the_exact_result()
    {
        using var ray = Connect();
        var rows = RayData.Range(240_000, blocks: 24)
            .Map(static i => (long)i * 3)
            .Filter(static x => x % 2 == 0)
            .MapBatches(static (long[] batch) => batch.Select(x => (Value: x + 1, Node: Ray.RuntimeContext.NodeId)).ToArray(), batchSize: 1000)
            .IterRows()
            .ToList();

        long expected = 0;
        for (long i = 0; i < 240_000; i++)
        {
            if (i * 3 % 2 == 0) expected += (i * 3) + 1;
        }

        var nodes = Ray.Nodes().Select(n => n.NodeId).ToHashSet();
        Assert.Multiple(() =>
        {
            Assert.That(rows.Sum(r => r.Value), Is.EqualTo(expected));
            Assert.That(rows.Select(r => r.Value), Is.Ordered, "blocks arrive in order");
            Assert.That(rows.Select(r => r.Node).Distinct().Count(), Is.GreaterThanOrEqualTo(2), "the blocks were made on more than one node");
            Assert.That(rows.Select(r => r.Node), Has.All.Matches<string>(n => n is not null && nodes.Contains(n)), "every block was made on a node of this cluster");
        });
    }

    [Test]
    public void A_class_transform_runs_on_an_actor_pool_across_nodes_and_a_group_by_shuffles_between_them()
    {
        using var ray = Connect();
        var tagged = RayData.Range(6_000, blocks: 12)
            .MapBatches<NodeTagger, int, (int Value, string Node, string Instance)>(concurrency: 3, batchSize: 500)
            .Materialize();
        var rows = tagged.IterRows().ToList();
        var perNode = tagged.GroupBy(static r => r.Node).Count().IterRows().ToDictionary(r => r.Key, r => r.Count);

        Assert.Multiple(() =>
        {
            Assert.That(rows.Select(r => r.Value), Is.EqualTo(Enumerable.Range(0, 6_000)), "every row once, in order");
            Assert.That(rows.Select(r => r.Instance).Distinct().Count(), Is.EqualTo(3), "three actors, each constructed once");
            Assert.That(perNode.Values.Sum(), Is.EqualTo(6_000));
            Assert.That(perNode.Keys, Is.EquivalentTo(rows.Select(r => r.Node).Distinct()), "GroupBy counted the same nodes");
        });
    }

    [Test]
    public void A_dataset_written_as_parquet_by_tasks_on_the_nodes_reads_back_whole()
    {
        using var ray = Connect();
        var directory = Path.Combine(Path.GetTempPath(), "raygen-cluster-data-" + Guid.NewGuid().ToString("N"));
        try
        {
            RayData.Range(50_000, blocks: 10).Map(static i => new Reading { Id = i, Value = i * 0.5 }).WriteParquet(directory);
            var back = RayData.ReadParquet<Reading>(directory).IterRows().OrderBy(r => r.Id).ToList();
            Assert.That(File.Exists(Path.Combine(directory, "_SUCCESS")), Is.True);
            Assert.That(back.Select(r => r.Id), Is.EqualTo(Enumerable.Range(0, 50_000)));
            Assert.That(back.Sum(r => r.Value), Is.EqualTo(Enumerable.Range(0, 50_000).Sum(i => i * 0.5)));
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}

/// <summary>Tags each row with the node and the actor instance that transformed it.</summary>
public sealed class NodeTagger : IBatchTransform<int, (int Value, string Node, string Instance)>
{
    private readonly string _instance = Guid.NewGuid().ToString("N");

    public (int Value, string Node, string Instance)[] Transform(int[] batch)
    {
        var node = Ray.RuntimeContext.NodeId;
        return batch.Select(v => (v, node, _instance)).ToArray();
    }
}

/// <summary>A row Parquet.Net's class serializer writes and reads.</summary>
[MemoryPack.MemoryPackable]
public sealed partial class Reading
{
    public int Id { get; set; }

    public double Value { get; set; }
}
