using System;
using System.Threading;
using RayGen.Core;
using RayGen.Protocol;

namespace RayGen.Driver;

/// <summary>How many task runs a pipelined lane keeps on its worker: the running one and those queued behind it.</summary>
internal static class RunPipeline
{
    public const int Depth = 32;
}

/// <summary>Pipelining of task runs (see <see cref="RunLane"/>).</summary>
internal sealed partial class ProcessBackend
{
    private long _queuedRunsSent;
    private long _runsReturned;

    /// <summary>Task runs sent behind another on its worker (for tests and benchmarks).</summary>
    internal long QueuedRunsSent => Interlocked.Read(ref _queuedRunsSent);

    /// <summary>Queued runs workers gave back unstarted (for tests).</summary>
    internal long RunsReturned => Interlocked.Read(ref _runsReturned);

    /// <summary>
    /// A lane for <paramref name="first"/>, which holds its resources, when tasks of its class wait and its worker has
    /// no lane open; attached before the run is sent, so its result always finds it.
    /// </summary>
    private static RunLane? TryOpenLane(WorkerRun first)
    {
        if (first.Task.Class is not { } taskClass || taskClass.Queue.IsEmpty) return null;
        var worker = first.Worker;
        var open = Volatile.Read(ref worker.OpenLane);
        if (open is not null && !open.Closed) return null; // the pool picked a busy worker (at its cap): this run goes alone
        var lane = new RunLane(taskClass, first);
        if (Interlocked.CompareExchange(ref worker.OpenLane, lane, open) != open) return null;
        first.Lane = lane;
        return lane;
    }

    /// <summary>Sends queued tasks of the lane's class behind its tail until it is <see cref="RunPipeline.Depth"/> deep.</summary>
    private void TopUp(RunLane lane)
    {
        lock (lane)
        {
            while (!lane.Closed && lane.Runs.Count < RunPipeline.Depth)
            {
                var task = _runtime.Scheduler.TakeRider(lane.Class);
                if (task is null) return;
                var tail = lane.Runs[^1];
                var run = new WorkerRun(Interlocked.Increment(ref _nextRunId), RunKind.Task, task, null, tail.Worker) { Lane = lane };
                lane.Runs.Add(run);
                if (StartRun(run, task.ResolveArguments(), after: tail.Id))
                {
                    Interlocked.Increment(ref _queuedRunsSent);
                    continue;
                }

                // The worker died or is leaving: the task was never sent.
                lane.Runs.RemoveAt(lane.Runs.Count - 1);
                CloseLaneLocked(lane, tail.Worker);
                _runtime.Scheduler.Requeue(task);
                return;
            }
        }
    }

    /// <summary>A run of the lane ended: the resources it held pass to the run behind it, which its worker starts next.</summary>
    private void LeaveLane(RunLane lane, WorkerRun run)
    {
        lock (lane)
        {
            var index = lane.Runs.IndexOf(run);
            if (index < 0) return;
            lane.Runs.RemoveAt(index);
            if (index == 0 && lane.Runs.Count > 0 && run.Task.Slot is not null) _runtime.Scheduler.PassResources(run.Task, lane.Runs[0].Task);
            if (lane.Runs.Count == 0) CloseLaneLocked(lane, run.Worker);
        }
    }

    private static void CloseLane(RunLane lane, WorkerProcess worker)
    {
        lock (lane) CloseLaneLocked(lane, worker);
    }

    private static void CloseLaneLocked(RunLane lane, WorkerProcess worker)
    {
        lane.Closed = true;
        Interlocked.CompareExchange(ref worker.OpenLane, null, lane);
    }

    /// <summary>
    /// The worker gave back runs it never started (the run ahead of them blocked or ran long): they are scheduled
    /// again, at no cost to their retries; a run cancelled meanwhile ends as cancelled.
    /// </summary>
    internal void OnReturnedRuns(WorkerProcess worker, ReturnedRunsFrame frame)
    {
        foreach (var id in frame.RunIds)
        {
            if (!worker.TryFinish(id, out var run)) continue;
            Interlocked.Increment(ref _runsReturned);
            Forget(run);
            if (run.Lane is { } lane)
            {
                lock (lane)
                {
                    lane.Runs.Remove(run);
                    CloseLaneLocked(lane, worker);
                }
            }

            if (run.Task.CancelRequested) _runtime.CompleteTask(run.Task, null, new OperationCanceledException());
            else _runtime.Scheduler.Requeue(run.Task);
        }
    }

    /// <summary>
    /// At shutdown: tasks sent ahead to a worker hold no resources, so the scheduler does not list them with the running
    /// ones that the runtime fails; they fail here, the same way.
    /// </summary>
    private void FailQueuedRuns()
    {
        var error = ErrorInfo.Of(ErrorKind.Runtime, "The RayGen runtime was shut down before this task finished.");
        foreach (var run in _byTask.Values)
        {
            var task = run.Task;
            if (run.Kind != RunKind.Task || task.State == TaskState.Finished) continue;
            task.MoveTo(TaskState.Finished);
            task.Result.TrySetError(error);
        }
    }
}
