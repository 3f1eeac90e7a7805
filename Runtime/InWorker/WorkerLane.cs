using System;
using System.Collections.Generic;
using System.Threading;
using RayGen.Protocol;

namespace RayGen.InWorker;

/// <summary>
/// The task runs a worker holds ahead of their turn (<see cref="QueuedRunFrame"/>). Each waits for the run it
/// follows, so they start one at a time, in order, on the thread that ended the run ahead: a burst of small tasks
/// costs one wake-up per batch, not one per task. The run ahead holds the CPU the driver counts for the lane; a
/// queued run inherits it when that run ends.
/// </summary>
/// <remarks>
/// A queued run must never wait on the run ahead of it for long: that run may be blocked in Get waiting for work
/// queued right behind it (the driver lent its CPU meanwhile, so nothing here may start on it), or simply run long
/// while other CPUs idle. So the worker gives its queued runs back to the driver as soon as the run ahead blocks, or
/// once it has been ahead for a couple of milliseconds; a run that arrives later naming a closed run ahead goes back
/// too. Only the worker knows when its runs start, so only it can give runs back without a race.
/// </remarks>
internal sealed class WorkerLane : IDisposable
{
    /// <summary>Lets a test hold queued runs behind a long run (a worker reads it at start): milliseconds per timer period.</summary>
    internal const string LongRunVariable = "RAYGEN_LANE_LONG_RUN_MS";

    /// <summary>How long a run may hold queued runs behind it before they go back (one to two timer periods).</summary>
    internal static readonly int LongRunMilliseconds =
        int.TryParse(Environment.GetEnvironmentVariable(LongRunVariable), out var milliseconds) && milliseconds > 0 ? milliseconds : 2;

    private const int ClosedKept = 256;

    private readonly object _lock = new();
    private readonly Queue<Rider> _riders = new();
    private readonly Func<long, bool> _isPending;
    // _riders.Count, readable without the lock: a run that ends with nothing queued behind it takes no lock.
    private int _waiting;
    // Runs that blocked, ran long or went back: whatever is queued behind them goes back too. Only recent ones
    // matter (a run sent behind a closed one is at most a frame away), so the set is bounded.
    private readonly HashSet<long> _closed = new();
    private readonly Queue<long> _closedOrder = new();
    private readonly Action<Rider[]> _giveBack;
    private readonly Timer _timer;
    private bool _armed;
    private long _seenAhead;
    // The run queued last: the next one sent behind the lane names it.
    private long _lastQueued;

    /// <param name="giveBack">Sends the riders back to the driver (called outside the lane's lock).</param>
    /// <param name="isPending">Whether a run is registered and not yet reported (running, or queued here).</param>
    public WorkerLane(Action<Rider[]> giveBack, Func<long, bool> isPending)
    {
        _giveBack = giveBack;
        _isPending = isPending;
        _timer = new Timer(static s => ((WorkerLane)s!).OnTimer(), this, Timeout.Infinite, Timeout.Infinite);
    }

    internal readonly record struct Rider(long After, RunFrame Frame, CancellationTokenSource Cts);

    internal enum Arrival
    {
        Queued,
        GivenBack,
        StartNow,
    }

    /// <summary>Queued runs waiting now (for tests).</summary>
    internal int Waiting
    {
        get
        {
            lock (_lock) return _riders.Count;
        }
    }

    /// <summary>A queued run arrives: it waits behind the run it names, goes back if that one is closed, or starts now if that one already ended.</summary>
    public Arrival Arrive(long after, RunFrame frame, CancellationTokenSource cts)
    {
        lock (_lock)
        {
            if (_closed.Contains(after))
            {
                CloseLocked(frame.RunId);
            }
            else if (_isPending(after) || (_riders.Count > 0 && _lastQueued == after))
            {
                // Should the run ahead end between the check and here, its Next may miss this one; the timer armed
                // below then gives it back within a few milliseconds, so it is late, never lost.
                _riders.Enqueue(new Rider(after, frame, cts));
                Volatile.Write(ref _waiting, _riders.Count);
                _lastQueued = frame.RunId;
                if (!_armed)
                {
                    _armed = true;
                    _timer.Change(LongRunMilliseconds, Timeout.Infinite);
                }

                return Arrival.Queued;
            }
            else
            {
                return Arrival.StartNow;
            }
        }

        _giveBack(new[] { new Rider(after, frame, cts) });
        return Arrival.GivenBack;
    }

    /// <summary>A task run ended (its result is sent): the run queued right behind it, if any, starts on the calling thread.</summary>
    public bool Next(long ended, out RunFrame frame, out CancellationTokenSource cts)
    {
        if (Volatile.Read(ref _waiting) == 0)
        {
            frame = null!;
            cts = null!;
            return false;
        }

        lock (_lock)
        {
            if (_riders.TryPeek(out var next) && next.After == ended)
            {
                _riders.Dequeue();
                Volatile.Write(ref _waiting, _riders.Count);
                frame = next.Frame;
                cts = next.Cts;
                return true;
            }
        }

        frame = null!;
        cts = null!;
        return false;
    }

    /// <summary>A task run blocks in Get or Wait: the runs queued behind it go back, and so will any sent behind it later.</summary>
    public void Blocked(long runId)
    {
        Rider[]? back;
        lock (_lock)
        {
            CloseLocked(runId);
            back = _riders.TryPeek(out var first) && first.After == runId ? TakeAllLocked() : null;
        }

        if (back is not null) _giveBack(back);
    }

    private void OnTimer()
    {
        Rider[]? back = null;
        lock (_lock)
        {
            _armed = false;
            if (!_riders.TryPeek(out var first)) return;
            if (first.After == _seenAhead)
            {
                // The same run has been ahead since the last tick: it runs long.
                CloseLocked(first.After);
                back = TakeAllLocked();
            }
            else
            {
                _seenAhead = first.After;
                _armed = true;
                _timer.Change(LongRunMilliseconds, Timeout.Infinite);
            }
        }

        if (back is not null) _giveBack(back);
    }

    private Rider[] TakeAllLocked()
    {
        var back = _riders.ToArray();
        _riders.Clear();
        Volatile.Write(ref _waiting, 0);
        foreach (var rider in back) CloseLocked(rider.Frame.RunId);
        return back;
    }

    private void CloseLocked(long runId)
    {
        if (!_closed.Add(runId)) return;
        _closedOrder.Enqueue(runId);
        if (_closedOrder.Count > ClosedKept) _closed.Remove(_closedOrder.Dequeue());
    }

    public void Dispose() => _timer.Dispose();
}
