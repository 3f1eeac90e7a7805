using System;
using System.Collections.Generic;
using System.Threading;

namespace RayGen.Core;

/// <summary>
/// Starts queued tasks as resources fit. Tasks with the same request share a FIFO queue (Ray's scheduling
/// classes), so a pump looks at a handful of queue heads, not at every waiting task.
/// </summary>
/// <remarks>
/// The submitter and the threads that finish tasks used to meet on this lock once per task each; on two loaded
/// cores a preempted holder made the others spin, which cost more than everything else a task does. Now a submit
/// only enqueues (lock-free) while no CPU is free for it, and a thread of this process that finished a task hands
/// its resources straight to the next task of the same class (<see cref="HandOff"/>). The lock is taken when the
/// pool's figures change: a task that might fit now, a release with nothing to hand to, lending and reclaiming.
/// </remarks>
internal sealed partial class Scheduler
{
    private readonly object _lock = new();
    private readonly ResourcePool _pool;
    private readonly Dictionary<(ResourceRequest, BundleTarget?), TaskClass> _byRequest = new();
    private readonly Action<TaskSpec> _dispatch;
    private readonly Action<string> _warn;

    // In order of creation; replaced, never changed, under the lock, so it is read without it.
    private TaskClass[] _classes = Array.Empty<TaskClass>();

    // The pool's free CPUs as of the last time the lock was let go; a submitter that reads less than its request
    // leaves its task queued for the next lock holder. Published before the queues are looked at one last time,
    // so a task that holder missed finds the new figure (see PumpLocked).
    private double _freeCpusPublished;

    // Resources granted and not given back, so shutdown can fail the tasks holding them (see RunSlot).
    private RunSlot? _slots;

    /// <param name="pool">The runtime's resources.</param>
    /// <param name="dispatch">Starts a task; called under the scheduler's lock, so it must only hand the task off.</param>
    /// <param name="warn">Where warnings go.</param>
    public Scheduler(ResourcePool pool, Action<TaskSpec> dispatch, Action<string> warn)
    {
        _pool = pool;
        _dispatch = dispatch;
        _warn = warn;
        _freeCpusPublished = pool.FreeCpus;
    }

    public ResourcePool Pool => _pool;

    /// <summary>The pool's figures (totals or free ones), read under the lock so a dispatch is not seen half done.</summary>
    public Dictionary<string, double> Resources(bool free)
    {
        lock (_lock) return _pool.Figures(free);
    }

    /// <summary>The lock the dispatch callback may run under; tests assert that nothing slow (a process start) happens while it is held.</summary>
    internal object SyncRoot => _lock;

    public void Enqueue(TaskSpec task)
    {
        var taskClass = task.Class ??= ClassOf(task);
        taskClass.Queue.Enqueue(task);
        // Only a request of CPUs alone can be judged from the published figure; anything else takes the lock.
        var request = task.Request;
        if (request.Gpus == 0 && request.Custom.Length == 0 && taskClass.Feasible && taskClass.Target is null &&
            request.Cpus > Volatile.Read(ref _freeCpusPublished) + ResourcePool.Epsilon) return;
        lock (_lock) PumpLocked(takeNext: false);
    }

    /// <summary>Gives a finished task's resources back and starts what now fits.</summary>
    public void Release(TaskSpec task) => Release(task, takeNext: false);

    /// <summary>
    /// Gives a finished task's resources back and starts what now fits; with <paramref name="takeNext"/> the first
    /// task that fits (not an actor's constructor) is returned, holding its resources, for the caller to run itself.
    /// </summary>
    public TaskSpec? Release(TaskSpec task, bool takeNext)
    {
        // A task that held nothing (it waited on a worker behind the run that held the resources, which passed them
        // on, see PassResources) changes no figure: no lock, nothing to pump.
        if (task.LentResources && task.Slot is null)
        {
            task.LentResources = false;
            return null;
        }

        lock (_lock)
        {
            if (task.LentResources) task.LentResources = false;
            else PoolOf(task).Give(task.Request);
            if (task.Slot is { } slot) Unlink(slot);
            task.Slot = null;
            return PumpLocked(takeNext);
        }
    }

    /// <summary>
    /// A task finished on a thread that can run the next one: it passes its resources, as they are, to the next
    /// queued task of its class, which is returned to run (or dispatched, for an actor's constructor). Null when there
    /// is none, or when another class waits (it might fit the freed resources first): then call <see cref="Release(TaskSpec, bool)"/>.
    /// </summary>
    public TaskSpec? HandOff(TaskSpec finished, out bool handedOff)
    {
        handedOff = false;
        if (finished.LentResources || finished.Slot is not { } slot || finished.Class is not { } taskClass) return null;
        if (taskClass.Target is not null || HasPendingGroups) return null; // placement groups are decided under the lock
        foreach (var other in Volatile.Read(ref _classes))
        {
            if (other != taskClass && other.Feasible && !other.Queue.IsEmpty) return null;
        }

        while (taskClass.Queue.TryDequeue(out var next))
        {
            if (!next.TryMove(TaskState.Queued, TaskState.Running)) continue; // cancelled while queued
            next.Slot = slot;
            slot.Current = next;
            finished.Slot = null;
            handedOff = true;
            if (!next.IsConstructor) return next;
            _dispatch(next);
            return null;
        }

        return null;
    }

    /// <summary>
    /// A task to send to a worker behind the running task of <paramref name="taskClass"/> that holds the resources
    /// (pipelining): taken off its queue as running, holding nothing (<see cref="TaskSpec.LentResources"/>) until
    /// <see cref="PassResources"/> gives it the ones of the run ahead. Null when the queue is empty, when another
    /// class waits (it might fit the resources once the lane drains), or when the head is not one to pipeline: an
    /// actor's constructor, or a task with MaxRetries = 0 (a worker killed under it could not tell whether it had
    /// started, and at most once must not become twice).
    /// </summary>
    public TaskSpec? TakeRider(TaskClass taskClass)
    {
        if (!taskClass.Feasible) return null;
        foreach (var other in Volatile.Read(ref _classes))
        {
            if (other != taskClass && other.Feasible && !other.Queue.IsEmpty) return null;
        }

        while (taskClass.Queue.TryPeek(out var head))
        {
            if (head.IsConstructor || head.Options.MaxRetries == 0) return null;
            if (!taskClass.Queue.TryDequeue(out var next)) return null;
            if (next.IsConstructor || next.Options.MaxRetries == 0)
            {
                // Another thread took the head between the peek and the dequeue: this one goes the usual way.
                Enqueue(next);
                return null;
            }

            if (!next.TryMove(TaskState.Queued, TaskState.Running)) continue; // cancelled while queued
            next.LentResources = true;
            return next;
        }

        return null;
    }

    /// <summary>
    /// A pipelined lane moves on: <paramref name="finished"/> passes the resources it holds to <paramref name="next"/>,
    /// the task its worker runs next, with no lock (as <see cref="HandOff"/>); <paramref name="finished"/> then holds
    /// nothing, and its release changes no figure.
    /// </summary>
    public void PassResources(TaskSpec finished, TaskSpec next)
    {
        var slot = finished.Slot!;
        next.Slot = slot;
        next.LentResources = false;
        slot.Current = next;
        finished.Slot = null;
        finished.LentResources = true;
    }

    /// <summary>A task taken by <see cref="TakeRider"/> that will not run where it was sent goes back to its queue.</summary>
    /// <remarks>
    /// Its worker may give it back just after the run ahead ended and passed it that run's resources
    /// (<see cref="PassResources"/>: the result and the give-back cross on the way). Those go back to the pool first:
    /// kept, the task would wait in the queue for the very CPU it holds (on a one-CPU node, forever), or be granted a
    /// second one and leak the first.
    /// </remarks>
    public void Requeue(TaskSpec task)
    {
        task.LentResources = false;
        if (task.Slot is not null)
        {
            lock (_lock)
            {
                if (task.Slot is { } slot)
                {
                    PoolOf(task).Give(task.Request);
                    Unlink(slot);
                    task.Slot = null;
                    PumpLocked(takeNext: false);
                }
            }
        }

        if (!task.TryMove(TaskState.Running, TaskState.Queued)) return; // finished meanwhile (cancelled with force)
        Enqueue(task);
    }

    /// <summary>A running task blocks in Get or Wait: lend its resources so that the tasks it waits for can run.</summary>
    public void Lend(TaskSpec task)
    {
        lock (_lock)
        {
            if (task.LentResources || task.State != TaskState.Running) return;
            task.LentResources = true;
            PoolOf(task).Give(task.Request);
            PumpLocked(takeNext: false);
        }
    }

    /// <summary>The blocked task resumes: take its resources back, even if that oversubscribes for a while (as Ray does).</summary>
    public void Reclaim(TaskSpec task)
    {
        lock (_lock)
        {
            if (!task.LentResources) return;
            task.LentResources = false;
            PoolOf(task).Take(task.Request);
            Volatile.Write(ref _freeCpusPublished, _pool.FreeCpus);
        }
    }

    /// <summary>For shutdown: the tasks still queued (the queues are emptied) and those holding resources.</summary>
    public List<TaskSpec> DrainQueuedAndRunning()
    {
        lock (_lock)
        {
            var all = new List<TaskSpec>();
            foreach (var taskClass in _classes)
            {
                while (taskClass.Queue.TryDequeue(out var task)) all.Add(task);
            }

            for (var slot = _slots; slot is not null; slot = slot.Next)
            {
                if (slot.Current is { } task) all.Add(task);
            }

            return all;
        }
    }

    /// <summary>For the State API: the tasks queued for resources and those holding them, left where they are.</summary>
    public void Snapshot(List<TaskSpec> into)
    {
        foreach (var taskClass in Volatile.Read(ref _classes))
        {
            foreach (var task in taskClass.Queue) into.Add(task);
        }

        lock (_lock)
        {
            for (var slot = _slots; slot is not null; slot = slot.Next)
            {
                if (slot.Current is { } task) into.Add(task);
            }
        }
    }

    private TaskClass ClassOf(TaskSpec task)
    {
        var request = task.Request;
        var target = TargetOf(task);
        var classes = Volatile.Read(ref _classes);
        foreach (var existing in classes)
        {
            if (ReferenceEquals(existing.Request, request) && existing.Target == target) return existing;
        }

        foreach (var existing in classes)
        {
            if (existing.Request.Equals(request) && existing.Target == target) return existing;
        }

        lock (_lock)
        {
            if (_byRequest.TryGetValue((request, target), out var found)) return found;
            var created = target is null ? new TaskClass(request, _pool.IsFeasible(request)) : NewGroupClassLocked(task, request, target);
            _byRequest.Add((request, target), created);
            var grown = new TaskClass[_classes.Length + 1];
            _classes.CopyTo(grown, 0);
            grown[^1] = created;
            Volatile.Write(ref _classes, grown);
            if (!created.Feasible && target is null)
            {
                _warn($"{task.Function.DisplayName} asks for {request}, more than this runtime has " +
                      $"(CPU: {_pool.TotalCpus}, GPU: {_pool.TotalGpus}); it stays pending until cancelled.");
            }

            return created;
        }
    }

    private void Link(TaskSpec task, ResourcePool pool)
    {
        var slot = new RunSlot(task) { Next = _slots, Pool = pool };
        if (_slots is not null) _slots.Previous = slot;
        _slots = slot;
        task.Slot = slot;
    }

    private void Unlink(RunSlot slot)
    {
        if (slot.Previous is { } previous) previous.Next = slot.Next;
        else if (_slots == slot) _slots = slot.Next;
        else return; // already unlinked
        if (slot.Next is { } next) next.Previous = slot.Previous;
        slot.Previous = slot.Next = null;
        slot.Current = null;
    }

    private TaskSpec? PumpLocked(bool takeNext)
    {
        TaskSpec? taken = null;
        bool again;
        do
        {
            ReserveGroupsLocked();
            foreach (var taskClass in _classes)
            {
                var queue = taskClass.Queue;
                if (taskClass.Target is { } target && RejectIfRemovedLocked(taskClass, target)) continue;
                if (!taskClass.Feasible)
                {
                    // No task of this class ever runs, so nothing else dequeues here: drop the cancelled heads.
                    while (queue.TryPeek(out var head) && head.State != TaskState.Queued) queue.TryDequeue(out _);
                    continue;
                }

                while (TryPlaceLocked(taskClass, out var pool) && queue.TryDequeue(out var next))
                {
                    if (!next.TryMove(TaskState.Queued, TaskState.Running)) continue; // cancelled while queued
                    pool.Take(taskClass.Request);
                    Link(next, pool);
                    if (takeNext && taken is null && !next.IsConstructor) taken = next;
                    else _dispatch(next);
                }
            }

            // Publish, then look at the queues again: a submitter enqueues, then reads the figure, so either it saw
            // room and pumps itself, or its task is queued now and this loop finds it. A class that does not fit is
            // left for the next release (under this lock), which is what keeps this from chasing a busy submitter.
            Interlocked.Exchange(ref _freeCpusPublished, _pool.FreeCpus);
            again = false;
            foreach (var taskClass in _classes)
            {
                if (taskClass.Feasible && !taskClass.Queue.IsEmpty && TryPlaceLocked(taskClass, out _)) again = true;
            }
        }
        while (again);

        return taken;
    }
}
