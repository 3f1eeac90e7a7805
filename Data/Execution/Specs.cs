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

    /// <summary>
    /// CSV, JSON lines, text: the byte range of each partition's file, found when the dataset was made (a file larger
    /// than <see cref="DataContext.TargetBytesPerReadTask"/> is read by several tasks); empty when every file is read whole.
    /// </summary>
    public FileRange[] Ranges { get; set; } = [];

    /// <summary>CSV: what the ranges of each split file share (its header, its separator), indexed by <see cref="FileRange.Csv"/>.</summary>
    public CsvPrefix[] CsvPrefixes { get; set; } = [];
}

/// <summary>The bytes of a file one read task reads, and where they stand in the whole file (for error messages).</summary>
[MemoryPackable]
internal sealed partial class FileRange
{
    /// <summary>A range covering a whole file, read as one stream from its start.</summary>
    public static FileRange Whole => new() { Length = -1 };

    public long Offset { get; set; }

    /// <summary>Bytes to read from <see cref="Offset"/>; -1 for the whole file.</summary>
    public long Length { get; set; }

    /// <summary>The 1-based line of the file where the range starts (line breaks inside quoted fields counted).</summary>
    public long FirstLine { get; set; } = 1;

    /// <summary>CSV: records of the file before the range (the header counted, empty lines not), as CsvHelper numbers them.</summary>
    public long RecordsBefore { get; set; }

    /// <summary>CSV: the index of the file's <see cref="CsvPrefix"/>, or -1 for a file read whole.</summary>
    public int Csv { get; set; } = -1;

    public bool IsWhole => Length < 0;
}

/// <summary>What every range of a split CSV file is read with: the file's start up to its first record, and its separator.</summary>
[MemoryPackable]
internal sealed partial class CsvPrefix
{
    /// <summary>The file's bytes before its first data record (byte order mark, separator hint, header, empty lines), put before every range but the first.</summary>
    public byte[] Bytes { get; set; } = [];

    /// <summary>Lines in <see cref="Bytes"/>.</summary>
    public long Lines { get; set; }

    /// <summary>Records CsvHelper counts in <see cref="Bytes"/>: 1 for a header, else 0.</summary>
    public long Records { get; set; }

    /// <summary>The separator found in the whole file, given to every range so that none guesses another; null when the file names it (<c>sep=;</c>).</summary>
    public char? Separator { get; set; }
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
