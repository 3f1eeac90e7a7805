using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading.Tasks;

namespace RayGen.Data.Execution;

/// <summary>A submitted task (or actor call) of an operator, in submission order.</summary>
internal sealed class Pending(Task<BlockResult> result, long inputBytes, long estimatedOutputBytes)
{
    public Task<BlockResult> Result { get; } = result;
    public long InputBytes { get; } = inputBytes;
    public long EstimatedOutputBytes { get; } = estimatedOutputBytes;
    public int Actor { get; init; } = -1;
}

/// <summary>
/// One operator of the running pipeline (a fused stage, an actor pool, an all-to-all barrier). It takes blocks from
/// its input queue, keeps its tasks in submission order, and hands finished blocks on in that order.
/// </summary>
internal abstract class PhysicalOp(string name, OperatorStats[] operators)
{
    private long _firstSubmit;
    private long _outputBytesSeen;
    private long _tasksSeen;

    public string Name { get; } = name;

    /// <summary>The stats entries of the logical operators this one runs, first to last.</summary>
    public OperatorStats[] Operators { get; } = operators;

    public Queue<BlockMeta> Input { get; } = new();

    public Queue<Pending> InFlight { get; } = new();

    /// <summary>Whether the operator before this one will hand over no more blocks.</summary>
    public bool UpstreamDone { get; set; }

    public int MaxInFlight { get; set; } = 4;

    /// <summary>
    /// The bound on bytes of blocks held for this operator (queued before it, read by its tasks, expected from the
    /// operator before it); null where none applies: a source takes no blocks, an all-to-all operator holds all of them.
    /// </summary>
    public long? HeldBound { get; set; }

    /// <summary>Bytes of the blocks queued before this operator and being read by its tasks.</summary>
    public long HeldBytes
    {
        get
        {
            long held = 0;
            foreach (var block in Input) held += block.Bytes;
            foreach (var pending in InFlight) held += pending.InputBytes;
            return held;
        }
    }

    /// <summary>Whether a task of this operator finished, so that its output's size is known rather than guessed.</summary>
    public bool OutputMeasured => _tasksSeen > 0;

    /// <summary>What the next task is expected to output.</summary>
    public long NextOutputEstimate => EstimateOutput(Input.Count > 0 ? Input.Peek().Bytes : 0);

    /// <summary>Whether there is something to submit now.</summary>
    public abstract bool HasWork { get; }

    /// <summary>Whether this operator's output may grow past its input (a read; its bytes count against the budget before it runs).</summary>
    public virtual bool IsSource => false;

    public bool Done => UpstreamDone && !HasWork && InFlight.Count == 0 && Input.Count == 0;

    /// <summary>Submits one task.</summary>
    public abstract void SubmitOne();

    /// <summary>Called each round before submissions: a barrier collects its input here, and runs once upstream is done.</summary>
    public virtual void Prepare() { }

    /// <summary>Frees what the operator holds (actors).</summary>
    public virtual void Release() { }

    /// <summary>What a task of this operator is expected to output, from those seen so far.</summary>
    protected long EstimateOutput(long inputBytes) => _tasksSeen == 0 ? Math.Max(inputBytes, 1 << 20) : _outputBytesSeen / _tasksSeen;

    protected void Track(Task<BlockResult> result, long inputBytes, int actor = -1)
    {
        if (_firstSubmit == 0) _firstSubmit = Stopwatch.GetTimestamp();
        InFlight.Enqueue(new Pending(result, inputBytes, EstimateOutput(inputBytes)) { Actor = actor });
    }

    /// <summary>Books a finished task's figures; returns its blocks.</summary>
    public virtual IEnumerable<BlockMeta> Complete(Pending pending)
    {
        var result = pending.Result.Result;
        long outBytes = 0;
        foreach (var block in result.Blocks) outBytes += block.Bytes;
        _outputBytesSeen += outBytes;
        _tasksSeen++;
        var wall = Stopwatch.GetElapsedTime(_firstSubmit);
        var first = Operators[0];
        var offset = 0;
        if (IsSource && Operators.Length > result.Steps.Length)
        {
            first.RowsOut += result.SourceRows;
            first.TaskTime += Stopwatch.GetElapsedTime(0, result.SourceTicks);
            if (result.SourceBytes > 0) first.AddBytesIn(result.SourceBytes);
            offset = 1;
        }
        else
        {
            first.AddBytesIn(pending.InputBytes);
        }

        for (var i = 0; i < result.Steps.Length && i + offset < Operators.Length; i++)
        {
            var op = Operators[i + offset];
            op.RowsIn += result.Steps[i].RowsIn;
            op.RowsOut += result.Steps[i].RowsOut;
            op.TaskTime += Stopwatch.GetElapsedTime(0, result.Steps[i].Ticks);
        }

        foreach (var op in Operators)
        {
            op.Tasks++;
            op.WallTime = wall;
        }

        var last = Operators[^1];
        last.AddBytesOut(outBytes);
        last.BlocksOut += result.Blocks.Length;
        return result.Blocks;
    }
}
