using System;
using System.Collections.Generic;
using System.Linq;

namespace RayGen.Observability;

/// <summary>
/// The last lines each worker process wrote to its stdout and stderr, for the dashboard's log view (Ray keeps workers'
/// logs in files the dashboard reads; here the driver already receives every line, so it keeps the tail in memory).
/// Bounded twice: <see cref="LinesPerWorker"/> per worker, and the <see cref="WorkersKept"/> most recent workers.
/// </summary>
internal sealed class WorkerLogs
{
    public const int LinesPerWorker = 1000;
    public const int WorkersKept = 256;

    private readonly Dictionary<int, Log> _byPid = new();
    private readonly Queue<int> _order = new();

    private sealed record Log(string Label, RingBuffer<string> Lines);

    /// <summary>Adds one line written by worker <paramref name="pid"/>; called on the process's output thread.</summary>
    public void Add(int pid, string label, string line)
    {
        Log? log;
        lock (_byPid)
        {
            if (!_byPid.TryGetValue(pid, out log))
            {
                if (_order.Count >= WorkersKept) _byPid.Remove(_order.Dequeue());
                log = new Log(label, new RingBuffer<string>(LinesPerWorker));
                _byPid[pid] = log;
                _order.Enqueue(pid);
            }
        }

        log.Lines.Add(line);
    }

    /// <summary>The workers that wrote lines, oldest first: pid, label, lines written in all.</summary>
    public IReadOnlyList<(int Pid, string Label, long Lines)> Workers()
    {
        lock (_byPid) return _order.Select(pid => (pid, _byPid[pid].Label, _byPid[pid].Lines.Added)).ToList();
    }

    /// <summary>The lines kept for <paramref name="pid"/>, oldest first; null when it wrote none (or is no longer kept).</summary>
    public IReadOnlyList<string>? Lines(int pid)
    {
        Log? log;
        lock (_byPid) _byPid.TryGetValue(pid, out log);
        return log?.Lines.Snapshot();
    }
}
