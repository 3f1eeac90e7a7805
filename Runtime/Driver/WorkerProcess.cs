using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using RayGen.Core;
using RayGen.Protocol;

namespace RayGen.Driver;

/// <summary>
/// The driver's record of one worker process: its connection once it has said hello (frames sent before
/// that wait here, in order), the runs it holds, and whether it is leaving or dead. The record exists before
/// its process does: the pool hands runs to it at once and the process is started off the caller's thread.
/// </summary>
internal sealed class WorkerProcess
{
    private readonly object _lock = new();
    private readonly Dictionary<long, WorkerRun> _runs = new();
    private List<IFrame>? _pending = new();
    private FrameConnection? _connection;
    private Process? _process;
    private bool _dead;
    private bool _leaving;
    private int _blocked;
    private long _idleSince = Environment.TickCount64;
    private int _killedForCancel;

    public WorkerProcess(int id, ActorRecord? actor)
    {
        Id = id;
        Actor = actor;
    }

    public int Id { get; }

    /// <summary>The actor this worker hosts; null for a task worker.</summary>
    public ActorRecord? Actor { get; }

    /// <summary>Null until the launcher has started it (and for good when it never started).</summary>
    public Process? Process => Volatile.Read(ref _process);

    public int Pid { get; set; }

    /// <summary>Why the process could not be started; null when it started, is yet to start, or was stopped before its turn.</summary>
    public string? StartError { get; set; }

    /// <summary>How many registered functions the worker has loaded the assemblies of.</summary>
    public int KnownFunctions { get; set; }

    /// <summary>The runtime ended this worker on purpose (actor stopped, idle worker retired, shutdown): its exit is not a crash.</summary>
    public bool StopRequested { get; private set; }

    /// <summary>The worker was killed to stop a run cancelled with force; the other runs it held did nothing wrong.</summary>
    public bool KilledForCancel => Volatile.Read(ref _killedForCancel) != 0;

    /// <summary>The worker has said hello; stays true after its connection closes, so it also means "ever ran anything".</summary>
    public bool IsConnected => Volatile.Read(ref _connection) is not null;

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

    /// <summary>
    /// <see cref="ActiveRuns"/>, read under the same lock as <see cref="IsLeaving"/>: false when the worker is leaving.
    /// The pool scans every worker with it on each task it places.
    /// </summary>
    public bool TryCountActiveRuns(out int active)
    {
        lock (_lock)
        {
            active = _runs.Count - _blocked;
            return !_leaving && !_dead;
        }
    }

    /// <summary>The lane that still takes runs on this worker, if any (see <see cref="RunLane"/>); swapped with Interlocked.CompareExchange, so a worker has one at a time.</summary>
    public RunLane? OpenLane;

    public string Label => Actor is null ? $"pid={Pid}{NodeSuffix}" : $"{Actor.ActorType.Name} pid={Pid}{NodeSuffix}";

    // Read once: only a job host on a cluster node has it, and every worker it starts carries it in its label.
    private static readonly string NodeSuffix =
        System.Environment.GetEnvironmentVariable(WorkerEnvironment.NodeAddressVariable) is { Length: > 0 } node ? $", node={node}" : "";

    /// <summary>
    /// Records the started process; false when the worker was killed or released before it started, and the caller
    /// must end the process. Under the lock <see cref="Kill"/> reads it with, so a kill never misses a process.
    /// </summary>
    public bool TryAttach(Process process)
    {
        lock (_lock)
        {
            Volatile.Write(ref _process, process);
            return !_leaving && !_dead;
        }
    }

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
            if (!_dead) SendLocked(frame);
        }
    }

    /// <summary>Registers a run and sends its frame, unless the worker is dead or on its way out.</summary>
    public bool TryStart(WorkerRun run, IFrame frame)
    {
        lock (_lock)
        {
            if (_dead || _leaving) return false;
            _runs.Add(run.Id, run);
            SendLocked(frame);
            return true;
        }
    }

    /// <summary>Sends on the connection, or keeps the frame, in order, until the worker says hello.</summary>
    private void SendLocked(IFrame frame)
    {
        if (_connection is { } connection) connection.Send(frame);
        else _pending!.Add(frame);
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

    /// <summary>
    /// Ends the process to stop <paramref name="run"/>, cancelled with force, while the worker still holds it; false,
    /// and nothing is killed, when its result was already taken (<see cref="TryFinish"/>, under the same lock). What
    /// cannot be told apart is a result still on its way: a run that finished in the worker a moment ago is killed like
    /// one still running, and its cancelled ref was failed before the kill, so either way the caller sees the cancel.
    /// </summary>
    public bool TryKillForCancel(WorkerRun run)
    {
        lock (_lock)
        {
            if (!_runs.TryGetValue(run.Id, out var held) || held != run) return false;
            Volatile.Write(ref _killedForCancel, 1);
        }

        Kill(intentional: false);
        return true;
    }

    /// <summary>Ends the process; with <paramref name="intentional"/> its exit is not reported as a crash.</summary>
    public void Kill(bool intentional)
    {
        Process? process;
        lock (_lock)
        {
            if (intentional) StopRequested = true;
            _leaving = true;
            process = _process;
        }

        try
        {
            if (process is { HasExited: false }) process.Kill(entireProcessTree: true);
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
        lock (_lock)
        {
            StopRequested = true;
            _leaving = true;
        }

        Volatile.Read(ref _connection)?.Close();
    }
}
