using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading.Tasks;

namespace RayGen.Data.Execution;

/// <summary>A submitted task (or actor call) of an operator, in submission order.</summary>
internal class Pending(Task<BlockResult> result, long inputBytes, long estimatedOutputBytes)
{
    /// <summary>The task's result; for a stream, its next item's.</summary>
    public Task<BlockResult> Result { get; protected set; } = result;
    public long InputBytes { get; } = inputBytes;
    public long EstimatedOutputBytes { get; } = estimatedOutputBytes;
    public int Actor { get; init; } = -1;
}

/// <summary>
/// A streaming task: its items arrive one by one, in order, while it runs. <see cref="Pending.Result"/> is the next
/// item's; the executor asks for the one after only when the operator's output has room, so an unread item holds the
/// producer back (with the stream's own backpressure).
/// </summary>
internal sealed class StreamPending : Pending
{
    /// <summary>What <see cref="Pending.Result"/> completes with after the last item.</summary>
    public static readonly BlockResult End = new();

    private readonly ObjectRefStream<BlockResult> _stream;
    private readonly IAsyncEnumerator<ObjectRef<BlockResult>> _items;

    public StreamPending(ObjectRefStream<BlockResult> stream, long estimatedOutputBytes)
        : base(Task.FromResult(End), 0, estimatedOutputBytes)
    {
        _stream = stream;
        _items = stream.GetAsyncEnumerator();
        Next();
    }

    /// <summary>Stops the producer (the run ended before the stream did): a paused producer would otherwise wait for a reader forever.</summary>
    public void Cancel()
    {
        try
        {
            Ray.Cancel(_stream);
        }
        catch (RayException)
        {
            // The runtime is shutting down or the stream already ended: nothing is left to stop.
        }
    }

    /// <summary>Whether the item read last was handed on and the next one is not asked for yet.</summary>
    public bool Paused { get; private set; }

    /// <summary>Holds the stream where it is: the item just read was handed on, the next one is asked for by <see cref="Next"/>.</summary>
    public void Pause()
    {
        Paused = true;
        Result = s_never;
    }

    /// <summary>Asks for the next item.</summary>
    public void Next()
    {
        Paused = false;
        Result = NextAsync();
    }

    // A paused stream is not waited on: what resumes it is room downstream, which other tasks or the consumer make.
    private static readonly Task<BlockResult> s_never = new TaskCompletionSource<BlockResult>().Task;

    private async Task<BlockResult> NextAsync()
    {
        if (!await _items.MoveNextAsync().ConfigureAwait(false)) return End;
        return await _items.Current.GetAsync().ConfigureAwait(false);
    }
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

    protected void TrackStream(ObjectRefStream<BlockResult> stream)
    {
        if (_firstSubmit == 0) _firstSubmit = Stopwatch.GetTimestamp();
        InFlight.Enqueue(new StreamPending(stream, EstimateOutput(0)));
    }

    /// <summary>A stream ended: it counts as one task of the operator.</summary>
    public void CompleteStream()
    {
        foreach (var op in Operators) op.Tasks++;
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
            if (pending is not StreamPending) op.Tasks++;
            op.WallTime = wall;
        }

        var last = Operators[^1];
        last.AddBytesOut(outBytes);
        last.BlocksOut += result.Blocks.Length;
        return result.Blocks;
    }
}
