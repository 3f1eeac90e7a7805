using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using RayGen.Core;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.Driver;

/// <summary>One run handed to a worker: a task, an actor's constructor or one actor call.</summary>
internal sealed class WorkerRun
{
    public WorkerRun(long id, RunKind kind, TaskSpec task, ActorState? actor, WorkerProcess worker)
    {
        Id = id;
        Kind = kind;
        Task = task;
        Actor = actor;
        Worker = worker;
    }

    public long Id { get; }
    public RunKind Kind { get; }
    public TaskSpec Task { get; }
    public ActorState? Actor { get; }
    public WorkerProcess Worker { get; }
    public CancellationTokenRegistration Registration { get; set; }

    /// <summary>Shared-memory arguments the run's frame names by file, pinned until the run ends.</summary>
    public System.Collections.Generic.List<SharedObject>? Pinned;

    /// <summary>The run is blocked in Get or Wait; its worker can take other work meanwhile.</summary>
    public bool Blocked { get; set; }
}

/// <summary>
/// The driver's record of one worker process: its connection once it has said hello (frames sent before
/// that wait here, in order), the runs it holds, and whether it is dead.
/// </summary>
internal sealed class WorkerProcess
{
    private readonly object _lock = new();
    private readonly Dictionary<long, WorkerRun> _runs = new();
    private List<IFrame>? _pending = new();
    private FrameConnection? _connection;
    private bool _dead;
    private bool _leaving;
    private int _blocked;
    private long _idleSince = Environment.TickCount64;
    private int _killedForCancel;

    public WorkerProcess(int id, ActorState? actor)
    {
        Id = id;
        Actor = actor;
    }

    public int Id { get; }

    /// <summary>The actor this worker hosts; null for a task worker.</summary>
    public ActorState? Actor { get; }

    public Process? Process { get; set; }

    public int Pid { get; set; }

    /// <summary>How many registered functions the worker has loaded the assemblies of.</summary>
    public int KnownFunctions { get; set; }

    /// <summary>The runtime ended this worker on purpose (actor stopped, idle worker retired, shutdown): its exit is not a crash.</summary>
    public bool StopRequested { get; private set; }

    /// <summary>The worker was killed to stop a run cancelled with force; the other runs it held did nothing wrong.</summary>
    public bool KilledForCancel => Volatile.Read(ref _killedForCancel) != 0;

    public bool IsConnected => Volatile.Read(ref _connection) is not null;

    public bool IsDead
    {
        get
        {
            lock (_lock) return _dead;
        }
    }

    /// <summary>
    /// The worker was killed, released or retired and takes no more runs; its exit is yet to come. A run placed on it
    /// now would only be lost with it (and counted as a crash), so the pool passes it over.
    /// </summary>
    public bool IsLeaving
    {
        get
        {
            lock (_lock) return _leaving || _dead;
        }
    }

    /// <summary>Runs that are executing and not blocked in Get/Wait.</summary>
    public int ActiveRuns
    {
        get
        {
            lock (_lock) return _runs.Count - _blocked;
        }
    }

    public string Label => Actor is null ? $"pid={Pid}" : $"{Actor.ActorType.Name} pid={Pid}";

    public void Connect(FrameConnection connection)
    {
        lock (_lock)
        {
            connection.Tag = this;
            connection.Name = $"worker {Id} ({Label})";
            _connection = connection;
            foreach (var frame in _pending!) connection.Send(frame);
            _pending = null;
        }
    }

    public void Send(IFrame frame)
    {
        lock (_lock)
        {
            if (_dead) return;
            if (_connection is { } connection) connection.Send(frame);
            else _pending!.Add(frame);
        }
    }

    /// <summary>Registers a run and sends its frame, unless the worker is dead or on its way out.</summary>
    public bool TryStart(WorkerRun run, IFrame frame)
    {
        lock (_lock)
        {
            if (_dead || _leaving) return false;
            _runs.Add(run.Id, run);
            if (_connection is { } connection) connection.Send(frame);
            else _pending!.Add(frame);
            return true;
        }
    }

    public bool TryFinish(long runId, out WorkerRun run)
    {
        lock (_lock)
        {
            if (!_runs.Remove(runId, out run!)) return false;
            if (run.Blocked) _blocked--;
            if (_runs.Count == 0) _idleSince = Environment.TickCount64;
            return true;
        }
    }

    public WorkerRun? Find(long runId)
    {
        lock (_lock) return _runs.GetValueOrDefault(runId);
    }

    public void SetBlocked(WorkerRun run, bool blocked)
    {
        lock (_lock)
        {
            if (run.Blocked == blocked || !_runs.ContainsKey(run.Id)) return;
            run.Blocked = blocked;
            _blocked += blocked ? 1 : -1;
        }
    }

    /// <summary>
    /// Marks a connected worker that has held no run for <paramref name="idleMilliseconds"/> as leaving: from then on
    /// <see cref="TryStart"/> refuses it, so a run is never handed to a worker on its way out. Checked and marked under
    /// the lock that <see cref="TryStart"/> takes, so a run that got in first keeps the worker.
    /// </summary>
    public bool TryRetire(long now, long idleMilliseconds)
    {
        lock (_lock)
        {
            if (_dead || _leaving || _connection is null || _runs.Count > 0 || now - _idleSince < idleMilliseconds) return false;
            _leaving = true;
            StopRequested = true;
            return true;
        }
    }

    /// <summary>Marks the worker dead and hands back the runs it held; later calls get nothing.</summary>
    public List<WorkerRun>? MarkDead()
    {
        lock (_lock)
        {
            if (_dead) return null;
            _dead = true;
            var runs = new List<WorkerRun>(_runs.Values);
            _runs.Clear();
            _blocked = 0;
            _pending = null;
            return runs;
        }
    }

    /// <summary>Ends the process to stop a run cancelled with force: its exit reports the other runs as innocent, not crashed.</summary>
    public void KillForCancel()
    {
        Volatile.Write(ref _killedForCancel, 1);
        Kill(intentional: false);
    }

    /// <summary>Ends the process; with <paramref name="intentional"/> its exit is not reported as a crash.</summary>
    public void Kill(bool intentional)
    {
        if (intentional) StopRequested = true;
        Volatile.Write(ref _leaving, true);
        try
        {
            if (Process is { HasExited: false } process) process.Kill(entireProcessTree: true);
        }
        // AggregateException: some process of the tree could not be killed. The worker itself is gone or exits on
        // its closed connection below; a kill is best effort and must not throw out of Cancel or shutdown.
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or AggregateException)
        {
        }

        Volatile.Read(ref _connection)?.Close();
    }

    /// <summary>Asks the worker to exit by closing its connection (it exits on EOF), for a graceful shutdown.</summary>
    public void Release()
    {
        StopRequested = true;
        Volatile.Write(ref _leaving, true);
        Volatile.Read(ref _connection)?.Close();
    }
}
