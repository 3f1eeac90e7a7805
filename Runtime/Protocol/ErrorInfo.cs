using System;
using MemoryPack;

namespace RayGen.Protocol;

/// <summary>Why an object failed; kept as plain data so it crosses process boundaries and each getter gets a fresh exception.</summary>
internal enum ErrorKind : byte
{
    TaskError,
    WorkerCrashed,
    ActorDied,
    ObjectLost,
    Cancelled,
    Runtime,
    ObjectStoreFull,
    NodeDied,
}

[MemoryPackable]
internal sealed partial class ErrorInfo
{
    public ErrorKind Kind { get; init; }
    public string ErrorType { get; init; } = "";
    public string Message { get; init; } = "";
    public string? StackTrace { get; init; }
    public string? FunctionName { get; init; }

    /// <summary>For <see cref="ErrorKind.NodeDied"/>: the node that died.</summary>
    public string? NodeId { get; init; }

    public static ErrorInfo FromException(Exception exception, string? functionName)
    {
        if (exception is RayTaskException rte)
        {
            // A task that fails because it re-threw a dependency's failure keeps the original error.
            return new ErrorInfo
            {
                Kind = ErrorKind.TaskError,
                ErrorType = rte.ErrorType,
                Message = rte.RemoteMessage,
                StackTrace = rte.RemoteStackTrace,
                FunctionName = rte.FunctionName,
            };
        }

        return new ErrorInfo
        {
            Kind = ErrorKind.TaskError,
            ErrorType = exception.GetType().FullName ?? exception.GetType().Name,
            Message = exception.Message,
            StackTrace = exception.StackTrace,
            FunctionName = functionName,
        };
    }

    public static ErrorInfo Of(ErrorKind kind, string message) => new() { Kind = kind, Message = message };

    public Exception ToException() => Kind switch
    {
        ErrorKind.TaskError => new RayTaskException(ErrorType, Message, StackTrace, FunctionName),
        ErrorKind.WorkerCrashed => new WorkerCrashedException(Message),
        ErrorKind.NodeDied => new NodeDiedException(Message, NodeId ?? ""),
        ErrorKind.ActorDied => new ActorDiedException(Message),
        ErrorKind.ObjectLost => new ObjectLostException(Message),
        ErrorKind.Cancelled => new RayTaskCanceledException(Message),
        ErrorKind.ObjectStoreFull => new ObjectStoreFullException(Message),
        _ => new RayException(Message),
    };
}
