using System;

namespace RayGen.Data;

/// <summary>What one operator did in a run: rows and bytes in and out, blocks, tasks, time.</summary>
public sealed class OperatorStats
{
    internal OperatorStats(string name, string stage)
    {
        Name = name;
        Stage = stage;
    }

    /// <summary>The operator (e.g. <c>Map</c>, <c>ReadCsv</c>, <c>MapBatches(Featurizer)</c>).</summary>
    public string Name { get; }

    /// <summary>The fused stage it ran in: operators of one stage run in the same task, one after the other.</summary>
    public string Stage { get; }

    /// <summary>Tasks (or actor calls) of its stage that ran.</summary>
    public long Tasks { get; internal set; }

    /// <summary>Blocks it output (0 inside a fused stage, where blocks are not stored between operators).</summary>
    public long BlocksOut { get; internal set; }

    /// <summary>Rows in.</summary>
    public long RowsIn { get; internal set; }

    /// <summary>Rows out.</summary>
    public long RowsOut { get; internal set; }

    /// <summary>Bytes of the stored blocks it read (for a file source, of the files); null inside a fused stage, where rows are passed in memory.</summary>
    public long? BytesIn { get; internal set; }

    /// <summary>Bytes of the stored blocks it wrote; null inside a fused stage.</summary>
    public long? BytesOut { get; internal set; }

    /// <summary>Time spent in this operator's code, summed over the workers.</summary>
    public TimeSpan TaskTime { get; internal set; }

    /// <summary>From its stage's first submission to its last result.</summary>
    public TimeSpan WallTime { get; internal set; }

    internal void AddBytesIn(long bytes) => BytesIn = (BytesIn ?? 0) + bytes;

    internal void AddBytesOut(long bytes) => BytesOut = (BytesOut ?? 0) + bytes;

    internal OperatorStats Copy() => (OperatorStats)MemberwiseClone();
}
