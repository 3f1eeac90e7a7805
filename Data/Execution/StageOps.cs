using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using RayGen.Data.Blocks;

namespace RayGen.Data.Execution;

/// <summary>A source stage: one task per partition reads it and runs the operators fused after it.</summary>
internal sealed class SourceStageOp(StageSpec stage, int partitions, OperatorStats[] operators) : PhysicalOp(stage.Name, operators)
{
    private int _next;

    public override bool HasWork => _next < partitions;

    public override bool IsSource => true;

    public override void SubmitOne() => Track(DataTasks.Remote.RunSource(stage, _next++).GetAsync().AsTask(), 0);
}

/// <summary>Blocks the driver already has: rows to put (FromItems) or refs (a materialized dataset).</summary>
internal sealed class FeedOp(string name, Type rowType, IReadOnlyList<Array>? chunks, IReadOnlyList<BlockMeta>? blocks, OperatorStats[] operators)
    : PhysicalOp(name, operators)
{
    private int _next;

    public override bool HasWork => _next < (chunks?.Count ?? blocks!.Count);

    public override bool IsSource => true;

    public override void SubmitOne()
    {
        BlockMeta meta;
        if (chunks is not null)
        {
            var rows = chunks[_next++];
            var bytes = BlockCodec.For(rowType).Encode(rows);
            meta = new BlockMeta { Data = Ray.Put(bytes), Rows = rows.Length, Bytes = bytes.Length };
        }
        else
        {
            meta = blocks![_next++];
        }

        var result = new BlockResult { Blocks = [meta], SourceRows = meta.Rows };
        Track(Task.FromResult(result), 0);
    }
}

/// <summary>A fused stage over blocks: one task per block runs every operator of the stage.</summary>
internal sealed class TaskStageOp(StageSpec stage, OperatorStats[] operators) : PhysicalOp(stage.Name, operators)
{
    private int _index;

    public override bool HasWork => Input.Count > 0;

    public override void SubmitOne()
    {
        var block = Input.Dequeue();
        Track(DataTasks.Remote.RunStage(stage, block.Data!, _index++).GetAsync().AsTask(), block.Bytes);
    }
}

/// <summary>
/// A class transform on a pool of actors, made at the first block: each actor builds the transform once and runs one
/// block at a time with one more queued behind it, so no actor waits on the driver between blocks.
/// </summary>
internal sealed class ActorStageOp(StageSpec stage, int concurrency, OperatorStats[] operators) : PhysicalOp(stage.Name, operators)
{
    private const int CallsPerActor = 2;
    private readonly List<ActorHandle<TransformActor>> _actors = [];
    private readonly List<int> _busy = [];
    private int _index;

    public override bool HasWork => Input.Count > 0 && (_actors.Count < concurrency || _busy.Min() < CallsPerActor);

    public override void SubmitOne()
    {
        int actor;
        if (_actors.Count < concurrency && (_actors.Count == 0 || _busy.Min() > 0))
        {
            _actors.Add(TransformActor.Remote.New(stage));
            _busy.Add(0);
            actor = _actors.Count - 1;
        }
        else
        {
            actor = _busy.IndexOf(_busy.Min());
        }

        var block = Input.Dequeue();
        _busy[actor]++;
        Track(_actors[actor].Run(block.Data!, _index++).GetAsync().AsTask(), block.Bytes, actor);
    }

    public override IEnumerable<BlockMeta> Complete(Pending pending)
    {
        if (pending.Actor >= 0) _busy[pending.Actor]--;
        return base.Complete(pending);
    }

    public override void Release()
    {
        foreach (var actor in _actors) Ray.Kill(actor);
        _actors.Clear();
    }
}
