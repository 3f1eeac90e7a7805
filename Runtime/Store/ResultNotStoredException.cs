using System;
using RayGen.Protocol;

namespace RayGen.Store;

/// <summary>
/// A run finished but the store could not take its result (full, or its file gone). The task fails with
/// <see cref="Error"/> as it is (never as a <see cref="RayTaskException"/>: the task's code did not throw) and is
/// not retried: running it again would only make the same value again.
/// </summary>
internal sealed class ResultNotStoredException(ErrorInfo error) : Exception(error.Message)
{
    public ErrorInfo Error { get; } = error;
}
