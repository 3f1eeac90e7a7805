using MemoryPack;
using RayGen.Data.Execution;
using RayGen.Data.Shipping;

namespace RayGen.Data.Shuffle;

/// <summary>Which all-to-all operator a shuffle runs.</summary>
internal enum ShuffleKind
{
    Repartition,
    RandomShuffle,
    Sort,
    GroupBy,
}

/// <summary>One all-to-all operator's description, with the per-call parts (slices, boundaries) filled in by the driver.</summary>
[MemoryPackable]
internal sealed partial class ShuffleSpec
{
    public string Id { get; set; } = System.Guid.NewGuid().ToString("N");
    public ShuffleKind Kind { get; set; }
    public string RowType { get; set; } = "";
    public string KeyType { get; set; } = "";
    public string AccType { get; set; } = "";
    public FunctionSpec? Key { get; set; }
    public FunctionSpec? Seed { get; set; }
    public FunctionSpec? Add { get; set; }
    public FunctionSpec? Merge { get; set; }
    public int Outputs { get; set; }
    public bool Descending { get; set; }
    public int RandomSeed { get; set; }

    /// <summary>Sort: whether this map call only samples keys (the first pass).</summary>
    public bool SampleOnly { get; set; }

    /// <summary>Sort: the keys between outputs, MemoryPack bytes of a <c>TKey[]</c>.</summary>
    public byte[] Boundaries { get; set; } = [];

    /// <summary>Repartition: for each part given to a reduce, the first row and the row count taken from it.</summary>
    public int[] SliceStarts { get; set; } = [];
    public int[] SliceCounts { get; set; } = [];
}

/// <summary>The map side's output: one part per reduce (empty parts have no data), or the keys sampled.</summary>
[MemoryPackable]
internal sealed partial class ShuffleMapResult
{
    public BlockMeta[] Parts { get; set; } = [];
    public byte[] Samples { get; set; } = [];
    public long RowsIn { get; set; }
}
