using System.Collections;
using System.Collections.Generic;
using System.Globalization;

namespace RayGen.Observability;

/// <summary>
/// The scope a log line of remote code is written in: the task (or actor call) and the process that ran it. A list of
/// pairs, as <c>BeginScope</c> states conventionally are, so structured providers (OpenTelemetry, JSON consoles) read
/// the fields by name; plain ones print <see cref="ToString"/>.
/// </summary>
internal sealed class TaskLogScope : IReadOnlyList<KeyValuePair<string, object?>>
{
    public TaskLogScope(string taskId, string functionName, int workerPid, string? actorId)
    {
        TaskId = taskId;
        FunctionName = functionName;
        WorkerPid = workerPid;
        ActorId = actorId;
    }

    public string TaskId { get; }
    public string FunctionName { get; }
    public int WorkerPid { get; }
    public string? ActorId { get; }

    public int Count => ActorId is null ? 3 : 4;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("TaskId", TaskId),
        1 => new("FunctionName", FunctionName),
        2 => new("WorkerPid", WorkerPid),
        3 when ActorId is not null => new("ActorId", ActorId),
        _ => throw new System.ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"task {TaskId} ({FunctionName}) pid={WorkerPid}{(ActorId is null ? "" : $" actor={ActorId}")}");
}
