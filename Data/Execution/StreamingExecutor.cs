using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks;
using RayGen.Data.Plan;
using RayGen.Data.Stats;

namespace RayGen.Data.Execution;

/// <summary>
/// Runs a plan as a stream, on the consumer's thread: each request for a block harvests finished tasks (in order),
/// tops every operator up to its bounds, and waits for the next result only when nothing is ready. Bounds: blocks in
/// flight per operator, blocks queued before each operator (and before the consumer: the prefetch), bytes of blocks
/// held for each operator (past which the operator before it gets no more work), and bytes of blocks held by the
/// run (past which sources read no more). A consumer that stops asking stops the submissions.
/// </summary>
internal sealed class StreamingExecutor : IDisposable
{
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(100);

    private readonly List<PhysicalOp> _ops;
    private readonly Queue<BlockMeta> _output = new();
    private readonly int _outputCap;
    private readonly long _budget;
    private readonly StoreMonitor _monitor = new();
    private readonly DatasetStats _stats;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ProgressView? _progress;
    private bool _finished;

    public StreamingExecutor(LogicalPlan plan, int prefetchBlocks)
    {
        var context = DataContext.Current;
        (_ops, var stats) = PhysicalPlanner.Plan(plan);
        _stats = new DatasetStats(stats);
        var cpus = Ray.ClusterResources().TryGetValue("CPU", out var c) ? (int)Math.Max(1, c) : Environment.ProcessorCount;
        var perOp = context.MaxBlocksInFlightPerOperator ?? (2 * cpus);
        foreach (var op in _ops)
        {
            if (op is not ActorStageOp) op.MaxInFlight = perOp;
        }

        _outputCap = Math.Max(1, prefetchBlocks);
        _budget = context.MaxStoreBytes ?? (_monitor.Capacity is { } capacity ? capacity / 4 : 256L << 20);
        _stats.StoreBudget = _budget;

        // An operator over blocks gets its share of the run's bound (an all-to-all one holds its whole input anyway).
        var bounded = _ops.Skip(1).Where(o => o is not ShuffleStageOp).ToList();
        var perOperator = context.MaxStoreBytesPerOperator ?? Math.Max(1, _budget / Math.Max(1, bounded.Count));
        foreach (var op in bounded)
        {
            op.HeldBound = perOperator;
            op.Operators[0].HeldBytesBound = perOperator;
            op.Operators[0].PeakHeldBytes = 0;
        }

        _stats.StoreCapacity = _monitor.Capacity;
        if (context.ShowProgress && !Console.IsOutputRedirected) _progress = new ProgressView(_stats, _clock);
    }

    /// <summary>The run's figures, complete once <see cref="TryNext"/> returned false.</summary>
    public DatasetStats Stats => _stats;

    /// <summary>The next output block in order, or false at the end. Throws a failed task's error.</summary>
    public bool TryNext(out BlockMeta block)
    {
        while (true)
        {
            Harvest();
            Schedule();
            if (_output.Count > 0)
            {
                block = _output.Dequeue();
                _stats.RowsOut += block.Rows;
                return true;
            }

            if (_ops.All(o => o.Done))
            {
                Finish();
                block = null!;
                return false;
            }

            var waiting = _ops.SelectMany(o => o.InFlight).Select(p => (Task)p.Result).ToArray();
            if (waiting.Length == 0)
                throw new InvalidOperationException($"The dataset's pipeline stalled with nothing running ({string.Join(", ", _ops.Select(o => o.Name))}).");
            Task.WaitAny(waiting, s_poll);
            Sample();
            _progress?.Draw();
        }
    }

    private void Harvest()
    {
        for (var i = 0; i < _ops.Count; i++)
        {
            var op = _ops[i];
            while (op.InFlight.Count > 0 && op.InFlight.Peek().Result.IsCompleted)
            {
                var pending = op.InFlight.Dequeue();
                if (pending.Result.IsFaulted)
                    ExceptionDispatchInfo.Throw(pending.Result.Exception!.InnerException ?? pending.Result.Exception);
                foreach (var block in op.Complete(pending))
                {
                    if (block.Rows == 0) continue;
                    (i + 1 < _ops.Count ? _ops[i + 1].Input : _output).Enqueue(block);
                }
            }
        }

        MeasureHeld();
        Sample();
    }

    private void Schedule()
    {
        UpdateUpstream();
        foreach (var op in _ops) op.Prepare();
        UpdateUpstream();
        for (var i = _ops.Count - 1; i >= 0; i--)
        {
            var op = _ops[i];
            while (op.HasWork && op.InFlight.Count < op.MaxInFlight && DownstreamHasRoom(i) && WithinNextBound(i) && WithinBudget(op))
                op.SubmitOne();
        }

        _stats.PeakBlockBytes = Math.Max(_stats.PeakBlockBytes, HeldBytes());
        MeasureHeld();
    }

    private void UpdateUpstream()
    {
        for (var i = 0; i < _ops.Count; i++) _ops[i].UpstreamDone = i == 0 || _ops[i - 1].Done;
    }

    private bool DownstreamHasRoom(int i)
    {
        var op = _ops[i];
        if (i + 1 == _ops.Count) return _output.Count + op.InFlight.Count < Math.Max(_outputCap, op.MaxInFlight) && _output.Count < _outputCap;
        var next = _ops[i + 1];
        return next is ShuffleStageOp || next.Input.Count + op.InFlight.Count < 2 * next.MaxInFlight;
    }

    /// <summary>
    /// Whether one more task of operator <paramref name="i"/> keeps the next operator within its bound: the blocks held
    /// for it, those this operator's tasks are expected to hand it, and the new task's. The next operator may always
    /// take one block, however large, when it holds none: otherwise a block larger than the bound would stop the run.
    /// Until a task of this operator has finished, its output's size is a guess, so it runs one task at a time then.
    /// </summary>
    private bool WithinNextBound(int i)
    {
        if (i + 1 == _ops.Count || _ops[i + 1].HeldBound is not { } bound) return true;
        var op = _ops[i];
        var held = _ops[i + 1].HeldBytes;
        foreach (var pending in op.InFlight) held += pending.EstimatedOutputBytes;
        if (held == 0) return true;
        return op.OutputMeasured && held + op.NextOutputEstimate <= bound;
    }

    private void MeasureHeld()
    {
        foreach (var op in _ops)
        {
            if (op.HeldBound is null) continue;
            var stats = op.Operators[0];
            stats.PeakHeldBytes = Math.Max(stats.PeakHeldBytes ?? 0, op.HeldBytes);
        }
    }

    /// <summary>
    /// Whether one more task of <paramref name="op"/> keeps the blocks held within the budget. An operator over blocks
    /// may always run one task, since that is what drains the blocks held; a source only when nothing is held at all.
    /// </summary>
    private bool WithinBudget(PhysicalOp op)
    {
        var held = HeldBytes();
        if (op.IsSource ? held == 0 : op.InFlight.Count == 0) return true;
        return held + (op.InFlight.Count > 0 ? op.InFlight.Max(p => p.EstimatedOutputBytes) : 1 << 20) <= _budget;
    }

    /// <summary>Bytes of blocks the run holds: queued between operators, being read by tasks, expected from tasks, awaiting the consumer.</summary>
    private long HeldBytes()
    {
        long held = _output.Sum(b => b.Bytes);
        foreach (var op in _ops)
        {
            foreach (var block in op.Input) held += block.Bytes;
            foreach (var pending in op.InFlight) held += pending.InputBytes + pending.EstimatedOutputBytes;
        }

        return held;
    }

    private void Sample()
    {
        _monitor.Sample();
        _stats.PeakStoreBytes = _monitor.Used is null ? null : _monitor.PeakUsed;
        _stats.PeakSpilledBytes = _monitor.Used is null ? null : _monitor.PeakSpilled;
    }

    private void Finish()
    {
        if (_finished) return;
        _finished = true;
        _stats.TotalTime = _clock.Elapsed;
        Sample();
    }

    public void Dispose()
    {
        Finish();
        _progress?.Dispose();
        foreach (var op in _ops) op.Release();
        _monitor.Dispose();
    }
}
