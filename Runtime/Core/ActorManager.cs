using System;
using System.Collections.Generic;
using System.Threading;
using RayGen.Protocol;

namespace RayGen.Core;

/// <summary>The runtime's actors, by id and by name.</summary>
internal sealed class ActorManager
{
    private readonly object _lock = new();
    private readonly Dictionary<long, ActorRecord> _byId = new();
    private readonly Dictionary<string, ActorRecord> _byName = new(StringComparer.Ordinal);
    private readonly TaskOwner _runtime;
    private long _nextId;
    private long _foreignBelow;
    private IForwardedActor? _forwardTo;

    public ActorManager(TaskOwner owner) => _runtime = owner;

    /// <summary>
    /// For a cluster node's job host: this runtime's own actors get ids from <paramref name="firstOwnId"/> up, and an
    /// unknown id below <paramref name="foreignBelow"/> names one of the driver's actors (its handle reached code
    /// here), whose calls go to <paramref name="forwardTo"/>.
    /// </summary>
    public void ForwardForeignActors(long firstOwnId, long foreignBelow, IForwardedActor forwardTo)
    {
        lock (_lock)
        {
            _nextId = Math.Max(_nextId, firstOwnId - 1);
            _foreignBelow = foreignBelow;
            _forwardTo = forwardTo;
        }
    }

    /// <summary>Creates an actor and submits its constructor.</summary>
    /// <param name="constructor">The call that builds it.</param>
    /// <param name="actorType">Its class.</param>
    /// <param name="contextActorId">What <c>Ray.RuntimeContext.ActorId</c> says in it (see <see cref="ActorRecord.ContextActorId"/>); null: its own id.</param>
    public ActorRecord Create(TaskSpec constructor, Type actorType, string? contextActorId = null)
    {
        var name = constructor.Options.Name;
        if (name is not null && name.Length == 0) throw new ArgumentException("An actor name cannot be empty.");
        if (constructor.Options.Lifetime == ActorLifetime.Detached && name is null)
            throw new ArgumentException("A detached actor needs a name (RemoteOptions.Name): another driver finds it by that name, as in Ray.");
        ActorRecord actor;
        lock (_lock)
        {
            if (name is not null && _byName.ContainsKey(name))
                throw new RayException($"An actor named \"{name}\" already exists; names are unique while the actor lives.");
            actor = new ActorRecord(_runtime, Interlocked.Increment(ref _nextId), actorType, constructor, contextActorId);
            _byId.Add(actor.Id, actor);
            if (name is not null) _byName.Add(name, actor);
        }

        // A cluster keeps names beyond this driver: claimed there too, outside the lock (it asks the head).
        if (name is not null && _runtime.Backend is IActorNames names)
        {
            try
            {
                names.Claim(actor);
            }
            catch
            {
                lock (_lock)
                {
                    _byId.Remove(actor.Id);
                    _byName.Remove(name);
                }

                throw;
            }
        }

        constructor.CreatesActor = actor;
        _runtime.Submit(constructor);
        return actor;
    }

    public ActorRecord GetByName(string name, Type actorType)
    {
        ActorRecord? actor;
        lock (_lock) _byName.TryGetValue(name, out actor);
        if (actor is null && _runtime.Backend is IActorNames names) actor = names.Find(this, name, actorType);
        if (actor is null) throw new RayException($"No live actor is named \"{name}\".");
        if (actor.ActorType != actorType)
            throw new RayException($"The actor named \"{name}\" is a {actor.ActorType.FullName}, not a {actorType.FullName}.");
        return actor;
    }

    /// <summary>
    /// Takes in an actor another driver made (found by name on a cluster): a record that is alive from the start, whose
    /// calls the backend sends where <paramref name="backendHandle"/> says, and which never restarts here.
    /// </summary>
    public ActorRecord Adopt(string name, Type actorType, RemoteOptions options, object backendHandle)
    {
        var record = ActorRecord.Adopted(_runtime, Interlocked.Increment(ref _nextId), actorType, options, name);
        record.BackendHandle = backendHandle;
        lock (_lock)
        {
            if (_byName.TryGetValue(name, out var raced)) return raced;
            _byId.Add(record.Id, record);
            _byName.Add(name, record);
        }

        return record;
    }

    /// <summary>The actor with this id, whatever its type; null when unknown.</summary>
    public ActorRecord? Find(long id)
    {
        lock (_lock)
        {
            if (_byId.TryGetValue(id, out var actor)) return actor;
            if (_forwardTo is null || id <= 0 || id >= _foreignBelow) return null;
            // The driver's actor, first met here: a record that keeps its calls in order and sends them to the driver.
            actor = ActorRecord.Adopted(_runtime, id, typeof(object), new RemoteOptions(), name: null);
            actor.BackendHandle = _forwardTo;
            _byId.Add(id, actor);
            return actor;
        }
    }

    public ActorRecord GetById(long id, Type actorType)
    {
        lock (_lock)
        {
            if (_byId.TryGetValue(id, out var actor) && actor.ActorType == actorType) return actor;
        }

        throw new ObjectLostException($"Actor {id} ({actorType.Name}) is not known to this runtime.");
    }

    public void Kill(ActorRecord actor, bool noRestart)
    {
        // Another runtime's actor (a node's job host holding the driver's): its owner kills it; here it only forwards.
        if (actor.BackendHandle is IForwardedActor forwarded)
        {
            forwarded.Kill(actor, noRestart);
            return;
        }

        actor.Die(ErrorInfo.Of(ErrorKind.ActorDied, noRestart
            ? $"The actor {actor.ActorType.Name}({actor.Id}) was killed with Ray.Kill."
            : $"The actor {actor.ActorType.Name}({actor.Id}) died and its restarts (MaxRestarts = {actor.Options.MaxRestarts ?? 0}) are used up."),
            allowRestart: !noRestart);
    }

    /// <summary>A dead actor's name becomes free; its id stays known so that old handles report its death.</summary>
    public void Forget(ActorRecord actor)
    {
        lock (_lock)
        {
            if (actor.Name is not null && _byName.TryGetValue(actor.Name, out var named) && named == actor) _byName.Remove(actor.Name);
        }

        if (actor.Name is not null && _runtime.Backend is IActorNames names) names.Release(actor);
    }

    /// <summary>Every actor this runtime made, dead ones included (their ids stay known).</summary>
    public List<ActorRecord> Snapshot()
    {
        lock (_lock) return new List<ActorRecord>(_byId.Values);
    }

    public void Shutdown()
    {
        List<ActorRecord> all;
        lock (_lock) all = new List<ActorRecord>(_byId.Values);
        var error = ErrorInfo.Of(ErrorKind.ActorDied, "The RayGen runtime was shut down.");
        foreach (var actor in all) actor.Die(error, allowRestart: false);
    }
}
