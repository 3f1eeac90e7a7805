namespace RayGen.Core;

/// <summary>
/// Where the calls of an actor this runtime does not own go: in a cluster node's job host, an actor of the driver
/// whose handle reached code running there. The record in this runtime keeps the calls in order and completes them;
/// this sends each to the owner and reports back through <see cref="ActorRecord.OnCallCompleted(TaskSpec, object?, System.Exception?)"/>.
/// </summary>
internal interface IForwardedActor
{
    void Call(ActorRecord actor, TaskSpec call);

    /// <summary>Ray.Kill of the actor from here: its owner ends it (or restarts it, without <paramref name="noRestart"/>).</summary>
    void Kill(ActorRecord actor, bool noRestart);
}
