using System;
using System.Collections.Generic;

namespace RayGen.Scheduling;

/// <summary>
/// Starts queued tasks as resources fit. Tasks with the same request share a FIFO queue (Ray's scheduling
/// classes), so a pump looks at a handful of queue heads, not at every waiting task.
/// </summary>
internal sealed class Scheduler
{
    private readonly object _lock = new();
    private readonly ResourcePool _pool;
    private readonly Dictionary<ResourceRequest, Queue<TaskSpec>> _queues = new();
    private readonly List<KeyValuePair<ResourceRequest, Queue<TaskSpec>>> _order = new();
    private readonly HashSet<ResourceRequest> _warnedInfeasible = new();
    private readonly Action<TaskSpec> _dispatch;
    private readonly Action<string> _warn;

    /// <param name="pool">The runtime's resources.</param>
    /// <param name="dispatch">Starts a task; called under the scheduler's lock, so it must only hand the task off.</param>
    /// <param name="warn">Where warnings go.</param>
    public Scheduler(ResourcePool pool, Action<TaskSpec> dispatch, Action<string> warn)
    {
        _pool = pool;
        _dispatch = dispatch;
        _warn = warn;
    }

    public ResourcePool Pool => _pool;

    public void Enqueue(TaskSpec task)
    {
        lock (_lock)
        {
            if (!_queues.TryGetValue(task.Request, out var queue))
            {
                queue = new Queue<TaskSpec>();
                _queues.Add(task.Request, queue);
                _order.Add(new(task.Request, queue));
            }

            queue.Enqueue(task);
            if (!_pool.IsFeasible(task.Request) && _warnedInfeasible.Add(task.Request))
            {
                _warn($"{task.Function.DisplayName} asks for {task.Request}, more than this runtime has " +
                      $"(CPU: {_pool.TotalCpus}, GPU: {_pool.TotalGpus}); it stays pending until cancelled.");
            }

            PumpLocked();
        }
    }

    /// <summary>Gives a finished task's resources back and starts what now fits.</summary>
    public void Release(TaskSpec task)
    {
        lock (_lock)
        {
            if (task.LentResources) task.LentResources = false;
            else _pool.Give(task.Request);
            PumpLocked();
        }
    }

    /// <summary>A running task blocks in Get or Wait: lend its resources so that the tasks it waits for can run.</summary>
    public void Lend(TaskSpec task)
    {
        lock (_lock)
        {
            if (task.LentResources || task.State != TaskState.Running) return;
            task.LentResources = true;
            _pool.Give(task.Request);
            PumpLocked();
        }
    }

    /// <summary>The blocked task resumes: take its resources back, even if that oversubscribes for a while (as Ray does).</summary>
    public void Reclaim(TaskSpec task)
    {
        lock (_lock)
        {
            if (!task.LentResources) return;
            task.LentResources = false;
            _pool.Take(task.Request);
        }
    }

    /// <summary>Tasks still queued, for shutdown.</summary>
    public List<TaskSpec> DrainQueued()
    {
        lock (_lock)
        {
            var all = new List<TaskSpec>();
            foreach (var (_, queue) in _order)
            {
                all.AddRange(queue);
                queue.Clear();
            }

            return all;
        }
    }

    private void PumpLocked()
    {
        foreach (var (request, queue) in _order)
        {
            while (queue.Count > 0)
            {
                var head = queue.Peek();
                if (head.State != TaskState.Queued)
                {
                    queue.Dequeue(); // cancelled while queued
                    continue;
                }

                if (!_pool.Fits(request)) break;
                queue.Dequeue();
                if (!head.TryMove(TaskState.Queued, TaskState.Running)) continue;
                _pool.Take(request);
                _dispatch(head);
            }
        }
    }
}
