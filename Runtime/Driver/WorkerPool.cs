using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Core;
using RayGen.Observability;
using RayGen.Protocol;

namespace RayGen.Driver;

/// <summary>
/// The driver's worker processes: task workers form a pool (NumCpus started at Init, more on demand up to a cap,
/// extras retired once idle, as Ray kills idle workers above its soft limit), each actor gets a worker of its own.
/// The pool notices a worker's exit, replaces a task worker when the pool falls below NumCpus, and tells its owner
/// which runs died with it. It never starts a process on the caller's thread after Init (see <see cref="WorkerLauncher"/>).
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    /// <summary>How long a retired worker may take to exit on its closed connection before it is killed.</summary>
    private static readonly TimeSpan RetireGrace = TimeSpan.FromSeconds(5);

    private readonly WorkerLauncher _launcher;
    private readonly Action<WorkerProcess, List<WorkerRun>> _onDied;
    private readonly object _lock = new();
    private readonly List<WorkerProcess> _taskWorkers = new();
    private readonly ConcurrentDictionary<int, WorkerProcess> _all = new();
    private readonly int _minWorkers;
    private readonly int _maxWorkers;
    private readonly TimeSpan _idleTimeout;
    private readonly Timer _retireTimer;
    private int _nextWorkerId;
    private volatile bool _disposed;

    /// <param name="session">Where workers connect.</param>
    /// <param name="minWorkers">Task workers kept at all times (NumCpus, at least one).</param>
    /// <param name="idleTimeout">How long a task worker beyond <paramref name="minWorkers"/> may idle before it is retired.</param>
    /// <param name="onDied">A worker that was not stopped on purpose died, with the runs it held (on the thread pool).</param>
    /// <param name="nodeId">The node the workers report they run on (the driver runtime's).</param>
    /// <param name="jobId">The job the workers report they serve (the driver runtime's).</param>
    /// <param name="logs">Where workers' output lines are also kept (for the dashboard); null: only the console gets them.</param>
    public WorkerPool(SessionDirectory session, int minWorkers, TimeSpan idleTimeout, Action<WorkerProcess, List<WorkerRun>> onDied,
        string nodeId, string jobId, WorkerLogs? logs = null)
    {
        _launcher = new WorkerLauncher(session, OnProcessExited, nodeId, jobId, logs);
        _onDied = onDied;
        _minWorkers = minWorkers;
        _maxWorkers = Math.Max(_minWorkers * 2, _minWorkers + 4);
        _idleTimeout = idleTimeout;
        _retireTimer = new Timer(static s => ((WorkerPool)s!).RetireIdleWorkers(), this, Timeout.Infinite, Timeout.Infinite);
    }

    internal WorkerLauncher Launcher => _launcher;

    /// <summary>Called once a retired worker's process has exited and the pool has let go of it (for tests).</summary>
    internal Action<WorkerProcess>? Retired { get; set; }

    /// <summary>Live worker processes, task and actor workers alike.</summary>
    public IReadOnlyCollection<WorkerProcess> All => (IReadOnlyCollection<WorkerProcess>)_all.Values;

    public bool IsDisposed => _disposed;

    /// <summary>Starts the NumCpus task workers, on this thread: Init waits for them, and a failure to start surfaces there.</summary>
    public void Prestart()
    {
        var started = new WorkerProcess[_minWorkers];
        lock (_lock)
        {
            for (var i = 0; i < started.Length; i++) _taskWorkers.Add(started[i] = NewWorker(null));
        }

        foreach (var worker in started) _launcher.LaunchNow(worker);
    }

    public bool TryFind(int workerId, out WorkerProcess worker) => _all.TryGetValue(workerId, out worker!);

    /// <summary>
    /// An idle task worker (a connected one first), else a new one while under the cap, else the least busy. A worker
    /// whose runs all block in Get counts as idle: nested work shares it instead of needing a process per blocked task.
    /// </summary>
    public WorkerProcess AcquireTaskWorker()
    {
        lock (_lock)
        {
            if (_disposed) throw new RayException("The RayGen runtime was shut down.");
            WorkerProcess? idle = null;
            WorkerProcess? least = null;
            var leastActive = int.MaxValue;
            foreach (var worker in _taskWorkers)
            {
                if (!worker.TryCountActiveRuns(out var active)) continue;
                if (active == 0 && (idle is null || (!idle.IsConnected && worker.IsConnected))) idle = worker;
                if (active < leastActive)
                {
                    least = worker;
                    leastActive = active;
                }
            }

            if (idle is not null) return idle;
            if (_taskWorkers.Count < _maxWorkers || least is null) return AddTaskWorkerLocked();
            return least;
        }
    }

    /// <summary>A worker of the actor's own; its process starts on the launch thread.</summary>
    public WorkerProcess StartActorWorker(ActorRecord actor)
    {
        if (_disposed) throw new RayException("The RayGen runtime was shut down.");
        var worker = NewWorker(actor);
        _launcher.Launch(worker);
        return worker;
    }

    private WorkerProcess NewWorker(ActorRecord? actor)
    {
        var worker = new WorkerProcess(Interlocked.Increment(ref _nextWorkerId), actor);
        _all[worker.Id] = worker;
        return worker;
    }

    private WorkerProcess AddTaskWorkerLocked()
    {
        var worker = NewWorker(null);
        _taskWorkers.Add(worker);
        if (_taskWorkers.Count > _minWorkers) ArmRetirementLocked();
        _launcher.Launch(worker);
        return worker;
    }

    private void OnProcessExited(WorkerProcess worker)
    {
        var runs = worker.MarkDead();
        if (runs is null || _disposed) return;
        _all.TryRemove(worker.Id, out _);
        lock (_lock)
        {
            _taskWorkers.Remove(worker);
            // One that could not be started is not replaced: the next would fail the same way, in a loop. A task that
            // needs a worker asks for one, and its retries bound the attempts.
            if (!_disposed && worker.Actor is null && worker.StartError is null && _taskWorkers.Count < _minWorkers) AddTaskWorkerLocked();
        }

        _onDied(worker, runs);
    }

    /// <summary>The timer runs only while the pool holds more than NumCpus workers.</summary>
    private void ArmRetirementLocked()
    {
        var period = TimeSpan.FromMilliseconds(Math.Max(10, _idleTimeout.TotalMilliseconds / 2));
        _retireTimer.Change(period, period);
    }

    private void RetireIdleWorkers()
    {
        List<WorkerProcess>? retiring = null;
        lock (_lock)
        {
            if (_disposed) return;
            var now = Environment.TickCount64;
            var idle = (long)_idleTimeout.TotalMilliseconds;
            // Newest first, so the workers started at Init, warm since, are the ones kept.
            for (var i = _taskWorkers.Count - 1; i >= 0 && _taskWorkers.Count > _minWorkers; i--)
            {
                var worker = _taskWorkers[i];
                // Under the worker's own lock, against TryStart: either a run got in first and the worker stays,
                // or it is marked leaving and a run that picked it just before is refused and placed elsewhere.
                if (!worker.TryRetire(now, idle)) continue;
                _taskWorkers.RemoveAt(i);
                (retiring ??= new List<WorkerProcess>()).Add(worker);
            }

            if (_taskWorkers.Count <= _minWorkers) _retireTimer.Change(Timeout.Infinite, Timeout.Infinite);
        }

        if (retiring is null) return;
        foreach (var worker in retiring) _ = RetireAsync(worker);
    }

    private async Task RetireAsync(WorkerProcess worker)
    {
        // As at shutdown: the worker exits on its closed connection (no crash report, nothing left behind), and the
        // driver lets go of every ref it borrowed. Its exit finds no run to report. Only a connected worker retires,
        // so its process is there.
        worker.Release();
        var process = worker.Process!;
        try
        {
            using (var grace = new CancellationTokenSource(RetireGrace))
            {
                try
                {
                    await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    worker.Kill(intentional: true);
                    await process.WaitForExitAsync().ConfigureAwait(false);
                }
            }
        }
        catch (InvalidOperationException)
        {
            return; // shutdown disposed it meanwhile
        }

        lock (_lock)
        {
            if (_disposed) return; // shutdown already holds it and disposes it
            // Out of the set shutdown disposes, under the lock it takes that set with, so only this disposes it.
            _all.TryRemove(worker.Id, out _);
        }

        process.Dispose();
        Retired?.Invoke(worker);
    }

    /// <summary>No worker is added or started from now on; those there stay until <see cref="Dispose"/>.</summary>
    public void Close()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
        }

        _retireTimer.Dispose();
        // Once this returns no process starts, and one that was starting is attached to its record: the set is whole.
        _launcher.Dispose();
    }

    /// <summary>
    /// Ends every worker: a connected one is released (it exits on its closed connection, flushing its output), one
    /// that never connected is killed; then waits for them, two seconds in all, and kills what is left.
    /// </summary>
    public void Dispose()
    {
        Close();
        List<WorkerProcess> workers;
        lock (_lock) workers = new List<WorkerProcess>(_all.Values);
        foreach (var worker in workers)
        {
            if (worker.IsConnected) worker.Release();
            else worker.Kill(intentional: true);
        }

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
    }
}
