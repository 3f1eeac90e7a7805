
namespace RayGen;

/// <summary>
/// The remote code threw. A task that depends on a failed one fails with the same error.
/// </summary>
public sealed class RayTaskException : RayException
{
    /// <summary>Creates the exception from the remote error's parts.</summary>
    public RayTaskException(string errorType, string message, string? remoteStackTrace, string? functionName = null)
        : base(FormatMessage(errorType, message, functionName))
    {
        ErrorType = errorType;
        RemoteMessage = message;
        RemoteStackTrace = remoteStackTrace;
        FunctionName = functionName;
    }

    /// <summary>Full name of the exception type the remote code threw, e.g. <c>System.InvalidOperationException</c>.</summary>
    public string ErrorType { get; }

    /// <summary>The remote exception's own message.</summary>
    public string RemoteMessage { get; }

    /// <summary>Stack trace of the remote exception, as text.</summary>
    public string? RemoteStackTrace { get; }

    /// <summary>The remote function or actor method that threw, where known.</summary>
    public string? FunctionName { get; }

    private static string FormatMessage(string errorType, string message, string? functionName) =>
        functionName is null
            ? $"{errorType}: {message}"
            : $"{functionName} threw {errorType}: {message}";
}
