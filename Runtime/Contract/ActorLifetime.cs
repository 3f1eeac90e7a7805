namespace RayGen;

/// <summary>How long an actor lives: with its driver (the default), or beyond it (Ray's <c>lifetime="detached"</c>).</summary>
public enum ActorLifetime
{
    /// <summary>The actor ends when the driver that created it ends (or when no handle to it is left), as in Ray.</summary>
    NonDetached = 0,

    /// <summary>
    /// On a cluster the actor outlives its driver; another driver finds it by name in the same namespace and ends it
    /// with <c>Ray.Kill</c> (or <c>raygen stop</c> ends it with its node). It must have a name. On a local runtime
    /// nothing outlives the runtime, so it ends with it.
    /// </summary>
    Detached = 1,
}
