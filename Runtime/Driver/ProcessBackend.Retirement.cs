using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RayGen.Driver;

/// <summary>
/// Task workers started beyond NumCpus (a nested burst) are retired once they have been idle for
/// <see cref="RayOptions.IdleWorkerTimeout"/>, as Ray kills idle workers above its soft limit; the NumCpus
/// started at Init stay.
/// </summary>
internal sealed partial class ProcessBackend
{
    /// <summary>How long a retired worker may take to exit on its closed connection before it is killed.</summary>
    private static readonly TimeSpan RetireGrace = TimeSpan.FromSeconds(5);

    /// <summary>The timer runs only while the pool holds more than NumCpus workers.</summary>
    private void ArmRetirementLocked()
    {
        var period = TimeSpan.FromMilliseconds(Math.Max(10, _idleTimeout.TotalMilliseconds / 2));
        _retireTimer.Change(period, period);
    }

    private void RetireIdleWorkers()
    {
        List<WorkerProcess>? retiring = null;
        lock (_poolLock)
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
        // driver lets go of every ref it borrowed. Its exit handler finds no run to report.
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

        lock (_poolLock)
        {
            if (_disposed) return; // shutdown already holds it and disposes it
            // Out of the set shutdown disposes, under the lock it takes that set with, so only this disposes it.
            _all.TryRemove(worker.Id, out _);
        }

        process.Dispose();
    }
}
