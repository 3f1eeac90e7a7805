using System.Diagnostics;
using RayGen.Observability;
using RayGen.Protocol;

namespace RayGen.Core;

/// <summary>
/// The spans of a task: one per submit (in the submitter's context), one per execution, a child of the submit span. In
/// process mode the execution span is made in the driver, where listeners and exporters are, and takes the worker's
/// own start and end readings (one monotonic clock per machine); its id travels to the worker in the run's frame, so
/// what the worker submits is a child of it. Nothing here runs unless a listener samples the "RayGen" source.
/// </summary>
internal static class TaskTracing
{
    /// <summary>
    /// Whether a submission is traced: someone listens, and the submitter is inside a recorded trace (its current activity,
    /// or the traced run in a worker that submitted it). RayGen joins the application's traces and starts none of its
    /// own: a loop submitting a million tasks outside any trace makes no root span per task, so with a sampling exporter
    /// attached the task path pays one read of <see cref="Activity.Current"/>, not a sampling decision per task.
    /// </summary>
    public static bool ShouldTrace(TaskSpec task) =>
        RayTelemetry.Source.HasListeners() && (task.TraceParent is not null || Activity.Current is { Recorded: true });

    /// <summary>
    /// Starts the submit span (its parent: the task's traceparent, from a worker, or the caller's current activity), for
    /// a task that <see cref="ShouldTrace"/> said is traced.
    /// </summary>
    public static Activity? StartSubmit(TaskSpec task)
    {
        var name = task.Function.DisplayName;
        Activity? span;
        if (task.TraceParent is { } remote && ActivityContext.TryParse(remote, null, out var parent))
            span = RayTelemetry.Source.StartActivity(task.Function.SubmitSpanName, ActivityKind.Producer, parent);
        else
            span = RayTelemetry.Source.StartActivity(task.Function.SubmitSpanName, ActivityKind.Producer);
        if (span is null) return null;
        span.SetTag("raygen.task_id", task.Result.Id.ToString());
        span.SetTag("raygen.function", name);
        if (task.Actor is { } actor) span.SetTag("raygen.actor_id", actor.Id);
        task.TraceParent = span.Id;
        return span;
    }

    /// <summary>Stops a submit span, leaving the caller's current activity as it was before the submit.</summary>
    public static void StopSubmit(Activity span) => span.Stop();

    /// <summary>
    /// Starts the span of an attempt; with <paramref name="makeCurrent"/> (a run on this thread) it is the current activity,
    /// so spans the task's code starts are its children. Returns the activity that was current before, to restore.
    /// </summary>
    public static Activity? StartExecution(TaskSpec task, bool makeCurrent)
    {
        var previous = Activity.Current;
        if (task.TraceParent is not { } remote || !ActivityContext.TryParse(remote, null, out var parent)) return previous;
        var span = RayTelemetry.Source.StartActivity(task.Function.ExecuteSpanName, ActivityKind.Consumer, parent);
        if (span is null) return previous;
        span.SetTag("raygen.task_id", task.Result.Id.ToString());
        span.SetTag("raygen.function", task.Function.DisplayName);
        span.SetTag("raygen.attempt", task.Attempts);
        task.ExecutionSpan = span;
        if (!makeCurrent) Activity.Current = previous;
        return previous;
    }

    /// <summary>Ends the span of the attempt that just ended, with the times and worker it ran on.</summary>
    public static void EndExecution(TaskSpec task, ErrorInfo? error)
    {
        if (task.ExecutionSpan is not { } span) return;
        task.ExecutionSpan = null;
        if (task.StartedAt != 0) span.SetStartTime(RayTelemetry.ToUtc(task.StartedAt));
        if (task.EndedAt != 0) span.SetEndTime(RayTelemetry.ToUtc(task.EndedAt));
        if (task.WorkerPid != 0) span.SetTag("process.pid", task.WorkerPid);
        if (error is not null)
        {
            span.SetStatus(ActivityStatusCode.Error, error.Message);
            span.SetTag("error.type", TaskObserver.ErrorTypeOf(error));
        }

        // Stop makes the span's parent current on this thread, which may be any thread: keep what was current here.
        var current = Activity.Current;
        span.Stop();
        if (current != span) Activity.Current = current;
    }

    /// <summary>A span for a large value moved into the object store, made after the fact (its size is known only then).</summary>
    public static void RecordTransfer(string name, long startedAt, long bytes, string? objectId)
    {
        var span = RayTelemetry.Source.StartActivity(name, ActivityKind.Internal, parentContext: default,
            startTime: RayTelemetry.ToUtc(startedAt));
        if (span is null) return;
        span.SetTag("raygen.bytes", bytes);
        if (objectId is not null) span.SetTag("raygen.object_id", objectId);
        span.Stop();
    }
}
