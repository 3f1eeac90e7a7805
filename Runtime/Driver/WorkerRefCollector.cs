using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Protocol;

namespace RayGen.Driver;

/// <summary>
/// When the object store needs room, workers may still hold refs their code dropped but their GC has not collected:
/// this asks every connected worker to collect and report what it let go, and waits for the answers.
/// </summary>
internal sealed class WorkerRefCollector
{
    private readonly WorkerPool _pool;
    private readonly SendDeferral _deferral;
    private readonly ConcurrentDictionary<long, TaskCompletionSource> _pending = new();
    private long _nextRequest;

    public WorkerRefCollector(WorkerPool pool, SendDeferral deferral)
    {
        _pool = pool;
        _deferral = deferral;
    }

    /// <summary>Waits two seconds at most: a worker busy in user code answers late, and the store goes on without it.</summary>
    public void Collect()
    {
        var waits = new List<Task>();
        var ids = new List<long>();
        foreach (var worker in _pool.All)
        {
            // One that is leaving (retired, killed) may never answer; its exit lets go of all it borrowed anyway.
            if (!worker.IsConnected || worker.IsLeaving) continue;
            var id = Interlocked.Increment(ref _nextRequest);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[id] = done;
            ids.Add(id);
            worker.Send(new CollectFrame { RequestId = id });
            waits.Add(done.Task);
        }

        _deferral.FlushAll();
        Task.WaitAll(waits.ToArray(), TimeSpan.FromSeconds(2));
        // Only this round's: a round running beside it still waits for its own answers.
        foreach (var id in ids) _pending.TryRemove(id, out _);
    }

    public void OnCollected(CollectedFrame frame)
    {
        if (_pending.TryRemove(frame.RequestId, out var done)) done.TrySetResult();
    }
}
