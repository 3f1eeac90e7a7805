using System;

namespace RayGen.Core;

/// <summary>
/// Actor names kept beyond one runtime: a cluster's, per namespace, so that another driver finds a named actor
/// (Ray's <c>ray.get_actor</c> across drivers). A backend that has them implements this; a local runtime's names
/// stay in its <see cref="ActorManager"/>.
/// </summary>
internal interface IActorNames
{
    /// <summary>Claims <paramref name="actor"/>'s name for it; throws a <see cref="RayException"/> when another actor holds it.</summary>
    void Claim(ActorRecord actor);

    /// <summary>The name's actor when another driver made it, adopted into <paramref name="actors"/>; null when none has the name.</summary>
    ActorRecord? Find(ActorManager actors, string name, Type actorType);

    /// <summary>The actor died or was killed: its name is free again.</summary>
    void Release(ActorRecord actor);
}
