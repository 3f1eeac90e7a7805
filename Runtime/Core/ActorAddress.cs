using System;

namespace RayGen.Core;

/// <summary>
/// What a handle needs to reach an actor: its id, class and options. The owner's <see cref="ActorRecord"/> is one;
/// a worker holds a plain address of an actor its driver owns, and its calls go to the driver by id.
/// </summary>
internal class ActorAddress
{
    public ActorAddress(long id, Type actorType, RemoteOptions options)
    {
        Id = id;
        ActorType = actorType;
        Options = options;
        Name = options.Name;
        MaxConcurrency = Math.Max(1, options.MaxConcurrency ?? 1);
    }

    public long Id { get; }

    public string? Name { get; }

    public Type ActorType { get; }

    public RemoteOptions Options { get; }

    public int MaxConcurrency { get; }
}
