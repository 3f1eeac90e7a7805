using System;

namespace RayGen;

/// <summary><c>Get</c> with a timeout ran out before the value was ready.</summary>
/// <remarks>Derives from <see cref="TimeoutException"/> so that code catching timeouts the .NET way catches it.</remarks>
public sealed class GetTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    public GetTimeoutException(string message) : base(message) { }
}
