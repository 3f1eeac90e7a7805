using RayGen.Core;

namespace RayGen;

/// <summary>
/// A handle to a remote actor. Its methods are the generated extension methods, one per public instance
/// method of <typeparamref name="TActor"/>. A handle is a value: pass it to tasks and actors, return it,
/// or put it in the object store, and it still reaches the same actor.
/// </summary>
/// <typeparam name="TActor">The actor class.</typeparam>
public sealed class ActorHandle<TActor> where TActor : class
{
    internal ActorHandle(ActorAddress state) => State = state;

    internal ActorAddress State { get; }

    /// <summary>The name the actor was created with, if any.</summary>
    public string? Name => State.Name;

    /// <inheritdoc />
    public override string ToString() => $"ActorHandle<{typeof(TActor).Name}>({State.Id}{(State.Name is null ? "" : ", " + State.Name)})";
}
