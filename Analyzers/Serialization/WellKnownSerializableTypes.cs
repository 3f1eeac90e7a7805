using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace RayGen.Analyzers.Serialization;

/// <summary>
/// The BCL types MemoryPack ships formatters for (MemoryPackFormatterProvider's well-known and generic
/// tables), by metadata name. Generic ones are serializable when their type arguments are.
/// </summary>
internal static class WellKnownSerializableTypes
{
    private static readonly HashSet<string> NonGeneric = new()
    {
        "System.String",
        "System.Version",
        "System.Uri",
        "System.Type",
        "System.TimeZoneInfo",
        "System.Globalization.CultureInfo",
        "System.Text.StringBuilder",
        "System.Collections.BitArray",
        "System.Numerics.BigInteger",
    };

    private static readonly HashSet<string> Generic = new()
    {
        "System.Nullable`1",
        "System.Lazy`1",
        "System.Memory`1",
        "System.ReadOnlyMemory`1",
        "System.ArraySegment`1",
        "System.Buffers.ReadOnlySequence`1",
        "System.Tuple`1", "System.Tuple`2", "System.Tuple`3", "System.Tuple`4",
        "System.Tuple`5", "System.Tuple`6", "System.Tuple`7", "System.Tuple`8",
        "System.ValueTuple`1", "System.ValueTuple`2", "System.ValueTuple`3", "System.ValueTuple`4",
        "System.ValueTuple`5", "System.ValueTuple`6", "System.ValueTuple`7", "System.ValueTuple`8",
        "System.Collections.Generic.KeyValuePair`2",
        "System.Collections.Generic.List`1",
        "System.Collections.Generic.LinkedList`1",
        "System.Collections.Generic.Queue`1",
        "System.Collections.Generic.Stack`1",
        "System.Collections.Generic.HashSet`1",
        "System.Collections.Generic.SortedSet`1",
        "System.Collections.Generic.PriorityQueue`2",
        "System.Collections.Generic.Dictionary`2",
        "System.Collections.Generic.SortedDictionary`2",
        "System.Collections.Generic.SortedList`2",
        "System.Collections.Generic.IEnumerable`1",
        "System.Collections.Generic.ICollection`1",
        "System.Collections.Generic.IReadOnlyCollection`1",
        "System.Collections.Generic.IList`1",
        "System.Collections.Generic.IReadOnlyList`1",
        "System.Collections.Generic.IDictionary`2",
        "System.Collections.Generic.IReadOnlyDictionary`2",
        "System.Collections.Generic.ISet`1",
        "System.Collections.Generic.IReadOnlySet`1",
        "System.Linq.ILookup`2",
        "System.Linq.IGrouping`2",
        "System.Collections.ObjectModel.Collection`1",
        "System.Collections.ObjectModel.ReadOnlyCollection`1",
        "System.Collections.ObjectModel.ObservableCollection`1",
        "System.Collections.ObjectModel.ReadOnlyObservableCollection`1",
        "System.Collections.Concurrent.ConcurrentQueue`1",
        "System.Collections.Concurrent.ConcurrentStack`1",
        "System.Collections.Concurrent.ConcurrentBag`1",
        "System.Collections.Concurrent.ConcurrentDictionary`2",
        "System.Collections.Concurrent.BlockingCollection`1",
        "System.Collections.Immutable.ImmutableArray`1",
        "System.Collections.Immutable.ImmutableList`1",
        "System.Collections.Immutable.ImmutableQueue`1",
        "System.Collections.Immutable.ImmutableStack`1",
        "System.Collections.Immutable.ImmutableHashSet`1",
        "System.Collections.Immutable.ImmutableSortedSet`1",
        "System.Collections.Immutable.ImmutableDictionary`2",
        "System.Collections.Immutable.ImmutableSortedDictionary`2",
        "System.Collections.Immutable.IImmutableList`1",
        "System.Collections.Immutable.IImmutableQueue`1",
        "System.Collections.Immutable.IImmutableStack`1",
        "System.Collections.Immutable.IImmutableSet`1",
        "System.Collections.Immutable.IImmutableDictionary`2",
        "System.Collections.Frozen.FrozenSet`1",
        "System.Collections.Frozen.FrozenDictionary`2",
    };

    public static bool IsNonGeneric(INamedTypeSymbol type) => !type.IsGenericType && NonGeneric.Contains(MetadataName(type));

    public static bool IsGenericContainer(INamedTypeSymbol type) => type.IsGenericType && Generic.Contains(MetadataName(type));

    // Nested types never appear in the tables, so namespace + metadata name is the full name.
    private static string MetadataName(INamedTypeSymbol type) =>
        type.ContainingType is not null || type.ContainingNamespace is null
            ? type.MetadataName
            : type.ContainingNamespace.ToDisplayString() + "." + type.MetadataName;
}
