using System.Collections.Generic;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RayGen.Core;
using RayGen.Observability;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.Driver;

// What the process backend tells observability: where runs are, when they ran in their workers, what workers log.
internal sealed partial class ProcessBackend
{
    private void AttachObservers()
    {
        var observer = _runtime.Observer;
        // A run sits in its worker's record until the process has said hello: handed over, not yet running.
        observer.IsWithWorker = task => !_byTask.TryGetValue(task, out var run) || run.Worker.IsConnected;
        observer.CountWorkers = CountWorkers;
        observer.StoreFigures = () => _store.Figures();
    }

    private IEnumerable<KeyValuePair<string, long>> CountWorkers()
    {
        long tasks = 0, actors = 0;
        foreach (var worker in _pool.All)
        {
            if (worker.IsLeaving) continue;
            if (worker.Actor is null) tasks++;
            else actors++;
        }

        return new KeyValuePair<string, long>[] { new("task", tasks), new("actor", actors) };
    }

    /// <summary>A run is about to be sent: its task is with this worker from now, and its execution span (when traced) starts.</summary>
    private void OnRunStarting(WorkerRun run, RunFrame frame)
    {
        var task = run.Task;
        task.WorkerPid = run.Worker.Pid;
        task.WorkerSlot = run.Worker.Id;
        task.StartedAt = Stopwatch.GetTimestamp(); // until the worker reports its own reading
        task.EndedAt = 0;
        if (task.TraceParent is null) return;
        TaskTracing.StartExecution(task, makeCurrent: false);
        frame.TraceParent = task.ExecutionSpan?.Id ?? task.TraceParent;
    }

    /// <summary>A run's result arrived: its times are the worker's own, and a large result handed over is a transfer.</summary>
    private void OnRunReported(WorkerRun run, RunResultFrame result)
    {
        var task = run.Task;
        if (run.Worker.Pid != 0) task.WorkerPid = run.Worker.Pid;
        if (result.StartedAt != 0 && result.EndedAt >= result.StartedAt)
        {
            task.StartedAt = result.StartedAt;
            task.EndedAt = result.EndedAt;
        }

        if (SharedStore.IsHandedOver(result.Value) && RayTelemetry.Source.HasListeners())
            TaskTracing.RecordTransfer("transfer " + task.Function.DisplayName, result.EndedAt != 0 ? result.EndedAt : Stopwatch.GetTimestamp(),
                result.Value.Length, TaskObserver.IdText(task.Result.Id));
    }

    /// <summary>A line a worker's code logged: written to the driver's factory, in the scope of the run it came from.</summary>
    internal void OnLog(WorkerProcess worker, LogFrame frame)
    {
        var logger = _runtime.Runtime.LoggerFactory.CreateLogger(frame.Category);
        var level = (LogLevel)frame.Level;
        if (!logger.IsEnabled(level)) return;
        var run = frame.RunId == 0 ? null : worker.Find(frame.RunId);
        var scope = run is not null
            ? RemoteLogger.ScopeOf(run.Task, worker.Pid)
            : new TaskLogScope("", "", worker.Pid, worker.Actor is { } actor ? TaskObserver.ActorIdText(actor.Id) : null);
        using (logger.BeginScope(scope))
            logger.Log(level, new EventId(frame.EventId, frame.EventName), frame.Message, frame.Exception?.ToException(), static (m, _) => m);
    }
}
