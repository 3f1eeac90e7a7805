using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using RayGen.Data.Blocks;
using RayGen.Data.Execution;
using RayGen.Data.Plan;
using RayGen.Data.Shipping;
using RayGen.Data.IO;
using RayGen.Data.Shuffle;

namespace RayGen.Data;

/// <summary>
/// A lazy, distributed dataset of rows of <typeparamref name="T"/>, held as blocks in the object store. Transformations
/// only extend the plan; a consumer (<see cref="IterRows"/>, <see cref="IterBatches"/>, <see cref="Take"/>,
/// <see cref="Count"/>, <see cref="Materialize"/>, the writers) runs it as a stream of tasks with backpressure.
/// Transform functions run in worker processes: they must be static lambdas or static methods.
/// </summary>
/// <typeparam name="T">The row type: serializable with MemoryPack (primitives, strings, tuples, <c>[MemoryPackable]</c> types).</typeparam>
public sealed class Dataset<T>
{
    private DatasetStats? _stats;

    internal Dataset(LogicalPlan plan) => Plan = plan;

    internal LogicalPlan Plan { get; }

    /// <summary>The rows' columns and the blocks' format (Arrow record batches where the row type allows).</summary>
    public DatasetSchema Schema => new(typeof(T));

    /// <summary>Each row through <paramref name="function"/>.</summary>
    public Dataset<TOut> Map<TOut>(Func<T, TOut> function) => Step<TOut>(StepKind.Map, "Map", function);

    /// <summary>Each row to any number of rows.</summary>
    public Dataset<TOut> FlatMap<TOut>(Func<T, IEnumerable<TOut>> function) => Step<TOut>(StepKind.FlatMap, "FlatMap", function);

    /// <summary>The rows for which <paramref name="predicate"/> is true.</summary>
    public Dataset<T> Filter(Func<T, bool> predicate) => Step<T>(StepKind.Filter, "Filter", predicate);

    /// <summary>Batches of at most <paramref name="batchSize"/> rows (a batch never spans two blocks) through <paramref name="function"/>.</summary>
    public Dataset<TOut> MapBatches<TOut>(Func<T[], TOut[]> function, int batchSize = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return Step<TOut>(StepKind.MapBatches, "MapBatches", function, batchSize);
    }

    /// <summary>Rows regrouped into <paramref name="blocks"/> blocks of near-equal size, in order (an all-to-all operator).</summary>
    public Dataset<T> Repartition(int blocks)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blocks);
        var spec = new ShuffleSpec { Kind = ShuffleKind.Repartition, RowType = TypeNames.Of(typeof(T)) };
        return new Dataset<T>(Plan.Then(new ShuffleOp($"Repartition({blocks})", typeof(T), spec, blocks, null)));
    }

    /// <summary>The rows in a random order (an all-to-all operator); the same <paramref name="seed"/> gives the same order.</summary>
    public Dataset<T> RandomShuffle(int? seed = null)
    {
        var spec = new ShuffleSpec { Kind = ShuffleKind.RandomShuffle, RowType = TypeNames.Of(typeof(T)), RandomSeed = seed ?? Random.Shared.Next() };
        return new Dataset<T>(Plan.Then(new ShuffleOp("RandomShuffle", typeof(T), spec, null, null)));
    }

    /// <summary>The rows ordered by <paramref name="key"/> (stable; an all-to-all operator: samples, range partitions, sorts each range).</summary>
    public Dataset<T> Sort<TKey>(Func<T, TKey> key, bool descending = false)
    {
        var spec = new ShuffleSpec
        {
            Kind = ShuffleKind.Sort,
            RowType = TypeNames.Of(typeof(T)),
            KeyType = TypeNames.Of(typeof(TKey)),
            Key = ShippedFunction.Describe(key, "Sort"),
            Descending = descending,
        };
        return new Dataset<T>(Plan.Then(new ShuffleOp("Sort", typeof(T), spec, null,
            (samples, outputs) => MemoryPack.MemoryPackSerializer.Serialize(KeyOrder<TKey>.Boundaries(samples, outputs, descending)))));
    }

    /// <summary>The rows grouped by <paramref name="key"/>, to count or aggregate.</summary>
    public GroupedDataset<T, TKey> GroupBy<TKey>(Func<T, TKey> key) where TKey : notnull => new(this, ShippedFunction.Describe(key, "GroupBy"));

    /// <summary>Runs the plan now and keeps its blocks in the store: later consumers start from them.</summary>
    public Dataset<T> Materialize()
    {
        var blocks = new List<BlockMeta>();
        using (var run = Run(prefetchBlocks: int.MaxValue))
        {
            while (run.TryNext(out var block)) blocks.Add(block);
            _stats = run.Stats;
        }

        return new Dataset<T>(LogicalPlan.Of(new BlocksOp(typeof(T), blocks))) { _stats = _stats };
    }

    /// <summary>Every row, as the blocks arrive.</summary>
    public IEnumerable<T> IterRows(int prefetchBlocks = 2)
    {
        foreach (var block in IterBlocks(prefetchBlocks))
        {
            foreach (var row in block) yield return row;
        }
    }

    /// <summary>
    /// The rows in batches of <paramref name="batchSize"/> (the last may be smaller), the first as soon as the first
    /// block is made. <paramref name="prefetchBlocks"/> blocks are made ahead of the one being read.
    /// </summary>
    public IEnumerable<T[]> IterBatches(int batchSize = 256, int prefetchBlocks = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var buffer = new List<T>(batchSize);
        foreach (var block in IterBlocks(prefetchBlocks))
        {
            var offset = 0;
            while (offset < block.Length)
            {
                if (buffer.Count == 0 && block.Length - offset >= batchSize)
                {
                    yield return block.AsSpan(offset, batchSize).ToArray();
                    offset += batchSize;
                    continue;
                }

                var take = Math.Min(batchSize - buffer.Count, block.Length - offset);
                buffer.AddRange(block.AsSpan(offset, take));
                offset += take;
                if (buffer.Count == batchSize)
                {
                    yield return buffer.ToArray();
                    buffer.Clear();
                }
            }
        }

        if (buffer.Count > 0) yield return buffer.ToArray();
    }

    /// <summary>The first <paramref name="count"/> rows; the run stops once it has them.</summary>
    public List<T> Take(int count = 20)
    {
        var rows = new List<T>(Math.Min(count, 1 << 16));
        if (count <= 0) return rows;
        foreach (var row in IterRows(prefetchBlocks: 1))
        {
            rows.Add(row);
            if (rows.Count == count) break;
        }

        return rows;
    }

    /// <summary>How many rows; the blocks are counted where they are, never brought to the driver.</summary>
    public long Count()
    {
        long count = 0;
        using var run = Run(prefetchBlocks: int.MaxValue);
        while (run.TryNext(out var block)) count += block.Rows;
        _stats = run.Stats;
        return count;
    }

    /// <summary>Writes CSV files (one per block, with a header; null as <c>\N</c>) into <paramref name="directory"/>. Rows are <c>[CsvRecord]</c> types.</summary>
    public void WriteCsv(string directory) => Write(directory, SinkFormat.Csv, "WriteCsv");

    /// <summary>Writes Parquet files (one per block) into <paramref name="directory"/>, with Parquet.Net's class serializer.</summary>
    public void WriteParquet(string directory) => Write(directory, SinkFormat.Parquet, "WriteParquet");

    /// <summary>Writes JSON lines files (one per block) into <paramref name="directory"/>.</summary>
    public void WriteJson(string directory) => Write(directory, SinkFormat.Json, "WriteJson");

    /// <summary>The figures of this dataset's last run: per operator, time, rows and bytes in and out; peak store use.</summary>
    /// <exception cref="InvalidOperationException">No consumer ran this dataset yet.</exception>
    public DatasetStats Stats() => _stats ?? throw new InvalidOperationException("No consumer has run this dataset yet: Stats() describes the last run.");

    /// <inheritdoc />
    public override string ToString() => $"Dataset<{typeof(T).Name}>: {Plan}";

    private Dataset<TOut> Step<TOut>(StepKind kind, string name, Delegate function, int batchSize = 0)
    {
        var step = new StepSpec
        {
            Kind = kind,
            Name = name,
            InType = TypeNames.Of(typeof(T)),
            OutType = TypeNames.Of(typeof(TOut)),
            Function = ShippedFunction.Describe(function, name),
            BatchSize = batchSize,
        };
        return new Dataset<TOut>(Plan.Then(new StepOp(step, typeof(TOut))));
    }

    internal Dataset<TOut> Then<TOut>(LogicalOp op) => new(Plan.Then(op));

    private StreamingExecutor Run(int prefetchBlocks)
    {
        if (!Ray.IsInitialized) throw new InvalidOperationException("A dataset runs on the RayGen runtime: call Ray.Init() first.");
        return new StreamingExecutor(Plan, prefetchBlocks);
    }

    private IEnumerable<T[]> IterBlocks(int prefetchBlocks)
    {
        var codec = BlockCodec.For<T>();
        using var run = Run(prefetchBlocks);
        try
        {
            while (run.TryNext(out var block)) yield return codec.DecodeRows(block.Data!.Get());
        }
        finally
        {
            _stats = run.Stats;
        }
    }

    private void Write(string directory, SinkFormat format, string name)
    {
        var target = Path.GetFullPath(directory);
        var staging = Path.Combine(target, "_temporary", Guid.NewGuid().ToString("N"));
        var step = new StepSpec
        {
            Kind = StepKind.Write,
            Name = name,
            InType = TypeNames.Of(typeof(T)),
            OutType = TypeNames.Of(typeof(T)),
            Sink = new SinkSpec { Format = format, StagingDirectory = staging },
        };
        var plan = Plan.Then(new StepOp(step, typeof(T)));
        try
        {
            using (var run = new StreamingExecutor(plan, prefetchBlocks: int.MaxValue))
            {
                while (run.TryNext(out _)) { }
                _stats = run.Stats;
                _stats.RowsOut = _stats.Operators[^1].RowsIn;
            }

            Commit(target, staging, Writers.Extension(format));
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            var temporary = Path.Combine(target, "_temporary");
            if (Directory.Exists(temporary) && !Directory.EnumerateFileSystemEntries(temporary).Any()) Directory.Delete(temporary);
        }
    }

    /// <summary>Moves a finished write's parts into place, replacing an earlier write's parts, then marks it complete.</summary>
    private static void Commit(string target, string staging, string extension)
    {
        Directory.CreateDirectory(target);
        File.Delete(Path.Combine(target, "_SUCCESS"));
        foreach (var old in Directory.EnumerateFiles(target, "part-*" + extension)) File.Delete(old);
        if (Directory.Exists(staging))
        {
            foreach (var part in Directory.EnumerateFiles(staging, "part-*" + extension))
                File.Move(part, Path.Combine(target, Path.GetFileName(part)), overwrite: true);
        }

        File.WriteAllText(Path.Combine(target, "_SUCCESS"), "");
    }
}
