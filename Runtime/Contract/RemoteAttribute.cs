using System;

namespace RayGen;

/// <summary>
/// Marks a static method of a partial type as a remote task, or a partial class as a remote actor.
/// The RayGen source generator writes the typed stubs (<c>Type.Remote.Method(...)</c>,
/// <c>Type.Remote.New(...)</c>) for everything marked with it.
/// </summary>
/// <remarks>
/// The properties set here become the defaults of every call; <see cref="RemoteOptions"/> passed to
/// <c>Remote.With(...)</c> overrides them per call. Properties left unset use the runtime's defaults.
/// </remarks>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class RemoteAttribute : Attribute
{
    /// <summary>CPUs the task (or actor, for its lifetime) holds while it runs. Ray's default: 1 for tasks, 0 for actors.</summary>
    public double NumCpus { get; set; }

    /// <summary>GPUs the task or actor holds.</summary>
    public double NumGpus { get; set; }

    /// <summary>How many times a task is retried after its worker dies (and, with <see cref="RetryExceptions"/>, after it throws). Ray's default is 3.</summary>
    public int MaxRetries { get; set; }

    /// <summary>Whether an exception thrown by the task is retried, up to <see cref="MaxRetries"/> times.</summary>
    public bool RetryExceptions { get; set; }

    /// <summary>For actors: the name under which <see cref="Ray.GetActor{TActor}(string)"/> finds it.</summary>
    public string? Name { get; set; }

    /// <summary>For actors: how many times a dead actor is rebuilt from its constructor arguments.</summary>
    public int MaxRestarts { get; set; }

    /// <summary>For actors: how many times a call in flight when the actor died is sent again.</summary>
    public int MaxTaskRetries { get; set; }

    /// <summary>For actors: how many calls may run at once (async methods interleave at awaits). Default 1.</summary>
    public int MaxConcurrency { get; set; }

    /// <summary>For a method that returns a stream: items produced and not yet consumed before the producer pauses. Unset: no bound.</summary>
    public int StreamBackpressure { get; set; }
}
