using System;
using MemoryPack;
using RayGen.Data.Shipping;

namespace RayGen.Data.Execution;

/// <summary>What one operator inside a fused stage does.</summary>
internal enum StepKind
{
    Map,
    FlatMap,
    Filter,
    MapBatches,
    ClassTransform,
    Write,
}

/// <summary>Where a stage's rows come from when it starts from a source rather than from blocks.</summary>
internal enum SourceKind
{
    Range,
    Csv,
    Parquet,
    Json,
    Text,
}

/// <summary>A file format of the sinks.</summary>
internal enum SinkFormat
{
    Csv,
    Parquet,
    Json,
}

/// <summary>One operator of a stage, as a worker rebuilds it.</summary>
[MemoryPackable]
internal sealed partial class StepSpec
{
    public StepKind Kind { get; set; }
    public string Name { get; set; } = "";
    public string InType { get; set; } = "";
    public string OutType { get; set; } = "";
    public FunctionSpec? Function { get; set; }
    public int BatchSize { get; set; }

    /// <summary>A class transform's type, assembly-qualified.</summary>
    public string? TransformType { get; set; }

    /// <summary>A class transform's constructor arguments: each one's type and MemoryPack bytes.</summary>
    public string[] ArgumentTypes { get; set; } = [];
    public byte[][] Arguments { get; set; } = [];

    public SinkSpec? Sink { get; set; }
}

/// <summary>Where a stage reads from.</summary>
[MemoryPackable]
internal sealed partial class SourceSpec
{
    public SourceKind Kind { get; set; }
    public string RowType { get; set; } = "";

    /// <summary>Range: the first value and how many per partition; the last partition ends at <see cref="End"/>.</summary>
    public long Start { get; set; }
    public long End { get; set; }
    public long PerPartition { get; set; }

    /// <summary>Files: the file of each partition.</summary>
    public string[] Paths { get; set; } = [];

    /// <summary>Parquet: the row group of each partition (a file of several is read as one task per group); empty otherwise.</summary>
    public int[] RowGroups { get; set; } = [];

    /// <summary>Rows per block a read splits a file into.</summary>
    public int RowsPerBlock { get; set; }

    /// <summary>CSV: whether the first line names the columns.</summary>
    public bool HasHeader { get; set; } = true;
}

/// <summary>Where and how a sink writes.</summary>
[MemoryPackable]
internal sealed partial class SinkSpec
{
    public SinkFormat Format { get; set; }

    /// <summary>The folder files are written into while the write is not complete.</summary>
    public string StagingDirectory { get; set; } = "";
}

/// <summary>A fused chain of operators that one task (or one actor call) runs over a block.</summary>
[MemoryPackable]
internal sealed partial class StageSpec
{
    /// <summary>Unique per stage of a run: workers cache what they build from a spec under it.</summary>
    public string Id { get; set; } = Guid.NewGuid().ToString("N");
    public string Name { get; set; } = "";
    public string InType { get; set; } = "";
    public SourceSpec? Source { get; set; }
    public StepSpec[] Steps { get; set; } = [];
}

/// <summary>A block produced by a task: the ref of its bytes and what the driver plans with.</summary>
[MemoryPackable]
internal sealed partial class BlockMeta
{
    [MemoryPackAllowSerialize]
    public ObjectRef<byte[]>? Data { get; set; }
    public int Rows { get; set; }
    public long Bytes { get; set; }
}

/// <summary>What one operator of a stage did to one block.</summary>
[MemoryPackable]
internal partial struct StepFigures
{
    public long RowsIn;
    public long RowsOut;
    public long Ticks;
}

/// <summary>The result of a stage task: its blocks (none for a sink) and per-operator figures.</summary>
[MemoryPackable]
internal sealed partial class BlockResult
{
    public BlockMeta[] Blocks { get; set; } = [];
    public StepFigures[] Steps { get; set; } = [];

    /// <summary>A source's rows read (the source is not a step).</summary>
    public long SourceRows { get; set; }
    public long SourceTicks { get; set; }

    /// <summary>Bytes of file the source read (its share of a file read in row groups); 0 for a range.</summary>
    public long SourceBytes { get; set; }
}
