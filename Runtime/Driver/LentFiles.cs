using System;
using System.Collections.Generic;
using System.Threading;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.Driver;

/// <summary>
/// The driver's side of worker-file reuse (see SharedStore.Lending): freed files that task and actor workers wrote go
/// back to their writer, each still charged to the store until that worker reports it written again or deleted, or
/// dies (then the file is deleted here).
/// </summary>
internal sealed class LentFiles
{
    private readonly WorkerPool _pool;
    private readonly SharedStore _store;
    private readonly object _lock = new();
    private readonly Dictionary<string, (WorkerProcess Worker, long Size)> _lent = new(StringComparer.Ordinal);
    private long _bytes;
    private long _lentCount;
    private long _takenOver;

    public LentFiles(WorkerPool pool, SharedStore store)
    {
        _pool = pool;
        _store = store;
    }

    /// <summary>Files given back to workers so far (for tests and benchmarks).</summary>
    internal long LentCount => Interlocked.Read(ref _lentCount);

    /// <summary>Puts whose worker wrote them into a lent file and whose charge they took over (for tests and benchmarks).</summary>
    internal long TakenOverCount => Interlocked.Read(ref _takenOver);

    /// <summary>Bytes of lent files the store still counts (for tests).</summary>
    internal long Bytes
    {
        get
        {
            lock (_lock) return _bytes;
        }
    }

    /// <summary>
    /// The store frees <paramref name="shared"/> (under its lock, nothing mapping it): true when its writer is a live
    /// worker and it went back there; at most a quarter of the store is lent at once, as the driver's own pool keeps.
    /// </summary>
    public bool TryLend(SharedObject shared)
    {
        var creator = shared.CreatorPid;
        if (creator == Environment.ProcessId) return false;
        WorkerProcess? writer = null;
        foreach (var worker in _pool.All)
        {
            if (worker.Pid != creator) continue;
            writer = worker;
            break;
        }

        if (writer is null || !writer.IsConnected) return false;
        var size = shared.Charged;
        lock (_lock)
        {
            // Checked under the lock that Forget takes after the worker is marked dead: a file lent to a dying worker is
            // either refused here or found there.
            if (writer.IsLeaving || _bytes + size > _store.Capacity / 4 || !_lent.TryAdd(shared.Name, (writer, size))) return false;
            _bytes += size;
        }

        Interlocked.Increment(ref _lentCount);
        writer.Send(new FileFreedFrame { Name = shared.Name });
        return true;
    }

    /// <summary>The worker wrote into these files again (under new names) or deleted them: they are no longer counted.</summary>
    public void Settle(WorkerProcess worker, string[] names)
    {
        long freed = 0;
        lock (_lock)
        {
            foreach (var name in names)
            {
                if (!_lent.TryGetValue(name, out var lent) || lent.Worker != worker) continue;
                _lent.Remove(name);
                _bytes -= lent.Size;
                freed += lent.Size;
            }

            // Under the lock, so that what is lent and what the store counts move together.
            _store.Uncharge(freed);
        }
    }

    /// <summary>
    /// The worker put a value of <paramref name="length"/> bytes into a file lent to it, which the store still charges:
    /// that charge now counts the value (what it exceeds the value by goes back). False when the file was not lent to
    /// that worker or is smaller than the value (the worker asks for room then instead).
    /// </summary>
    public bool TakeOver(WorkerProcess worker, string name, long length)
    {
        lock (_lock)
        {
            if (!_lent.TryGetValue(name, out var lent) || lent.Worker != worker || length > lent.Size) return false;
            _lent.Remove(name);
            _bytes -= lent.Size;
            _store.Uncharge(lent.Size - length);
        }

        Interlocked.Increment(ref _takenOver);
        return true;
    }

    /// <summary>A worker died: the files lent to it are deleted and no longer counted.</summary>
    public void Forget(WorkerProcess worker)
    {
        List<string>? names = null;
        long freed = 0;
        lock (_lock)
        {
            foreach (var (name, lent) in _lent)
            {
                if (lent.Worker != worker) continue;
                (names ??= new List<string>()).Add(name);
                freed += lent.Size;
            }

            if (names is null) return;
            foreach (var name in names) _lent.Remove(name);
            _bytes -= freed;
            _store.Uncharge(freed);
        }

        if (!_store.IsDisposed)
        {
            foreach (var name in names) SharedStore.TryDelete(_store.PathOf(name, spilled: false));
        }
    }

    /// <summary>A worker asks for what can be freed now: collect, give files back, then answer (after those frames).</summary>
    public void OnReclaim(WorkerProcess worker, ReclaimFilesFrame frame)
    {
        // A collection does not belong on the connection's receiving thread.
        ThreadPool.UnsafeQueueUserWorkItem(static s =>
        {
            try
            {
                s.Item1._store.CollectForReuse();
            }
            finally
            {
                s.worker.Send(new ActorReplyFrame { RequestId = s.RequestId });
            }
        }, (this, worker, frame.RequestId), preferLocal: false);
    }
}
