using System;
using System.Collections.Generic;
using RayGen.Data.Execution;
using RayGen.Data.Shuffle;

namespace RayGen.Data.Plan;

/// <summary>One operator of a dataset's lazy plan. A plan is a chain: a source, then operators, each knowing its row type out.</summary>
internal abstract class LogicalOp(string name, Type rowType)
{
    /// <summary>The name shown in progress and stats (e.g. <c>Map</c>, <c>ReadCsv</c>).</summary>
    public string Name { get; } = name;

    /// <summary>The row type this operator outputs.</summary>
    public Type RowType { get; } = rowType;
}

/// <summary>A source read by tasks, one per partition (a slice of a range, a file).</summary>
internal sealed class SourceOp(string name, Type rowType, SourceSpec spec, int partitions) : LogicalOp(name, rowType)
{
    public SourceSpec Spec { get; } = spec;
    public int Partitions { get; } = partitions;
}

/// <summary>Rows the driver already has (<c>FromItems</c>), put in the store as blocks when the plan runs.</summary>
internal sealed class ItemsOp(Type rowType, IReadOnlyList<Array> chunks) : LogicalOp("FromItems", rowType)
{
    public IReadOnlyList<Array> Chunks { get; } = chunks;
}

/// <summary>Blocks already in the store (a materialized dataset).</summary>
internal sealed class BlocksOp(Type rowType, IReadOnlyList<BlockMeta> blocks) : LogicalOp("Materialized", rowType)
{
    public IReadOnlyList<BlockMeta> Blocks { get; } = blocks;
}

/// <summary>A row or batch function: fused with its neighbours into one task per block.</summary>
internal sealed class StepOp(StepSpec step, Type rowType) : LogicalOp(step.Name, rowType)
{
    public StepSpec Step { get; } = step;
}

/// <summary>A class transform on a pool of actors.</summary>
internal sealed class ActorOp(StepSpec step, Type rowType, int concurrency) : LogicalOp(step.Name, rowType)
{
    public StepSpec Step { get; } = step;
    public int Concurrency { get; } = concurrency;
}

/// <summary>An all-to-all operator: every input block is needed before its first output.</summary>
internal sealed class ShuffleOp(string name, Type rowType, ShuffleSpec spec, int? outputs, Func<IEnumerable<byte[]>, int, byte[]>? boundaries)
    : LogicalOp(name, rowType)
{
    public ShuffleSpec Spec { get; } = spec;

    /// <summary>Outputs asked for (Repartition); otherwise as many as input blocks.</summary>
    public int? Outputs { get; } = outputs;

    /// <summary>Sort: makes the boundaries (MemoryPack bytes of a key array) out of the samples; runs on the driver.</summary>
    public Func<IEnumerable<byte[]>, int, byte[]>? Boundaries { get; } = boundaries;
}

/// <summary>A dataset's plan: its operators, source first. Immutable; each transformation makes a longer one.</summary>
internal sealed class LogicalPlan
{
    private LogicalPlan(IReadOnlyList<LogicalOp> ops) => Ops = ops;

    public IReadOnlyList<LogicalOp> Ops { get; }

    public static LogicalPlan Of(LogicalOp source) => new([source]);

    public LogicalPlan Then(LogicalOp op)
    {
        var ops = new List<LogicalOp>(Ops) { op };
        return new LogicalPlan(ops);
    }

    public override string ToString() => string.Join(" -> ", System.Linq.Enumerable.Select(Ops, o => o.Name));
}
