using System.Collections.Generic;

namespace RayGen;

/// <summary>
/// Per-call options for a remote task or actor, passed to <c>Remote.With(...)</c>. A property left
/// <see langword="null"/> falls back to the <see cref="RemoteAttribute"/> value, then to the runtime default.
/// </summary>
public sealed class RemoteOptions
{
    /// <summary>CPUs held while the task runs (for an actor: for its lifetime). Fractions are allowed.</summary>
    public double? NumCpus { get; init; }

    /// <summary>GPUs held while the task runs.</summary>
    public double? NumGpus { get; init; }

    /// <summary>Custom resources (name -> amount) held while the task runs.</summary>
    public IReadOnlyDictionary<string, double>? Resources { get; init; }

    /// <summary>Retries after a worker crash (and after an exception when <see cref="RetryExceptions"/> is set).</summary>
    public int? MaxRetries { get; init; }

    /// <summary>Whether exceptions thrown by the task are retried.</summary>
    public bool? RetryExceptions { get; init; }

    /// <summary>Actor name, unique in the runtime.</summary>
    public string? Name { get; init; }

    /// <summary>How many times a dead actor is restarted.</summary>
    public int? MaxRestarts { get; init; }

    /// <summary>How many times an actor call in flight when its actor died is retried.</summary>
    public int? MaxTaskRetries { get; init; }

    /// <summary>An actor's lifetime: <see cref="ActorLifetime.Detached"/> keeps it after its driver ends (it needs a <see cref="Name"/>).</summary>
    public ActorLifetime? Lifetime { get; init; }

    /// <summary>How many actor calls may run at once.</summary>
    public int? MaxConcurrency { get; init; }

    /// <summary>
    /// Where the task or actor may run: <see cref="RayGen.SchedulingStrategy.Default"/> when null,
    /// <see cref="RayGen.SchedulingStrategy.Spread"/>, one node (<see cref="RayGen.SchedulingStrategy.NodeAffinity"/>),
    /// or into a placement group's bundle.
    /// </summary>
    public SchedulingStrategy? SchedulingStrategy { get; init; }
    /// <summary>
    /// For a method that returns a stream: how many items may be produced and not yet consumed before the producer
    /// pauses (Ray's <c>_generator_backpressure_num_objects</c>). Null: no bound. Must be positive.
    /// </summary>
    public int? StreamBackpressure { get; init; }

    /// <summary>Returns options where every property set on <paramref name="overrides"/> replaces this one's.</summary>
    public RemoteOptions MergeWith(RemoteOptions? overrides)
    {
        if (overrides is null) return this;
        return new RemoteOptions
        {
            NumCpus = overrides.NumCpus ?? NumCpus,
            NumGpus = overrides.NumGpus ?? NumGpus,
            Resources = overrides.Resources ?? Resources,
            MaxRetries = overrides.MaxRetries ?? MaxRetries,
            RetryExceptions = overrides.RetryExceptions ?? RetryExceptions,
            Name = overrides.Name ?? Name,
            MaxRestarts = overrides.MaxRestarts ?? MaxRestarts,
            MaxTaskRetries = overrides.MaxTaskRetries ?? MaxTaskRetries,
            MaxConcurrency = overrides.MaxConcurrency ?? MaxConcurrency,
            Lifetime = overrides.Lifetime ?? Lifetime,
            SchedulingStrategy = overrides.SchedulingStrategy ?? SchedulingStrategy,
            StreamBackpressure = overrides.StreamBackpressure ?? StreamBackpressure,
        };
    }

    internal static readonly RemoteOptions Empty = new();
}
