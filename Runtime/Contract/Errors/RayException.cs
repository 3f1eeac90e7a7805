using System;

namespace RayGen;

/// <summary>Base of the errors the runtime raises for remote work.</summary>
public class RayException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public RayException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public RayException(string message, Exception? innerException) : base(message, innerException) { }
}
