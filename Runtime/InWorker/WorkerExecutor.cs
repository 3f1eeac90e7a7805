using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Internal;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.InWorker;

/// <summary>Runs what the driver sends a worker: tasks (several at once when some block in Get), or one actor's constructor and calls.</summary>
internal sealed class WorkerExecutor
{
    // The run the current code belongs to: a task's id, or an actor run's id negated (actors never lend resources).
    private static readonly AsyncLocal<long> s_taskRun = new();

    // The traceparent of the current run's execution span; set only for runs that carry one (someone traces).
    private static readonly AsyncLocal<string?> s_traceParent = new();

    private readonly FrameConnection _connection;
    private readonly ConcurrentDictionary<long, CancellationTokenSource> _running = new();
    // Actor calls arrive ahead of their turn (the driver pipelines them); they wait here, in order.
    private readonly Queue<(RunFrame Frame, CancellationTokenSource Cts)> _actorQueue = new();
    private int _actorRunning;
    private int _maxConcurrency = 1;
    private readonly ConcurrentDictionary<long, List<IDisposable>> _mappings = new();
    private object? _actor;

    private readonly SharedStore _store;

    private readonly WorkerLane _lane;

    public WorkerExecutor(FrameConnection connection, SharedStore store)
    {
        _connection = connection;
        _store = store;
        _lane = new WorkerLane(GiveBack, _running.ContainsKey);
    }

    /// <summary>Told the actor's id (State API text) when this worker is given an actor to build, before its constructor runs.</summary>
    public Action<string>? HostsActor { get; set; }

    /// <summary>The task runs queued ahead of their turn (for tests).</summary>
    internal WorkerLane Lane => _lane;

    /// <summary>The task run the current code belongs to (0 outside tasks, and in actors, which never lend resources).</summary>
    public static long CurrentTaskRun => Math.Max(0, s_taskRun.Value);

    /// <summary>The run the current code belongs to, task or actor call (0 outside runs): a log line names it.</summary>
    public static long CurrentRun => Math.Abs(s_taskRun.Value);

    /// <summary>The current run's execution span (a W3C traceparent): what the code submits is its child.</summary>
    public static string? CurrentTraceParent => s_traceParent.Value;

    public void Start(RunFrame frame)
    {
        // Registered here, in frame order, so a cancel that arrives right behind its run always finds it.
        var cts = new CancellationTokenSource();
        _running[frame.RunId] = cts;
        if (frame.Kind == RunKind.ActorCall)
        {
            StartActorCall(frame, cts);
            return;
        }

        if (frame.Kind == RunKind.ActorConstructor)
        {
            _maxConcurrency = Math.Max(1, frame.MaxConcurrency);
            if (frame.ActorId is { } actorId) HostsActor?.Invoke(actorId);
        }

        // Start is called on the receiving thread, which runs the frame itself: no thread wakes for a short run.
        // A run that blocks hands the loop off (DriverLink), and the watchdog takes it from one that runs long.
        _connection.AllowTakeover();
        if (frame.Kind != RunKind.Task)
        {
            _ = Execute(frame, cts);
            return;
        }

        RunTasks(frame, cts);
    }

    /// <summary>A task run sent ahead of its turn: it waits behind the run it follows (see <see cref="WorkerLane"/>).</summary>
    public void Queue(QueuedRunFrame queued)
    {
        var frame = queued.Run;
        var cts = new CancellationTokenSource();
        _running[frame.RunId] = cts;
        if (_lane.Arrive(queued.After, frame, cts) != WorkerLane.Arrival.StartNow) return;
        _connection.AllowTakeover();
        RunTasks(frame, cts);
    }

    /// <summary>Runs task runs one after another on this thread while they finish synchronously and one is queued behind.</summary>
    private void RunTasks(RunFrame frame, CancellationTokenSource cts)
    {
        var sinceFlush = 0;
        while (Execute(frame, cts) && _lane.Next(frame.RunId, out frame, out cts))
        {
            // The results of a run of queued tasks leave part-way, so the driver sends the next ones while these run
            // rather than after the last: the batches overlap instead of taking turns.
            if (++sinceFlush < ResultBatch) continue;
            sinceFlush = 0;
            _connection.FlushDeferred();
        }
    }

    /// <summary>Results of queued runs written together (see <see cref="RunTasks"/>): half the driver's pipeline depth, so it refills one half while the other runs.</summary>
    internal const int ResultBatch = 16;

    /// <summary>A task run blocks in Get or Wait (on its own thread): what is queued behind it goes back to the driver.</summary>
    public void OnRunBlocked(long runId) => _lane.Blocked(runId);

    private void GiveBack(WorkerLane.Rider[] riders)
    {
        var ids = new long[riders.Length];
        for (var i = 0; i < riders.Length; i++)
        {
            ids[i] = riders[i].Frame.RunId;
            if (_running.TryRemove(ids[i], out var cts)) cts.Dispose();
        }

        _connection.Send(new ReturnedRunsFrame { RunIds = ids });
    }

    private void StartActorCall(RunFrame frame, CancellationTokenSource cts)
    {
        lock (_actorQueue)
        {
            if (_actorRunning >= _maxConcurrency)
            {
                _actorQueue.Enqueue((frame, cts));
                return;
            }

            _actorRunning++;
        }

        _connection.AllowTakeover();
        RunActorCalls(frame, cts);
    }

    /// <summary>Runs actor calls one after another on this thread while they finish synchronously; an async one takes the next when it ends.</summary>
    private void RunActorCalls(RunFrame frame, CancellationTokenSource cts)
    {
        while (Execute(frame, cts) && TryTakeNextActorCall(out frame, out cts))
        {
        }
    }

    private bool TryTakeNextActorCall(out RunFrame frame, out CancellationTokenSource cts)
    {
        lock (_actorQueue)
        {
            if (_actorQueue.TryDequeue(out var next))
            {
                (frame, cts) = next;
                return true;
            }

            _actorRunning--;
            frame = null!;
            cts = null!;
            return false;
        }
    }

    private void OnAsyncActorCallDone()
    {
        if (TryTakeNextActorCall(out var frame, out var cts)) RunActorCalls(frame, cts);
    }

    public void Cancel(CancelRunFrame frame)
    {
        if (!_running.TryGetValue(frame.RunId, out var cts)) return;
        // Cancel runs the user's callbacks on this, the receiving thread: if one blocks, the watchdog must be able
        // to take the loop over, as for a run executed inline.
        _connection.AllowTakeover();
        cts.Cancel();
    }

    /// <summary>Runs one frame; returns false when it goes on asynchronously (its end is reported later).</summary>
    private bool Execute(RunFrame frame, CancellationTokenSource cts)
    {
        if (!RemoteRegistry.TryGet(frame.FunctionId, out var function))
        {
            Report(frame, null, ErrorInfo.Of(ErrorKind.Runtime,
                $"The worker has no remote function '{frame.FunctionId}': the assembly that registers it was not loaded."), false);
            return true;
        }

        if (frame.Kind != RunKind.ActorConstructor && cts.IsCancellationRequested)
        {
            // Cancelled while it waited behind earlier calls or runs: it never starts, as a call cancelled in the driver's mailbox.
            Report(frame, null, ErrorInfo.Of(ErrorKind.Cancelled, $"{function.DisplayName} was cancelled before it started."), true);
            return true;
        }

        s_taskRun.Value = frame.Kind == RunKind.Task ? frame.RunId : -frame.RunId;
        if (frame.TraceParent is not null || s_traceParent.Value is not null) s_traceParent.Value = frame.TraceParent;
        frame.ExecutionStartedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        InvocationContext context;
        ValueTask pending;
        try
        {
            var args = frame.Args.Length == 0 ? Array.Empty<ReadOnlyMemory<byte>>() : new ReadOnlyMemory<byte>[frame.Args.Length];
            for (var i = 0; i < args.Length; i++)
            {
                args[i] = _store.Open(frame.Args[i], out var mapping);
                if (mapping is not null) AddMapping(frame.RunId, mapping);
            }

            context = new InvocationContext(args, frame.Kind == RunKind.ActorCall ? _actor : null, cts.Token, function) { Store = _store, RunId = frame.RunId };
            pending = function.Invoker(context);
        }
        catch (Exception e)
        {
            Fail(frame, function, e);
            return true;
        }

        if (pending.IsCompletedSuccessfully)
        {
            Succeed(frame, context);
            return true;
        }

        _ = AwaitAsync(frame, function, context, pending);
        return false;
    }

    private async Task AwaitAsync(RunFrame frame, RemoteFunction function, InvocationContext context, ValueTask pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Fail(frame, function, e);
            if (frame.Kind == RunKind.ActorCall) OnAsyncActorCallDone();
            else if (frame.Kind == RunKind.Task) OnAsyncTaskDone(frame.RunId);
            return;
        }

        Succeed(frame, context);
        if (frame.Kind == RunKind.ActorCall) OnAsyncActorCallDone();
        else if (frame.Kind == RunKind.Task) OnAsyncTaskDone(frame.RunId);
    }

    private void OnAsyncTaskDone(long runId)
    {
        if (_lane.Next(runId, out var next, out var cts)) RunTasks(next, cts);
    }

    private void Succeed(RunFrame frame, InvocationContext context)
    {
        if (frame.Kind == RunKind.ActorConstructor)
        {
            _actor = context.CreatedInstance;
            if (_actor is null)
            {
                Report(frame, null, ErrorInfo.Of(ErrorKind.TaskError, "The constructor invoker made no instance."), false);
                return;
            }
        }

        Report(frame, context.Result, null, false, context.SharedResult, context.ResultRefs);
    }

    private void Fail(RunFrame frame, RemoteFunction function, Exception e) =>
        Report(frame, null, ErrorInfo.FromException(e, function.DisplayName), e is OperationCanceledException);

    private void AddMapping(long runId, IDisposable mapping) =>
        _mappings.AddOrUpdate(runId, static (_, m) => new List<IDisposable> { m }, static (_, list, m) =>
        {
            list.Add(m);
            return list;
        }, mapping);

    private void Report(RunFrame frame, byte[]? value, ErrorInfo? error, bool canceled, SharedObject? shared = null, ObjectEntry[]? refs = null)
    {
        // The run is over: nothing reads its mapped arguments any more (the constructor's arguments are not kept either).
        if (_mappings.TryRemove(frame.RunId, out var mappings))
        {
            foreach (var mapping in mappings) mapping.Dispose();
        }

        if (_running.TryRemove(frame.RunId, out var cts)) cts.Dispose();
        // A large result was written into shared memory by this worker: only its name travels, and the driver owns the file.
        var payload = shared is not null ? SharedStore.PayloadOf(shared, transfer: true)
            : value is null ? default : _store.Wrap(value);
        ObjectId[]? contained = null;
        if (refs is not null)
        {
            contained = new ObjectId[refs.Length];
            for (var i = 0; i < refs.Length; i++) contained[i] = refs[i].Id;
        }

        _connection.Send(new RunResultFrame
        {
            RunId = frame.RunId, Value = payload, Error = error, Canceled = canceled, Contained = contained,
            StartedAt = frame.ExecutionStartedAt, EndedAt = System.Diagnostics.Stopwatch.GetTimestamp(),
        });
        GC.KeepAlive(refs); // held until the frame is queued, so this worker still borrows them when the driver reads it
        shared?.TryFree(force: true);
    }
}
