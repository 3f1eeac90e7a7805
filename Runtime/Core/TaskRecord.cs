using System;
using RayGen.Protocol;

namespace RayGen.Core;

/// <summary>
/// A finished task as the history keeps it: plain figures copied from its <see cref="TaskSpec"/> at Finish, so the
/// history never holds a task (its arguments, its result's value) alive.
/// </summary>
internal sealed class TaskRecord
{
    public TaskRecord(TaskSpec task, ErrorInfo? error, long finishedAt)
    {
        Id = task.Result.Id;
        Function = task.Function.DisplayName;
        Type = TaskObserver.TypeOf(task);
        ActorId = task.Actor?.Id ?? task.CreatesActor?.Id ?? 0;
        Request = task.Actor is null ? task.Request : null;
        Attempts = task.Attempts;
        Error = error;
        SubmittedAt = task.SubmittedAt;
        StartedAt = task.StartedAt;
        EndedAt = task.EndedAt;
        FinishedAt = finishedAt;
        Pid = task.WorkerPid;
        Slot = task.WorkerSlot;
        ArgRefs = RefsOf(task);
    }

    public ObjectId Id { get; }
    public string Function { get; }
    public string Type { get; }
    public long ActorId { get; }
    public ResourceRequest? Request { get; }
    public int Attempts { get; }
    public ErrorInfo? Error { get; }
    public long SubmittedAt { get; }
    public long StartedAt { get; }
    public long EndedAt { get; }
    public long FinishedAt { get; }
    public int Pid { get; }
    public int Slot { get; }

    /// <summary>The ids of the refs passed as its arguments (the timeline's args); null when none was a ref.</summary>
    public ObjectId[]? ArgRefs { get; }

    private static ObjectId[]? RefsOf(TaskSpec task)
    {
        var count = 0;
        for (var i = 0; i < task.ArgCount; i++)
        {
            if (task.Args[i].Ref is not null) count++;
        }

        if (count == 0) return null;
        var ids = new ObjectId[count];
        count = 0;
        for (var i = 0; i < task.ArgCount; i++)
        {
            if (task.Args[i].Ref is { } entry) ids[count++] = entry.Id;
        }

        return ids;
    }
}
