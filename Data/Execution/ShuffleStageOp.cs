using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using MemoryPack;
using RayGen.Data.Plan;
using RayGen.Data.Shuffle;

namespace RayGen.Data.Execution;

/// <summary>
/// An all-to-all operator: it holds every input block (materialized: they count against the store, not the
/// streaming bound), then runs the map tasks, waits for them, and streams the reduce tasks' outputs in order.
/// </summary>
internal sealed class ShuffleStageOp(ShuffleOp op, OperatorStats[] operators) : PhysicalOp(op.Name, operators)
{
    private readonly List<BlockMeta> _collected = [];
    private readonly Queue<(ObjectRef<byte[]>[] Parts, ShuffleSpec Spec)> _reduces = new();
    private bool _ran;
    private int _index;

    public override bool HasWork => _reduces.Count > 0;

    public override void Prepare()
    {
        while (Input.Count > 0)
        {
            var block = Input.Dequeue();
            _collected.Add(block);
            Operators[0].RowsIn += block.Rows;
            Operators[0].AddBytesIn(block.Bytes);
        }

        if (UpstreamDone && !_ran)
        {
            _ran = true;
            var started = Stopwatch.GetTimestamp();
            RunMaps();
            Operators[0].TaskTime += Stopwatch.GetElapsedTime(started);
        }
    }

    public override void SubmitOne()
    {
        var (parts, spec) = _reduces.Dequeue();
        Track(DataTasks.Remote.ShuffleReduce(spec, parts, _index++).GetAsync().AsTask(), 0);
    }

    public override IEnumerable<BlockMeta> Complete(Pending pending)
    {
        foreach (ref var step in pending.Result.Result.Steps.AsSpan()) step.RowsIn = 0;   // counted as the blocks arrived
        return base.Complete(pending);
    }

    private void RunMaps()
    {
        if (_collected.Count == 0) return;
        // Aggregates are small: as many outputs as tasks run at once, not one per input block (a round of tasks each).
        var outputs = op.Outputs ?? (op.Spec.Kind == ShuffleKind.GroupBy ? Math.Min(_collected.Count, MaxInFlight) : _collected.Count);
        var spec = Clone(op.Spec);
        spec.Outputs = outputs;
        if (spec.Kind == ShuffleKind.Repartition)
        {
            PlanSlices(spec, outputs);
            _collected.Clear();
            return;
        }

        if (op.Boundaries is not null && outputs > 1)
        {
            var sampling = Clone(spec);
            sampling.SampleOnly = true;
            // Keys from at most one wave of blocks, spread over the input: boundaries only balance the outputs, any are correct.
            var step = Math.Max(1, _collected.Count / Math.Max(1, MaxInFlight));
            var sampled = _collected.Where((_, i) => i % step == 0).ToList();
            var samples = Ray.Get(sampled.Select((b, i) => DataTasks.Remote.ShuffleMap(sampling, b.Data!, i)).ToList());
            spec.Boundaries = op.Boundaries!(samples.Select(s => s.Samples), outputs);
        }

        var maps = Ray.Get(_collected.Select((b, i) => DataTasks.Remote.ShuffleMap(spec, b.Data!, i)).ToList());
        Operators[0].Tasks += maps.Length;
        _collected.Clear();
        for (var j = 0; j < outputs; j++)
        {
            var parts = maps.Select(m => m.Parts[j]).Where(p => p.Data is not null).Select(p => p.Data!).ToArray();
            _reduces.Enqueue((parts, spec));
        }
    }

    /// <summary>Repartition needs no map: each output takes a contiguous run of rows, read straight from the input blocks.</summary>
    private void PlanSlices(ShuffleSpec spec, int outputs)
    {
        long total = _collected.Sum(b => (long)b.Rows);
        var block = 0;
        var offset = 0;
        for (var j = 0; j < outputs; j++)
        {
            var want = (total * (j + 1) / outputs) - (total * j / outputs);
            var parts = new List<ObjectRef<byte[]>>();
            var starts = new List<int>();
            var counts = new List<int>();
            while (want > 0 && block < _collected.Count)
            {
                var take = (int)Math.Min(want, _collected[block].Rows - offset);
                if (take > 0)
                {
                    parts.Add(_collected[block].Data!);
                    starts.Add(offset);
                    counts.Add(take);
                }

                want -= take;
                offset += take;
                if (offset >= _collected[block].Rows)
                {
                    block++;
                    offset = 0;
                }
            }

            var call = Clone(spec);
            call.SliceStarts = starts.ToArray();
            call.SliceCounts = counts.ToArray();
            _reduces.Enqueue((parts.ToArray(), call));
        }
    }

    private static ShuffleSpec Clone(ShuffleSpec spec) => MemoryPackSerializer.Deserialize<ShuffleSpec>(MemoryPackSerializer.Serialize(spec))!;
}
