using MemoryPack;

namespace RayGen.Protocol;

// A node of a cluster runs each driver's work in a job host: a process started from the driver's shipped
// application, running a runtime of its own. These frames pass between the node's agent and that job host; the
// agent relays them to and from the driver (in batches, as MemoryPack bytes inside Orleans messages).

/// <summary>Node agent -> job host: run one task, build one actor, or call one (a driver's submission).</summary>
[MemoryPackable]
internal sealed partial class JobRunFrame : IFrame
{
    /// <summary>The driver's key for this run; its result comes back under it. For a constructor, also the actor's key.</summary>
    public long Key { get; set; }

    public RunKind Kind { get; set; }
    public string FunctionId { get; set; } = "";

    /// <summary>For a constructor: the actor's type (assembly-qualified), for the handle the job host keeps.</summary>
    public string? TypeName { get; set; }

    /// <summary>For a constructor: the driver's id of the actor (State API text), which <c>Ray.RuntimeContext</c> gives in it.</summary>
    public string? ActorId { get; set; }

    /// <summary>For an actor call: the key its constructor ran under.</summary>
    public long ActorKey { get; set; }

    public WireOptions Options { get; set; } = new();

    /// <summary>For a constructor: the actor is detached, so its job host outlives the driver while it lives.</summary>
    public bool Detached { get; set; }

    /// <summary>Serialized arguments, refs already replaced by their values (the driver resolved them).</summary>
    public byte[][] Args { get; set; } = System.Array.Empty<byte[]>();

    /// <summary>
    /// Null, or per argument the key of a value the driver pushed to the node in chunks beforehand (0: the argument
    /// is inline). The node puts each such value in place before the run reaches the job host.
    /// </summary>
    public long[]? HeldArgs { get; set; }

    /// <summary>
    /// Null, or per argument where a held one comes from: null, pushed by the driver; empty, held on this node already
    /// (a result made here, under its <see cref="HeldArgs"/> key); otherwise the silo address of the node that holds
    /// it, which this node pulls it from, node to node. A value that cannot be had that way fails the run with
    /// <see cref="JobResultFrame.ArgumentsMissing"/>, and the driver sends it again with the value pushed.
    /// </summary>
    public string?[]? ArgFrom { get; set; }
}

/// <summary>Job host -> node agent -> driver: how one run ended: its serialized value, or the error.</summary>
[MemoryPackable]
internal sealed partial class JobResultFrame : IFrame
{
    public long Key { get; set; }
    public byte[]? Value { get; set; }
    public ErrorInfo? Error { get; set; }

    /// <summary>
    /// Set by the node agent for a value too large for one engine message: the agent holds the bytes and the
    /// driver pulls them in chunks; <see cref="Value"/> is null then.
    /// </summary>
    public long HeldLength { get; set; }

    /// <summary>The run never started: an argument it was to find on a node (see <see cref="JobRunFrame.ArgFrom"/>) was not there.</summary>
    public bool ArgumentsMissing { get; set; }

    /// <summary>
    /// Null, or the objects of the job host's own that the value holds refs to (puts made on the node, results of
    /// tasks it ran there), with their values: the driver knows only its own objects, so it takes these over.
    /// </summary>
    public JobContainedValue[]? Contained { get; set; }
}

/// <summary>An object a run's value refers to, made on the node: its value or error, as a run's result.</summary>
[MemoryPackable]
internal sealed partial class JobContainedValue
{
    public ObjectId Id { get; set; }
    public byte[]? Value { get; set; }
    public ErrorInfo? Error { get; set; }

    /// <summary>Set by the node agent for a value too large for one engine message: it holds the bytes under this key.</summary>
    public long HeldKey { get; set; }

    /// <summary>The held value's length; 0 when <see cref="Value"/> or <see cref="Error"/> says it.</summary>
    public long HeldLength { get; set; }
}

/// <summary>Node agent -> job host: end an actor (Ray.Kill, or the driver dropped its last handle).</summary>
[MemoryPackable]
internal sealed partial class JobKillActorFrame : IFrame
{
    public long ActorKey { get; set; }
}

/// <summary>Job host -> node agent: what its runs hold now (CPU, GPU, custom), sent when it changes, so the node reports what is free.</summary>
[MemoryPackable]
internal sealed partial class JobUsageFrame : IFrame
{
    public System.Collections.Generic.Dictionary<string, double> Used { get; set; } = new();
}

/// <summary>
/// Job host -> node agent -> driver: a call of an actor the driver owns, made by code running on the node (it got the
/// actor's handle as an argument). The driver runs it as its own call of that actor and answers with a
/// <see cref="JobForwardResultFrame"/> under the same key.
/// </summary>
[MemoryPackable]
internal sealed partial class JobForwardFrame : IFrame
{
    /// <summary>The job host's key for this call.</summary>
    public long Key { get; set; }

    /// <summary>The driver's id of the actor (what its handle carries); 0 for a read of one of the driver's objects.</summary>
    public long ActorId { get; set; }

    /// <summary>For a read (<see cref="ActorId"/> 0): the id of the driver's object, whose ref reached code on the node.</summary>
    public ObjectId Object { get; set; }

    /// <summary>A read asked again after the node could not pull the object from the node that held it: the driver answers with the value.</summary>
    public bool ThroughDriver { get; set; }

    /// <summary>For a nested task spilled to the driver (<see cref="ActorId"/> 0): its options; null for a call or a read.</summary>
    public WireOptions? TaskOptions { get; set; }

    /// <summary>Ray.Kill of the actor <see cref="ActorId"/> from the node (no function, no arguments): 1 ends it, 2 lets it restart.</summary>
    public int Kill { get; set; }

    public string FunctionId { get; set; } = "";

    /// <summary>Serialized arguments, refs already replaced by their values.</summary>
    public byte[][] Args { get; set; } = System.Array.Empty<byte[]>();
}

/// <summary>Driver -> node agent -> job host: how a forwarded call ended.</summary>
[MemoryPackable]
internal sealed partial class JobForwardResultFrame : IFrame
{
    public long Key { get; set; }
    public byte[]? Value { get; set; }
    public ErrorInfo? Error { get; set; }

    /// <summary>
    /// For a read of an object another node holds for the driver: that node's silo address, where this node pulls it
    /// from under <see cref="HeldKey"/> (node to node), instead of the driver carrying it; null otherwise.
    /// </summary>
    public string? HeldFrom { get; set; }

    public long HeldKey { get; set; }

    public long HeldLength { get; set; }

    /// <summary>Set by the node when pulling from <see cref="HeldFrom"/> failed: the job host asks the driver again, for its copy.</summary>
    public bool PullFailed { get; set; }
}

/// <summary>Node agent -> job host: cancel a run (Ray.Cancel in the driver): its token is signalled; forced, its worker is killed.</summary>
[MemoryPackable]
internal sealed partial class JobCancelFrame : IFrame
{
    /// <summary>The driver's key of the run.</summary>
    public long Key { get; set; }

    public bool Force { get; set; }
}
