using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using MemoryPack;
using RayGen.Data.Blocks;
using RayGen.Data.Execution;
using RayGen.Data.Shipping;

namespace RayGen.Data.Shuffle;

/// <summary>The typed map and reduce of an all-to-all operator, built once per operator in a worker.</summary>
internal abstract class ShuffleOps
{
    private static readonly ConcurrentDictionary<string, ShuffleOps> s_ops = new(StringComparer.Ordinal);

    public static ShuffleOps For(ShuffleSpec spec)
    {
        if (s_ops.Count > 256) s_ops.Clear();   // bounded as CompiledStage's cache is
        return s_ops.GetOrAdd(spec.Id, static (_, s) => Create(s), spec);
    }

    private static ShuffleOps Create(ShuffleSpec spec)
    {
        var row = TypeNames.Resolve(spec.RowType);
        var type = spec.Kind switch
        {
            ShuffleKind.Repartition or ShuffleKind.RandomShuffle => typeof(RowShuffle<>).MakeGenericType(row),
            ShuffleKind.Sort => typeof(SortShuffle<,>).MakeGenericType(row, TypeNames.Resolve(spec.KeyType)),
            _ => typeof(GroupShuffle<,,>).MakeGenericType(row, TypeNames.Resolve(spec.KeyType), TypeNames.Resolve(spec.AccType)),
        };
        return (ShuffleOps)Activator.CreateInstance(type, spec)!;
    }

    public abstract ShuffleMapResult Map(ShuffleSpec spec, byte[] block, int index);

    public abstract BlockResult Reduce(ShuffleSpec spec, ObjectRef<byte[]>[] parts, int index);

    protected static BlockMeta PutRows<TRow>(TRow[] rows)
    {
        if (rows.Length == 0) return new BlockMeta();
        var bytes = BlockCodec.For<TRow>().Encode(rows);
        return new BlockMeta { Data = Ray.Put(bytes), Rows = rows.Length, Bytes = bytes.Length };
    }

    protected static BlockResult Output<TRow>(TRow[] rows, long rowsIn, long ticks) => new()
    {
        Blocks = [PutRows(rows)],
        Steps = [new StepFigures { RowsIn = rowsIn, RowsOut = rows.Length, Ticks = ticks }],
    };

    protected static List<TRow> ReadParts<TRow>(ObjectRef<byte[]>[] parts)
    {
        var rows = new List<TRow>();
        var codec = BlockCodec.For<TRow>();
        foreach (var bytes in Ray.Get(parts)) rows.AddRange(codec.DecodeRows(bytes));
        return rows;
    }
}

/// <summary>Repartition (contiguous slices, order kept) and RandomShuffle (rows to random outputs, then shuffled).</summary>
internal sealed class RowShuffle<T>(ShuffleSpec spec) : ShuffleOps
{
    private readonly BlockCodec<T> _codec = BlockCodec.For<T>();

    public override ShuffleMapResult Map(ShuffleSpec call, byte[] block, int index)
    {
        var rows = _codec.DecodeRows(block);
        var random = new Random(HashCode.Combine(spec.RandomSeed, index));
        var outputs = Enumerable.Range(0, spec.Outputs).Select(_ => new List<T>()).ToArray();
        foreach (var row in rows) outputs[random.Next(spec.Outputs)].Add(row);
        return new ShuffleMapResult { Parts = outputs.Select(o => PutRows(o.ToArray())).ToArray(), RowsIn = rows.Length };
    }

    public override BlockResult Reduce(ShuffleSpec call, ObjectRef<byte[]>[] parts, int index)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        List<T> rows;
        if (spec.Kind == ShuffleKind.Repartition)
        {
            rows = [];
            var blocks = Ray.Get(parts);
            for (var i = 0; i < blocks.Length; i++)
                rows.AddRange(_codec.DecodeRows(blocks[i]).AsSpan(call.SliceStarts[i], call.SliceCounts[i]));
        }
        else
        {
            rows = ReadParts<T>(parts);
            var random = new Random(HashCode.Combine(spec.RandomSeed, index, 7919));
            var array = rows.ToArray();
            random.Shuffle(array);
            rows = [.. array];
        }

        return Output(rows.ToArray(), rows.Count, System.Diagnostics.Stopwatch.GetTimestamp() - started);
    }
}

/// <summary>Sort: sample keys, range-partition by the driver's boundaries, sort each range.</summary>
internal sealed class SortShuffle<T, TKey>(ShuffleSpec spec) : ShuffleOps
{
    private readonly BlockCodec<T> _codec = BlockCodec.For<T>();
    private readonly Func<T, TKey> _key = ShippedFunction.Resolve<Func<T, TKey>>(spec.Key!);
    private readonly IComparer<TKey> _comparer = KeyOrder<TKey>.For(spec.Descending);

    public override ShuffleMapResult Map(ShuffleSpec call, byte[] block, int index)
    {
        var rows = _codec.DecodeRows(block);
        if (call.SampleOnly) return new ShuffleMapResult { Samples = KeyOrder<TKey>.Sample(rows, _key), RowsIn = rows.Length };

        var boundaries = MemoryPackSerializer.Deserialize<TKey[]>(call.Boundaries) ?? [];
        var outputs = Enumerable.Range(0, call.Outputs).Select(_ => new List<T>()).ToArray();
        foreach (var row in rows) outputs[KeyOrder<TKey>.RangeOf(boundaries, _key(row), _comparer)].Add(row);

        return new ShuffleMapResult { Parts = outputs.Select(o => PutRows(o.ToArray())).ToArray(), RowsIn = rows.Length };
    }

    public override BlockResult Reduce(ShuffleSpec call, ObjectRef<byte[]>[] parts, int index)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var rows = ReadParts<T>(parts).ToArray();
        var keys = Array.ConvertAll(rows, r => _key(r));
        // Stable: rows with equal keys keep their order, as a LINQ OrderBy would.
        var order = Enumerable.Range(0, rows.Length).ToArray();
        Array.Sort(order, (a, b) => _comparer.Compare(keys[a], keys[b]) is var c && c != 0 ? c : a.CompareTo(b));
        return Output(Array.ConvertAll(order, i => rows[i]), rows.Length, System.Diagnostics.Stopwatch.GetTimestamp() - started);
    }
}

/// <summary>GroupBy: each block is aggregated per key first, the partial results hashed to outputs, then merged.</summary>
internal sealed class GroupShuffle<T, TKey, TAcc>(ShuffleSpec spec) : ShuffleOps
    where TKey : notnull
{
    private readonly BlockCodec<T> _codec = BlockCodec.For<T>();
    private readonly Func<T, TKey> _key = ShippedFunction.Resolve<Func<T, TKey>>(spec.Key!);
    private readonly Func<TAcc> _seed = ShippedFunction.Resolve<Func<TAcc>>(spec.Seed!);
    private readonly Func<TAcc, T, TAcc> _add = ShippedFunction.Resolve<Func<TAcc, T, TAcc>>(spec.Add!);
    private readonly Func<TAcc, TAcc, TAcc> _merge = ShippedFunction.Resolve<Func<TAcc, TAcc, TAcc>>(spec.Merge!);

    public override ShuffleMapResult Map(ShuffleSpec call, byte[] block, int index)
    {
        var rows = _codec.DecodeRows(block);
        if (call.SampleOnly) return new ShuffleMapResult { Samples = KeyOrder<TKey>.Sample(rows, _key), RowsIn = rows.Length };
        var groups = new Dictionary<TKey, TAcc>();
        foreach (var row in rows)
        {
            var key = _key(row);
            groups[key] = _add(groups.TryGetValue(key, out var acc) ? acc : _seed(), row);
        }

        // Comparable keys go to ranges (sampled first), so the outputs in order are ordered by key; others by a stable hash.
        var boundaries = KeyOrder<TKey>.IsComparable ? MemoryPackSerializer.Deserialize<TKey[]>(call.Boundaries) ?? [] : null;
        var outputs = Enumerable.Range(0, call.Outputs).Select(_ => new List<(TKey, TAcc)>()).ToArray();
        foreach (var (key, acc) in groups)
        {
            var output = boundaries is not null ? KeyOrder<TKey>.RangeOf(boundaries, key, KeyOrder<TKey>.Ascending) : (int)(StableHash.Of(key) % (uint)call.Outputs);
            outputs[output].Add((key, acc));
        }
        return new ShuffleMapResult { Parts = outputs.Select(o => PutRows(o.ToArray())).ToArray(), RowsIn = rows.Length };
    }

    public override BlockResult Reduce(ShuffleSpec call, ObjectRef<byte[]>[] parts, int index)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var partials = ReadParts<(TKey, TAcc)>(parts);
        var groups = new Dictionary<TKey, TAcc>();
        foreach (var (key, acc) in partials) groups[key] = groups.TryGetValue(key, out var have) ? _merge(have, acc) : acc;
        var rows = groups.Select(g => (g.Key, g.Value)).ToArray();
        if (KeyOrder<TKey>.IsComparable) Array.Sort(rows, static (a, b) => KeyOrder<TKey>.Ascending.Compare(a.Key, b.Key));
        return Output(rows, partials.Count, System.Diagnostics.Stopwatch.GetTimestamp() - started);
    }
}

/// <summary>How keys compare: strings ordinally (the same in every process and culture), anything else by its default comparer.</summary>
internal static class KeyOrder<TKey>
{
    public static readonly IComparer<TKey> Ascending = typeof(TKey) == typeof(string) ? (IComparer<TKey>)(object)StringComparer.Ordinal : Comparer<TKey>.Default;

    public static readonly IComparer<TKey> Descending = Comparer<TKey>.Create(static (a, b) => Ascending.Compare(b, a));

    public static bool IsComparable => typeof(IComparable<TKey>).IsAssignableFrom(typeof(TKey)) || typeof(IComparable).IsAssignableFrom(typeof(TKey));

    public static IComparer<TKey> For(bool descending) => descending ? Descending : Ascending;

    /// <summary>The driver's side: <paramref name="outputs"/> - 1 boundaries out of every block's samples (MemoryPack bytes of key arrays).</summary>
    public static TKey[] Boundaries(IEnumerable<byte[]> samples, int outputs, bool descending)
    {
        var all = samples.SelectMany(s => MemoryPackSerializer.Deserialize<TKey[]>(s) ?? []).ToArray();
        Array.Sort(all, For(descending));
        if (all.Length == 0 || outputs <= 1) return [];
        return Enumerable.Range(1, outputs - 1).Select(i => all[Math.Min(all.Length - 1, (int)((long)i * all.Length / outputs))]).ToArray();
    }

    /// <summary>The output a key goes to, among the ranges the boundaries cut.</summary>
    public static int RangeOf(TKey[] boundaries, TKey key, IComparer<TKey> comparer)
    {
        var at = Array.BinarySearch(boundaries, key, comparer);
        return at >= 0 ? at + 1 : ~at;
    }

    public static byte[] Sample<T>(T[] rows, Func<T, TKey> key)
    {
        const int samplesPerBlock = 32;
        var step = Math.Max(1, rows.Length / samplesPerBlock);
        var samples = new List<TKey>();
        for (var i = 0; i < rows.Length; i += step) samples.Add(key(rows[i]));
        return MemoryPackSerializer.Serialize(samples.ToArray());
    }
}

/// <summary>A key's hash that every process agrees on (string.GetHashCode is randomized per process).</summary>
internal static class StableHash
{
    public static uint Of<TKey>(TKey key)
    {
        const uint prime = 16777619;
        var hash = 2166136261;
        switch (key)
        {
            case string s:
                foreach (var c in s) hash = (hash ^ c) * prime;
                return hash;
            case int i:
                return Mix((ulong)(uint)i);
            case long l:
                return Mix((ulong)l);
            default:
                foreach (var b in MemoryPackSerializer.Serialize(key)) hash = (hash ^ b) * prime;
                return hash;
        }
    }

    private static uint Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        return (uint)x;
    }
}
