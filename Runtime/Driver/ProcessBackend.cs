using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Core;
using RayGen.Internal;
using RayGen.Protocol;
using RayGen.Store;
using RayGen.InWorker;
using RayGen.WorkerHost;

namespace RayGen.Driver;

/// <summary>
/// Runs tasks and actors in worker processes. Task workers form a pool (NumCpus started at Init, more on
/// demand up to a cap, retired again once idle); each actor gets a worker of its own. A worker whose runs are
/// all blocked in Get or Wait takes further tasks, so nested work never needs a process per blocked task.
/// </summary>
internal sealed partial class ProcessBackend : IExecutionBackend
{
    private readonly RuntimeCore _runtime;
    private readonly SessionDirectory _session;
    private readonly WorkerLauncher _launcher;
    private readonly SocketListener _listener;
    private readonly object _poolLock = new();
    private readonly List<WorkerProcess> _taskWorkers = new();
    private readonly ConcurrentDictionary<int, WorkerProcess> _all = new();
    private readonly ConcurrentDictionary<TaskSpec, WorkerRun> _byTask = new(ReferenceEqualityComparer.Instance);
    private readonly int _minWorkers;
    private readonly int _maxWorkers;
    private readonly TimeSpan _idleTimeout;
    private readonly Timer _retireTimer;
    private int _nextWorkerId;
    private long _nextRunId;
    private volatile bool _disposed;

    public ProcessBackend(RuntimeCore runtime, double cpus)
    {
        _runtime = runtime;
        _session = SessionDirectory.Create();
        try
        {
            SharedPayloads.Configure(_session.CreateObjectsDirectory(), StoreCapacity(runtime.Options), _session.CreateSpillDirectory);
            SharedPayloads.CollectRemote = CollectWorkers;
            _launcher = new WorkerLauncher(_session);
            _listener = new SocketListener(_session.SocketPath, _session.Token, Admit, OnFrame, OnConnectionClosed, Log, Deferral);
        }
        catch
        {
            _session.Dispose();
            throw;
        }

        _minWorkers = Math.Max(1, (int)Math.Ceiling(cpus));
        _maxWorkers = Math.Max(_minWorkers * 2, _minWorkers + 4);
        _idleTimeout = runtime.Options.IdleWorkerTimeout;
        _retireTimer = new Timer(static s => ((ProcessBackend)s!).RetireIdleWorkers(), this, Timeout.Infinite, Timeout.Infinite);
        lock (_poolLock)
        {
            for (var i = 0; i < _minWorkers; i++) StartTaskWorkerLocked();
        }
    }

    /// <summary>The sends held back on the workers' connections (FrameConnection.DeferSends): the runtime flushes them before it waits.</summary>
    internal SendDeferral Deferral { get; } = new();

    /// <summary>The session's private directory (socket, later the shared-memory objects).</summary>
    internal SessionDirectory Session => _session;

    /// <summary>Live worker processes, task and actor workers alike.</summary>
    internal IReadOnlyCollection<WorkerProcess> Workers => (IReadOnlyCollection<WorkerProcess>)_all.Values;

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

    private void Log(string message) => _runtime.WarningSink(message);

    public void Execute(TaskSpec task)
    {
        var args = task.ResolveArguments();
        while (true)
        {
            var worker = AcquireTaskWorker();
            var run = new WorkerRun(Interlocked.Increment(ref _nextRunId), RunKind.Task, task, null, worker);
            if (!StartRun(run, args)) continue; // died, or began to leave, in between; pick again
            return;
        }
    }

    private bool StartRun(WorkerRun run, ReadOnlyMemory<byte>[] args)
    {
        var worker = run.Worker;
        SendAssembliesIfNew(worker);
        if (run.Kind != RunKind.ActorConstructor) _byTask[run.Task] = run;
        var payloads = args.Length == 0 ? Array.Empty<Payload>() : new Payload[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            payloads[i] = SharedPayloads.Wrap(args[i]);
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
        };
        if (!worker.TryStart(run, frame))
        {
            Unpin(run);
            _byTask.TryRemove(run.Task, out _);
            return false;
        }

        if (run.Kind != RunKind.ActorConstructor)
        {
            // Registered after the frame is queued, so a cancel that is already requested follows the run it cancels.
            run.Registration = run.Task.GetCancellationToken().UnsafeRegister(
                static state => ((WorkerRun)state!).Worker.Send(new CancelRunFrame { RunId = ((WorkerRun)state!).Id }), run);
        }

        return true;
    }

    private void SendAssembliesIfNew(WorkerProcess worker)
    {
        var count = RemoteRegistry.Count;
        if (worker.KnownFunctions == count) return;
        worker.KnownFunctions = count;
        worker.Send(new LoadAssembliesFrame { Paths = AssemblyPaths() });
    }

    private static string[] AssemblyPaths()
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var function in RemoteRegistry.All)
        {
            var assembly = function.Invoker.Method.DeclaringType?.Assembly;
            if (assembly is { IsDynamic: false, Location.Length: > 0 }) paths.Add(assembly.Location);
        }

        return new List<string>(paths).ToArray();
    }

    private WorkerProcess AcquireTaskWorker()
    {
        lock (_poolLock)
        {
            if (_disposed) throw new RayException("The RayGen runtime was shut down.");
            WorkerProcess? idle = null;
            WorkerProcess? least = null;
            var leastActive = int.MaxValue;
            foreach (var worker in _taskWorkers)
            {
                if (worker.IsLeaving) continue;
                var active = worker.ActiveRuns;
                if (active == 0 && (idle is null || (!idle.IsConnected && worker.IsConnected))) idle = worker;
                if (active < leastActive)
                {
                    least = worker;
                    leastActive = active;
                }
            }

            if (idle is not null) return idle;
            if (_taskWorkers.Count < _maxWorkers || least is null) return StartTaskWorkerLocked();
            return least;
        }
    }

    private WorkerProcess StartTaskWorkerLocked()
    {
        var worker = Launch(null);
        _taskWorkers.Add(worker);
        if (_taskWorkers.Count > _minWorkers) ArmRetirementLocked();
        return worker;
    }

    private WorkerProcess Launch(ActorState? actor)
    {
        var worker = new WorkerProcess(Interlocked.Increment(ref _nextWorkerId), actor);
        _all[worker.Id] = worker;
        var process = _launcher.Start(worker);
        worker.Process = process;
        process.Exited += (_, _) => OnWorkerExited(worker);
        if (process.HasExited) OnWorkerExited(worker);
        return worker;
    }

    private bool Admit(HelloFrame hello, FrameConnection connection)
    {
        // The token proves the session; the id must be one this driver started and not yet connected.
        if (!_all.TryGetValue(hello.WorkerId, out var worker) || worker.IsConnected) return false;
        worker.Connect(connection);
        return true;
    }

    private void OnConnectionClosed(FrameConnection connection, string? error)
    {
        _runtime.Objects.ReleaseAll(connection);
        // A worker without its connection is of no use: make sure it is gone; its exit reports the runs it held.
        // One the runtime let go of (retired) exits by itself on the closed connection, quietly.
        if (connection.Tag is WorkerProcess { StopRequested: false } worker && !_disposed) worker.Kill(intentional: false);
    }

    private void OnFrame(FrameConnection connection, IFrame frame)
    {
        var worker = (WorkerProcess)connection.Tag!;
        switch (frame)
        {
            case RunResultFrame result:
                OnRunResult(worker, result);
                break;
            case BlockedFrame blocked:
                OnBlocked(worker, blocked);
                break;
            case SubmitFrame submit:
                OnSubmit(connection, submit);
                break;
            case PutFrame put:
                OnPut(connection, put);
                break;
            case SubscribeFrame subscribe:
                OnSubscribe(connection, subscribe);
                break;
            case CancelObjectFrame cancel:
                OnCancelObject(cancel);
                break;
            case CreateActorFrame create:
                OnCreateActor(connection, create);
                break;
            case ActorLookupFrame lookup:
                OnActorLookup(connection, lookup);
                break;
            case KillActorFrame kill:
                OnKillActor(kill);
                break;
            case ReleaseFrame release:
                foreach (var id in release.Ids) _runtime.Objects.Release(connection, id);
                break;
            case EscapeFrame escape:
                _runtime.Objects.Export(_runtime.Objects.Adopt(escape.Id));
                break;
            case CollectedFrame collected:
                OnCollected(collected);
                break;
            default:
                connection.Close($"it sent a {frame.GetType().Name}, which only the driver sends");
                break;
        }
    }

    private void OnRunResult(WorkerProcess worker, RunResultFrame result)
    {
        if (!worker.TryFinish(result.RunId, out var run))
        {
            SharedPayloads.Discard(result.Value); // already reported (the worker died, or a forced cancel)
            return;
        }

        Forget(run);
        if (result.Error is not null)
        {
            Complete(run, null, result.Canceled ? new OperationCanceledException(result.Error.Message) : result.Error.ToException());
            return;
        }

        // Found now, on this connection's thread, before any later frame of the worker (a release of these refs) is read.
        var contained = ContainedEntries(result.Contained);
        if (!SharedPayloads.IsHandedOver(result.Value))
        {
            Complete(run, Hold(SharedPayloads.Unwrap(result.Value), contained), null);
            return;
        }

        // A large result stays in the file the worker wrote: the driver takes it over without reading it, counted
        // against the capacity before it counts as stored.
        if (SharedPayloads.TryAdopt(result.Value, out var shared))
        {
            Complete(run, Hold(shared, contained), null);
            return;
        }

        // Making room may collect in every worker and wait for their answers: not on this connection's thread.
        ThreadPool.UnsafeQueueUserWorkItem(
            static s => s.Item1.AdoptResult(s.run, s.Value, s.contained), (this, run, result.Value, contained), preferLocal: false);
    }

    /// <summary>A large result that did not fit at once: room is made, or it is spilled, or its task fails with <see cref="ObjectStoreFullException"/>.</summary>
    private void AdoptResult(WorkerRun run, Payload payload, ObjectEntry[]? contained)
    {
        object? value = null;
        Exception? error = null;
        try
        {
            value = Hold(SharedPayloads.AdoptOrRefuse(payload, $"the result of {run.Task.Function.DisplayName}"), contained);
        }
        catch (ObjectStoreFullException e)
        {
            error = new ResultNotStoredException(ErrorInfo.Of(ErrorKind.ObjectStoreFull, e.Message));
        }
        catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // The session's directories went away (shutdown) or the file was not there: the value cannot be kept.
            SharedPayloads.Discard(payload);
            error = new ResultNotStoredException(ErrorInfo.Of(ErrorKind.ObjectLost,
                $"The result of {run.Task.Function.DisplayName} could not be taken into the object store: {e.Message}"));
        }

        Complete(run, value, error);
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
        run.Registration.Dispose();
        Unpin(run);
        if (run.Kind != RunKind.ActorConstructor) _byTask.TryRemove(new KeyValuePair<TaskSpec, WorkerRun>(run.Task, run));
    }

    private void OnBlocked(WorkerProcess worker, BlockedFrame frame)
    {
        if (worker.Find(frame.RunId) is not { Kind: RunKind.Task } run) return;
        worker.SetBlocked(run, frame.Blocked);
        if (frame.Blocked) _runtime.Scheduler.Lend(run.Task);
        else _runtime.Scheduler.Reclaim(run.Task);
    }

    private void OnWorkerExited(WorkerProcess worker)
    {
        var runs = worker.MarkDead();
        if (runs is null || _disposed) return;
        _all.TryRemove(worker.Id, out _);
        var detail = ExitDetail(worker);
        foreach (var run in runs) Forget(run);
        bool replace;
        lock (_poolLock)
        {
            _taskWorkers.Remove(worker);
            replace = !_disposed && worker.Actor is null && _taskWorkers.Count < _minWorkers;
            if (replace) StartTaskWorkerLocked();
        }

        if (_disposed || _runtime.IsShutDown) return;
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

        // Killed to stop a run cancelled with force: the others it held did nothing wrong, so they run again
        // without spending a retry. (Keeping runs that could be force-cancelled apart is no option: any run can
        // be, and sharing a worker whose runs are blocked is what keeps nested work from needing a process each.)
        var innocent = worker.KilledForCancel;
        foreach (var run in runs) _runtime.OnWorkerCrashed(run.Task, detail, spendsRetry: !innocent);
    }

    private static string ExitDetail(WorkerProcess worker)
    {
        try
        {
            return $"pid {worker.Pid} exited with code {worker.Process?.ExitCode}";
        }
        catch (InvalidOperationException)
        {
            return $"pid {worker.Pid} exited";
        }
    }

    public void ForceStop(TaskSpec task)
    {
        // The worker is killed; its exit reports the run (cancelled) and any others it held (run again, at no
        // cost to their retries), and a fresh worker replaces it. Until then it takes no new run.
        if (_byTask.TryGetValue(task, out var run)) run.Worker.KillForCancel();
    }

    public void StartActor(ActorState actor, TaskSpec constructor, ReadOnlyMemory<byte>[] arguments)
    {
        WorkerProcess worker;
        try
        {
            worker = Launch(actor);
        }
        catch (Exception e)
        {
            actor.OnConstructed(e);
            return;
        }

        actor.BackendHandle = worker;
        var run = new WorkerRun(Interlocked.Increment(ref _nextRunId), RunKind.ActorConstructor, constructor, actor, worker);
        StartRun(run, arguments);
    }

    public void ExecuteActorCall(ActorState actor, TaskSpec call)
    {
        // A dead worker's actor is already dying (its exit handler runs Die, which fails or re-sends this call).
        if (actor.BackendHandle is not WorkerProcess worker) return;
        var run = new WorkerRun(Interlocked.Increment(ref _nextRunId), RunKind.ActorCall, call, actor, worker);
        StartRun(run, call.ResolveArguments());
    }

    public void StopActor(ActorState actor)
    {
        if (actor.BackendHandle is not WorkerProcess worker) return;
        actor.BackendHandle = null;
        worker.Kill(intentional: true);
    }

    private static void Unpin(WorkerRun run)
    {
        if (Interlocked.Exchange(ref run.Pinned, null) is not { } pinned) return;
        foreach (var shared in pinned) shared.Release();
    }

    private readonly ConcurrentDictionary<long, TaskCompletionSource> _collects = new();
    private long _nextCollect;

    /// <summary>Asks every connected worker to collect and report the refs it let go; waits (2 s at most) for all answers.</summary>
    private void CollectWorkers()
    {
        var waits = new List<Task>();
        foreach (var worker in _all.Values)
        {
            // One that is leaving (retired, killed) may never answer; its exit lets go of all it borrowed anyway.
            if (!worker.IsConnected || worker.IsLeaving) continue;
            var id = Interlocked.Increment(ref _nextCollect);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _collects[id] = done;
            worker.Send(new CollectFrame { RequestId = id });
            waits.Add(done.Task);
        }

        Deferral.FlushAll();
        Task.WaitAll(waits.ToArray(), TimeSpan.FromSeconds(2));
        foreach (var id in _collects.Keys) _collects.TryRemove(id, out _);
    }

    private void OnCollected(CollectedFrame frame)
    {
        if (_collects.TryRemove(frame.RequestId, out var done)) done.TrySetResult();
    }

    public void Dispose()
    {
        List<WorkerProcess> workers;
        lock (_poolLock)
        {
            if (_disposed) return;
            _disposed = true;
            workers = new List<WorkerProcess>(_all.Values);
        }

        _retireTimer.Dispose();
        // Sends wait for a flush (FrameConnection.DeferSends); what was sent before Shutdown must still leave.
        Deferral.FlushAll();
        _listener.Dispose();
        foreach (var worker in workers)
        {
            // A worker that never connected has no output worth waiting for.
            if (worker.IsConnected) worker.Release();
            else worker.Kill(intentional: true);
        }

        // Workers exit when their connection closes; give them a moment to flush their output, then make sure.
        var deadline = Environment.TickCount64 + 2000;
        foreach (var worker in workers)
        {
            var process = worker.Process;
            if (process is null) continue;
            var left = (int)Math.Max(0, deadline - Environment.TickCount64);
            if (!process.WaitForExit(left)) worker.Kill(intentional: true);
            process.WaitForExit();
            process.Dispose();
        }

        SharedPayloads.Configure(null);
        _session.Dispose();
    }
}
