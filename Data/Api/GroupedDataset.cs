using System;
using RayGen.Data.Execution;
using RayGen.Data.Plan;
using RayGen.Data.Shipping;
using RayGen.Data.Shuffle;

namespace RayGen.Data;

/// <summary>A dataset's rows grouped by a key (<see cref="Dataset{T}.GroupBy{TKey}"/>): count or aggregate each group.</summary>
/// <typeparam name="T">The row type.</typeparam>
/// <typeparam name="TKey">The key type.</typeparam>
public sealed class GroupedDataset<T, TKey> where TKey : notnull
{
    private readonly Dataset<T> _source;
    private readonly FunctionSpec _key;

    internal GroupedDataset(Dataset<T> source, FunctionSpec key)
    {
        _source = source;
        _key = key;
    }

    /// <summary>Rows per key, ordered by key where keys are comparable.</summary>
    public Dataset<(TKey Key, long Count)> Count() =>
        Aggregate(static () => 0L, static (count, _) => count + 1, static (a, b) => a + b, "Count");

    /// <summary>
    /// One value per key: each block folds its rows into <paramref name="seed"/>'s value with <paramref name="add"/>,
    /// then the blocks' values of one key are combined with <paramref name="merge"/>. Ordered by key where keys are comparable.
    /// </summary>
    public Dataset<(TKey Key, TAcc Value)> Aggregate<TAcc>(Func<TAcc> seed, Func<TAcc, T, TAcc> add, Func<TAcc, TAcc, TAcc> merge) =>
        Aggregate(seed, add, merge, "Aggregate");

    private Dataset<(TKey Key, TAcc Value)> Aggregate<TAcc>(Func<TAcc> seed, Func<TAcc, T, TAcc> add, Func<TAcc, TAcc, TAcc> merge, string name)
    {
        var spec = new ShuffleSpec
        {
            Kind = ShuffleKind.GroupBy,
            RowType = TypeNames.Of(typeof(T)),
            KeyType = TypeNames.Of(typeof(TKey)),
            AccType = TypeNames.Of(typeof(TAcc)),
            Key = _key,
            Seed = ShippedFunction.Describe(seed, "Aggregate"),
            Add = ShippedFunction.Describe(add, "Aggregate"),
            Merge = ShippedFunction.Describe(merge, "Aggregate"),
        };
        Func<System.Collections.Generic.IEnumerable<byte[]>, int, byte[]>? boundaries = KeyOrder<TKey>.IsComparable
            ? static (samples, outputs) => MemoryPack.MemoryPackSerializer.Serialize(KeyOrder<TKey>.Boundaries(samples, outputs, descending: false))
            : null;
        return _source.Then<(TKey Key, TAcc Value)>(new ShuffleOp($"GroupBy.{name}", typeof((TKey, TAcc)), spec, null, boundaries));
    }
}
