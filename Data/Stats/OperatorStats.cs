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

    /// <summary>
    /// The most bytes of blocks held for this operator at once, by the executor's accounting: queued before it and being
    /// read by its tasks. Null for an operator that takes no stored blocks (a source, an operator fused after another)
    /// and for an all-to-all operator, which holds its whole input outside the streaming bounds.
    /// </summary>
    public long? PeakHeldBytes { get; internal set; }

    /// <summary>The bound on those bytes (<see cref="DataContext.MaxStoreBytesPerOperator"/> or its default); null where <see cref="PeakHeldBytes"/> is.</summary>
    public long? HeldBytesBound { get; internal set; }

    internal void AddBytesIn(long bytes) => BytesIn = (BytesIn ?? 0) + bytes;

    internal void AddBytesOut(long bytes) => BytesOut = (BytesOut ?? 0) + bytes;

    internal OperatorStats Copy() => (OperatorStats)MemberwiseClone();
}
