using System;

namespace RayGen;

/// <summary>The task was cancelled with <see cref="Ray.Cancel(ObjectRef, bool)"/>.</summary>
/// <remarks>Derives from <see cref="OperationCanceledException"/> so that code catching cancellation the .NET way catches it.</remarks>
public sealed class RayTaskCanceledException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    public RayTaskCanceledException(string message) : base(message) { }
}
