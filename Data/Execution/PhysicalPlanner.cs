using System;
using System.Collections.Generic;
using System.Linq;
using RayGen.Data.Plan;

namespace RayGen.Data.Execution;

/// <summary>
/// Turns a logical plan into running operators: a source and the row/batch functions after it become one stage
/// (one task per partition), consecutive functions over blocks one stage (one task per block); a class transform
/// and an all-to-all operator each stand alone.
/// </summary>
internal static class PhysicalPlanner
{
    public static (List<PhysicalOp> Ops, List<OperatorStats> Stats) Plan(LogicalPlan plan)
    {
        var ops = new List<PhysicalOp>();
        var stats = new List<OperatorStats>();
        SourceOp? source = null;
        var steps = new List<StepSpec>();
        var names = new List<string>();
        string? inType = null;

        void Flush()
        {
            if (source is null && steps.Count == 0) return;
            var stageName = string.Join("->", names);
            var entries = names.Select(n => Entry(n, stageName)).ToArray();
            var spec = new StageSpec { Name = stageName, Steps = steps.ToArray(), InType = inType ?? "", Source = source?.Spec };
            ops.Add(source is not null ? new SourceStageOp(spec, source.Partitions, entries) : new TaskStageOp(spec, entries));
            source = null;
            steps = [];
            names = [];
        }

        OperatorStats Entry(string name, string stage)
        {
            var entry = new OperatorStats(name, stage);
            stats.Add(entry);
            return entry;
        }

        Type? previous = null;
        foreach (var op in plan.Ops)
        {
            switch (op)
            {
                case SourceOp s:
                    source = s;
                    names.Add(s.Name);
                    break;
                case ItemsOp items:
                    ops.Add(new FeedOp(items.Name, items.RowType, items.Chunks, null, [Entry(items.Name, items.Name)]));
                    break;
                case BlocksOp blocks:
                    ops.Add(new FeedOp(blocks.Name, blocks.RowType, null, blocks.Blocks, [Entry(blocks.Name, blocks.Name)]));
                    break;
                case StepOp step:
                    if (source is null && steps.Count == 0) inType = TypeNames.Of(previous!);
                    steps.Add(step.Step);
                    names.Add(step.Name);
                    break;
                case ActorOp actor:
                    Flush();
                    var spec = new StageSpec { Name = actor.Name, Steps = [actor.Step], InType = TypeNames.Of(previous!) };
                    ops.Add(new ActorStageOp(spec, actor.Concurrency, [Entry(actor.Name, actor.Name)]) { MaxInFlight = actor.Concurrency * 2 });
                    break;
                case ShuffleOp shuffle:
                    Flush();
                    ops.Add(new ShuffleStageOp(shuffle, [Entry(shuffle.Name, shuffle.Name)]));
                    break;
                default:
                    throw new InvalidOperationException($"Unknown operator {op.GetType().Name}.");
            }

            previous = op.RowType;
        }

        Flush();
        return (ops, stats);
    }
}
