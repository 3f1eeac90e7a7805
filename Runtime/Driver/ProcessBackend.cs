using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using RayGen.Core;
using RayGen.Internal;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.Driver;

/// <summary>
/// Runs tasks and actors in worker processes: hands each run to a worker of the <see cref="WorkerPool"/>, and
/// reports what comes back (a result, an error, the worker's death) to the runtime or the actor. Owns the session
/// (socket, shared-memory store) and shuts the parts down in order.
/// </summary>
internal sealed partial class ProcessBackend : IExecutionBackend
{
    private readonly TaskOwner _runtime;
    private readonly SessionDirectory _session;
    private readonly WorkerPool _pool;
    private readonly SharedStore _store;
    private readonly DriverEndpoint _endpoint;
    private readonly ConcurrentDictionary<TaskSpec, WorkerRun> _byTask = new(ReferenceEqualityComparer.Instance);
    private long _nextRunId;
    private int _disposed;

    public ProcessBackend(TaskOwner runtime, double cpus)
    {
        _runtime = runtime;
        _session = SessionDirectory.Create();
        try
        {
            _pool = new WorkerPool(_session, Math.Max(1, (int)Math.Ceiling(cpus)), runtime.Options.IdleWorkerTimeout, OnWorkerDied,
                runtime.Observer.NodeId, runtime.Observer.JobId, runtime.Observer.WorkerLogs);
            var collector = new WorkerRefCollector(_pool, Deferral);
            _store = new SharedStore(_session.CreateObjectsDirectory(), isOwner: true, StoreCapacity(runtime.Options), _session.CreateSpillDirectory)
            {
                CollectRemote = collector.Collect,
            };
            LentFiles = new LentFiles(_pool, _store);
            _store.LendBack = LentFiles.TryLend;
            // Listening before any worker starts: a worker connects as soon as it is up.
            _endpoint = new DriverEndpoint(_session, _pool, this, new WorkerRequests(runtime, _store), collector, Deferral,
                message => runtime.WarningSink(message)); // read at each call: tests swap the sink after Init
            AttachObservers();
            _pool.Prestart();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The sends held back on the workers' connections (FrameConnection.DeferSends): the runtime flushes them before it waits.</summary>
    internal SendDeferral Deferral { get; } = new();

    /// <inheritdoc />
    public void FlushPendingSends() => Deferral.FlushAll();

    /// <summary>The session's private directory (socket, shared-memory objects).</summary>
    internal SessionDirectory Session => _session;

    internal WorkerPool Pool => _pool;

    /// <summary>Freed files workers wrote, given back to them for their next large value.</summary>
    internal LentFiles LentFiles { get; } = null!;

    /// <inheritdoc />
    public SharedStore? Store => _store;

    /// <summary>Live worker processes, task and actor workers alike.</summary>
    internal IReadOnlyCollection<WorkerProcess> Workers => _pool.All;

    /// <summary>RayOptions.ObjectStoreMemory, or 30% of the machine's (or container's) memory, as Ray defaults.</summary>
    private static long StoreCapacity(RayOptions options)
    {
        if (options.ObjectStoreMemory is { } bytes)
        {
            if (bytes <= 0) throw new ArgumentException($"RayOptions.ObjectStoreMemory must be positive, not {bytes}.");
            return bytes;
        }

        return (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 0.3);
    }

    public void Execute(TaskSpec task)
    {
        var args = task.ResolveArguments();
        while (true)
        {
            var worker = _pool.AcquireTaskWorker();
            var run = new WorkerRun(Interlocked.Increment(ref _nextRunId), RunKind.Task, task, null, worker);
            var lane = TryOpenLane(run);
            if (StartRun(run, args))
            {
                if (lane is not null) TopUp(lane);
                return;
            }

            if (lane is not null) CloseLane(lane, worker);
            // It died, or began to leave, since the pool picked it: pick again.
        }
    }

    public void StartActor(ActorRecord actor, TaskSpec constructor, ReadOnlyMemory<byte>[] arguments)
    {
        WorkerProcess worker;
        try
        {
            worker = _pool.StartActorWorker(actor);
        }
        catch (RayException e)
        {
            actor.OnConstructed(e);
            return;
        }

        actor.BackendHandle = worker;
        var run = new WorkerRun(Interlocked.Increment(ref _nextRunId), RunKind.ActorConstructor, constructor, actor, worker);
        StartRun(run, arguments);
    }

    public void ExecuteActorCall(ActorRecord actor, TaskSpec call)
    {
        if (actor.BackendHandle is IForwardedActor forwarded)
        {
            forwarded.Call(actor, call);
            return;
        }

        // A dead worker's actor is already dying (its exit runs Die, which fails or re-sends this call).
        if (actor.BackendHandle is not WorkerProcess worker) return;
        var run = new WorkerRun(Interlocked.Increment(ref _nextRunId), RunKind.ActorCall, call, actor, worker);
        StartRun(run, call.ResolveArguments());
    }

    public void StopActor(ActorRecord actor)
    {
        if (actor.BackendHandle is not WorkerProcess worker) return;
        actor.BackendHandle = null;
        worker.Kill(intentional: true);
    }

    /// <remarks>
    /// The worker is killed only while it still holds the run: a run whose result the driver already took finished
    /// (cooperatively or not) and its worker may be running others by now. Its exit reports the run (cancelled) and
    /// any others it held (see <see cref="OnWorkerDied"/>), and the pool replaces it.
    /// </remarks>
    public void ForceStop(TaskSpec task)
    {
        if (_byTask.TryGetValue(task, out var run)) run.Worker.TryKillForCancel(run);
    }

    public void Cancel(TaskSpec task)
    {
        if (_byTask.TryGetValue(task, out var run)) SendCancel(run);
    }

    private static void SendCancel(WorkerRun run) => run.Worker.Send(new CancelRunFrame { RunId = run.Id });

    /// <summary>Registers the run on its worker and sends it; false when the worker is dead or leaving (nothing was sent).</summary>
    /// <param name="run">The run, its worker chosen.</param>
    /// <param name="args">Its resolved argument bytes.</param>
    /// <param name="after">For a run queued behind a lane's tail (see <see cref="RunLane"/>): the run it follows; 0 for a run that starts at once.</param>
    private bool StartRun(WorkerRun run, ReadOnlyMemory<byte>[] args, long after = 0)
    {
        var worker = run.Worker;
        SendAssembliesIfNew(worker);
        if (run.Kind != RunKind.ActorConstructor) _byTask[run.Task] = run;
        var payloads = args.Length == 0 ? Array.Empty<Payload>() : new Payload[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            payloads[i] = _store.Wrap(args[i]);
            if (MemoryMarshal.TryGetMemoryManager(args[i], out SharedObject? shared))
            {
                // The worker maps the file its frame names: it must stay there (not spilled, not freed) until the run ends.
                shared.AddPin();
                (run.Pinned ??= new List<SharedObject>()).Add(shared);
            }
        }

        var frame = new RunFrame
        {
            RunId = run.Id, Kind = run.Kind, FunctionId = run.Task.Function.Id, Args = payloads,
            MaxConcurrency = run.Kind == RunKind.ActorConstructor ? run.Actor!.MaxConcurrency : 0,
            ActorId = run.Kind == RunKind.ActorConstructor ? run.Actor!.ContextActorId : null,
        };
        OnRunStarting(run, frame);
        if (!worker.TryStart(run, after == 0 ? frame : new QueuedRunFrame { After = after, Run = frame }))
        {
            Unpin(run);
            _byTask.TryRemove(new KeyValuePair<TaskSpec, WorkerRun>(run.Task, run));
            return false;
        }

        // Read after the frame is queued (Cancel sets the flag before it looks the run up): a cancel requested meanwhile
        // follows the run it cancels, whichever of the two saw the other.
        if (run.Kind != RunKind.ActorConstructor && run.Task.CancelRequested) SendCancel(run);
        return true;
    }

    private static void SendAssembliesIfNew(WorkerProcess worker)
    {
        var count = RemoteRegistry.Count;
        if (worker.KnownFunctions == count) return;
        worker.KnownFunctions = count;
        worker.Send(new LoadAssembliesFrame { Paths = RemoteRegistry.AssemblyPaths() });
    }

    /// <summary>A worker reports a run: on its connection's thread, before any later frame of that worker is read.</summary>
    internal void OnRunResult(WorkerProcess worker, RunResultFrame result)
    {
        if (!worker.TryFinish(result.RunId, out var run))
        {
            _store.Discard(result.Value); // already reported (the worker died, or a forced cancel)
            return;
        }

        Forget(run);
        OnRunReported(run, result);
        var lane = run.Lane;
        if (lane is not null) LeaveLane(lane, run);
        try
        {
            Report(run, result);
        }
        finally
        {
            if (lane is not null) TopUp(lane);
        }
    }

    private void Report(WorkerRun run, RunResultFrame result)
    {
        if (result.Error is not null)
        {
            Complete(run, null, result.Canceled ? new OperationCanceledException(result.Error.Message) : result.Error.ToException());
            return;
        }

        // Found now, before a later frame of the worker (a release of these refs) is read.
        var contained = WorkerRequests.ContainedEntries(_runtime.Objects, result.Contained);
        if (WorkerRequests.TryTake(_store, result.Value, contained, out var value))
        {
            Complete(run, value, null);
            return;
        }

        // Making room may collect in every worker and wait for their answers: not on this connection's thread.
        ThreadPool.UnsafeQueueUserWorkItem(
            static s => s.Item1.AdoptResult(s.run, s.Value, s.contained), (this, run, result.Value, contained), preferLocal: false);
    }

    /// <summary>A large result that did not fit at once: room is made, or it is spilled, or its task fails with <see cref="ObjectStoreFullException"/>.</summary>
    private void AdoptResult(WorkerRun run, Payload payload, ObjectEntry[]? contained)
    {
        var error = WorkerRequests.TakeMakingRoom(_store, payload, contained, $"the result of {run.Task.Function.DisplayName}", out var value);
        Complete(run, value, error is null ? null : new ResultNotStoredException(error));
    }

    /// <summary>Reports a finished run to the task or actor it belongs to.</summary>
    private void Complete(WorkerRun run, object? value, Exception? exception)
    {
        switch (run.Kind)
        {
            case RunKind.Task:
                _runtime.CompleteTask(run.Task, value, exception);
                break;
            case RunKind.ActorConstructor:
                run.Actor!.OnConstructed(exception);
                break;
            case RunKind.ActorCall:
                run.Actor!.OnCallCompleted(run.Task, value, exception);
                break;
        }

        // Not stored after all (cancelled meanwhile, or a call from an actor's earlier life): nothing else will free it.
        if (value is SharedObject { Owner: null } unclaimed) unclaimed.TryFree();
    }

    private void Forget(WorkerRun run)
    {
        Unpin(run);
        if (run.Kind != RunKind.ActorConstructor) _byTask.TryRemove(new KeyValuePair<TaskSpec, WorkerRun>(run.Task, run));
    }

    private static void Unpin(WorkerRun run)
    {
        if (Interlocked.Exchange(ref run.Pinned, null) is not { } pinned) return;
        foreach (var shared in pinned) shared.Release();
    }

    /// <summary>A run blocks in Get or Wait (or resumes): its resources are lent to the tasks it waits for, and taken back.</summary>
    internal void OnBlocked(WorkerProcess worker, BlockedFrame frame)
    {
        if (worker.Find(frame.RunId) is not { Kind: RunKind.Task } run) return;
        // The worker gives back what waits behind a blocked run; nothing more joins it.
        if (frame.Blocked && run.Lane is { } lane) CloseLane(lane, worker);
        worker.SetBlocked(run, frame.Blocked);
        if (frame.Blocked) _runtime.Scheduler.Lend(run.Task);
        else _runtime.Scheduler.Reclaim(run.Task);
    }

    /// <summary>A worker died (or never started) holding <paramref name="runs"/>.</summary>
    private void OnWorkerDied(WorkerProcess worker, List<WorkerRun> runs)
    {
        LentFiles.Forget(worker);
        foreach (var run in runs) Forget(run);
        if (Volatile.Read(ref _disposed) != 0 || _runtime.IsShutDown) return;
        var detail = ExitDetail(worker);
        if (worker.Actor is { } actor)
        {
            if (worker.StopRequested) return;
            if (runs.Exists(r => r.Kind == RunKind.ActorConstructor))
            {
                actor.OnConstructed(new WorkerCrashedException($"its worker process died while running the constructor ({detail})"));
                return;
            }

            // The calls it held are retried or failed by the actor itself (MaxTaskRetries), and it restarts while MaxRestarts allow.
            actor.Die(ErrorInfo.Of(ErrorKind.ActorDied, $"The actor {actor.ActorType.Name}({actor.Id})'s worker process died ({detail})."), allowRestart: true);
            return;
        }

        foreach (var run in runs) _runtime.OnWorkerCrashed(run.Task, detail, spendsRetry: SpendsRetry(worker, run.Task));
    }

    /// <summary>
    /// Whether a task that died with its worker spends one of its MaxRetries on the rerun. A crash does, as in Ray: a
    /// task is retried while MaxRetries allow, and so may run more than once (at least once, never exactly once).
    /// </summary>
    /// <remarks>
    /// A worker killed to stop a run cancelled with force takes the other runs it held with it (keeping runs that could
    /// be force-cancelled apart is no option: any run can be, and sharing a worker whose runs are blocked is what keeps
    /// nested work from needing a process each). Those did nothing wrong, so their rerun is free; but each was cut
    /// midway and runs again from the start, so it executes twice. MaxRetries = 0 asks for at most once: such a task
    /// fails with <see cref="WorkerCrashedException"/> instead, as it would after a crash, unless its worker never
    /// connected (then nothing of it ran).
    /// </remarks>
    private static bool SpendsRetry(WorkerProcess worker, TaskSpec task)
    {
        if (!worker.KilledForCancel) return true;
        if (!worker.IsConnected) return false;
        return task.MaxRetries == 0;
    }

    private static string ExitDetail(WorkerProcess worker)
    {
        if (worker.StartError is { } startError) return startError;
        if (worker.Process is not { } process) return "it was stopped before its process started";
        if (worker.KilledForCancel) return $"pid {worker.Pid} was killed to stop a task cancelled with force";
        try
        {
            return $"pid {worker.Pid} exited with code {process.ExitCode}";
        }
        catch (InvalidOperationException)
        {
            return $"pid {worker.Pid} exited";
        }
    }

    /// <inheritdoc />
    public bool PipelinesActorCalls => true;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        // No worker starts from here on; those there still get what was sent before Shutdown (sends wait for a flush).
        _pool?.Close();
        FailQueuedRuns();
        Deferral.FlushAll();
        _endpoint?.Dispose();
        _pool?.Dispose();
        _store?.Dispose();
        _session.Dispose();
    }
}
