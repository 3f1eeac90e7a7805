using System.Collections.Generic;
using MemoryPack;

namespace RayGen.Protocol;

/// <summary>One control message between the driver and a worker. Each travels as [int32 length][MemoryPack union].</summary>
[MemoryPackable]
[MemoryPackUnion(0, typeof(HelloFrame))]
[MemoryPackUnion(1, typeof(LoadAssembliesFrame))]
[MemoryPackUnion(2, typeof(RunFrame))]
[MemoryPackUnion(3, typeof(RunResultFrame))]
[MemoryPackUnion(4, typeof(CancelRunFrame))]
[MemoryPackUnion(5, typeof(SubmitFrame))]
[MemoryPackUnion(6, typeof(PutFrame))]
[MemoryPackUnion(7, typeof(SubscribeFrame))]
[MemoryPackUnion(8, typeof(ObjectValueFrame))]
[MemoryPackUnion(9, typeof(BlockedFrame))]
[MemoryPackUnion(10, typeof(CancelObjectFrame))]
[MemoryPackUnion(11, typeof(CreateActorFrame))]
[MemoryPackUnion(12, typeof(ActorLookupFrame))]
[MemoryPackUnion(13, typeof(KillActorFrame))]
[MemoryPackUnion(14, typeof(ActorReplyFrame))]
[MemoryPackUnion(15, typeof(ReleaseFrame))]
[MemoryPackUnion(16, typeof(EscapeFrame))]
[MemoryPackUnion(17, typeof(CollectFrame))]
[MemoryPackUnion(18, typeof(CollectedFrame))]
[MemoryPackUnion(19, typeof(ClusterInfoFrame))]
[MemoryPackUnion(20, typeof(ClusterInfoReplyFrame))]
[MemoryPackUnion(50, typeof(CreatePlacementGroupFrame))]
[MemoryPackUnion(51, typeof(RemovePlacementGroupFrame))]
[MemoryPackUnion(52, typeof(PlacementGroupReadyFrame))]
[MemoryPackUnion(40, typeof(StreamItemFrame))]
[MemoryPackUnion(41, typeof(StreamAckFrame))]
[MemoryPackUnion(42, typeof(StreamNextFrame))]
[MemoryPackUnion(43, typeof(StreamNextReplyFrame))]
[MemoryPackUnion(70, typeof(LogFrame))]
[MemoryPackUnion(60, typeof(QueuedRunFrame))]
[MemoryPackUnion(61, typeof(ReturnedRunsFrame))]
[MemoryPackUnion(62, typeof(FileFreedFrame))]
[MemoryPackUnion(63, typeof(LentFilesSettledFrame))]
[MemoryPackUnion(64, typeof(ReclaimFilesFrame))]
[MemoryPackUnion(80, typeof(JobRunFrame))]
[MemoryPackUnion(81, typeof(JobResultFrame))]
[MemoryPackUnion(82, typeof(JobKillActorFrame))]
[MemoryPackUnion(83, typeof(JobUsageFrame))]
[MemoryPackUnion(84, typeof(JobForwardFrame))]
[MemoryPackUnion(85, typeof(JobForwardResultFrame))]
[MemoryPackUnion(86, typeof(JobCancelFrame))]
internal partial interface IFrame
{
}

/// <summary>Worker -> driver, first frame: proves the worker belongs to this session.</summary>
[MemoryPackable]
internal sealed partial class HelloFrame : IFrame
{
    public string Token { get; set; } = "";
    public int WorkerId { get; set; }
    public int Pid { get; set; }
}

/// <summary>Driver -> worker: assemblies that register remote functions; the worker loads them and runs their module initializers.</summary>
[MemoryPackable]
internal sealed partial class LoadAssembliesFrame : IFrame
{
    public string[] Paths { get; set; } = System.Array.Empty<string>();
}

internal enum RunKind : byte
{
    Task,
    ActorConstructor,
    ActorCall,
}

/// <summary>Driver -> worker: run one task, actor constructor or actor call with resolved argument bytes.</summary>
[MemoryPackable]
internal sealed partial class RunFrame : IFrame
{
    public long RunId { get; set; }
    public RunKind Kind { get; set; }
    public string FunctionId { get; set; } = "";
    public Payload[] Args { get; set; } = System.Array.Empty<Payload>();

    /// <summary>For an actor's constructor: how many of its calls may run at once (the worker queues the rest in order).</summary>
    public int MaxConcurrency { get; set; }

    /// <summary>
    /// For an actor's constructor: the actor's id, as the State API writes it, which <c>Ray.RuntimeContext</c> gives in
    /// the worker from then on (a worker hosts one actor); null otherwise, which costs a task's frame 4 bytes.
    /// </summary>
    public string? ActorId { get; set; }

    /// <summary>The W3C traceparent of the run's execution span (made in the driver); null when nobody traces.</summary>
    public string? TraceParent { get; set; }

    /// <summary>Worker only, not sent: when the run started executing (Stopwatch), reported back with its result.</summary>
    [MemoryPackIgnore]
    public long ExecutionStartedAt { get; set; }
}

/// <summary>Worker -> driver: how one run ended.</summary>
[MemoryPackable]
internal sealed partial class RunResultFrame : IFrame
{
    public long RunId { get; set; }
    public Payload Value { get; set; }
    public ErrorInfo? Error { get; set; }

    /// <summary>The code ended with an OperationCanceledException (the driver maps it back for cancellation).</summary>
    public bool Canceled { get; set; }

    /// <summary>The refs serialized into the value: the driver's copy of the value holds them (Ray's containment).</summary>
    public ObjectId[]? Contained { get; set; }

    /// <summary>When the run started and stopped executing in the worker (Stopwatch: one monotonic clock per machine).</summary>
    public long StartedAt { get; set; }

    /// <inheritdoc cref="StartedAt"/>
    public long EndedAt { get; set; }
}

/// <summary>Driver -> worker: signal the run's cancellation token.</summary>
[MemoryPackable]
internal sealed partial class CancelRunFrame : IFrame
{
    public long RunId { get; set; }
}

/// <summary>One argument of a nested submission: bytes, or the id of a ref resolved by the driver.</summary>
[MemoryPackable]
internal partial struct WireArg
{
    public byte[]? Inline { get; set; }
    public ObjectId Ref { get; set; }

    /// <summary>The refs serialized into <see cref="Inline"/>: the driver's task holds them with the argument.</summary>
    public ObjectId[]? Contained { get; set; }
}

/// <summary>The options of a nested submission, merged as the worker's stub merged them.</summary>
[MemoryPackable]
internal sealed partial class WireOptions
{
    public double? NumCpus { get; set; }
    public double? NumGpus { get; set; }
    public Dictionary<string, double>? Resources { get; set; }
    public int? MaxRetries { get; set; }
    public bool? RetryExceptions { get; set; }
    public string? Name { get; set; }
    public int? MaxRestarts { get; set; }
    public int? MaxTaskRetries { get; set; }
    public int? MaxConcurrency { get; set; }
    public ActorLifetime? Lifetime { get; set; }

    public static WireOptions From(RemoteOptions o) => new()
    {
        Name = o.Name,
        MaxRestarts = o.MaxRestarts,
        MaxTaskRetries = o.MaxTaskRetries,
        MaxConcurrency = o.MaxConcurrency,
        Lifetime = o.Lifetime,
        NumCpus = o.NumCpus,
        NumGpus = o.NumGpus,
        Resources = o.Resources is null ? null : new Dictionary<string, double>(o.Resources),
        MaxRetries = o.MaxRetries,
        RetryExceptions = o.RetryExceptions,
        Strategy = WireStrategy.From(o.SchedulingStrategy),
    };

    public RemoteOptions ToOptions() => new()
    {
        Name = Name,
        MaxRestarts = MaxRestarts,
        MaxTaskRetries = MaxTaskRetries,
        MaxConcurrency = MaxConcurrency,
        Lifetime = Lifetime,
        NumCpus = NumCpus,
        NumGpus = NumGpus,
        Resources = Resources,
        MaxRetries = MaxRetries,
        RetryExceptions = RetryExceptions,
        SchedulingStrategy = Strategy?.ToStrategy(),
    };
}

/// <summary>Worker -> driver: a task submitted by code running in the worker; the driver owns it from here.</summary>
[MemoryPackable]
internal sealed partial class SubmitFrame : IFrame
{
    public ObjectId ResultId { get; set; }
    public string FunctionId { get; set; } = "";
    public WireOptions Options { get; set; } = new();
    public WireArg[] Args { get; set; } = System.Array.Empty<WireArg>();

    /// <summary>For an actor call: the driver's id of the actor; 0 for a task.</summary>
    public long ActorId { get; set; }

    /// <summary>The W3C traceparent of the code that submitted it (the worker's run), so its spans nest; null when nobody traces.</summary>
    public string? TraceParent { get; set; }
}

/// <summary>Worker -> driver: Ray.Put in a worker; the driver stores the value under the worker-minted id.</summary>
[MemoryPackable]
internal sealed partial class PutFrame : IFrame
{
    public ObjectId Id { get; set; }
    public Payload Value { get; set; }

    /// <summary>Non-zero for a value in shared memory: the driver answers (ActorReplyFrame, Error set when the store is full).</summary>
    public long RequestId { get; set; }

    /// <summary>The refs serialized into the value: the driver's copy of the value holds them (Ray's containment).</summary>
    public ObjectId[]? Contained { get; set; }

    /// <summary>
    /// A large value written into a file the driver lent this worker (FileFreedFrame) and still charges, of no more
    /// bytes than that charge: the driver moves the charge to this value, so the put needs no answer (RequestId 0).
    /// </summary>
    public string? TakesOver { get; set; }
}

/// <summary>Worker -> driver: send me this object's value (or error) once it is ready.</summary>
[MemoryPackable]
internal sealed partial class SubscribeFrame : IFrame
{
    public ObjectId Id { get; set; }
}

/// <summary>Driver -> worker: an object the worker waits for is ready.</summary>
[MemoryPackable]
internal sealed partial class ObjectValueFrame : IFrame
{
    public ObjectId Id { get; set; }
    public Payload Value { get; set; }
    public ErrorInfo? Error { get; set; }
}

/// <summary>Worker -> driver: the run blocked in Get/Wait (lend its resources) or resumed (take them back).</summary>
[MemoryPackable]
internal sealed partial class BlockedFrame : IFrame
{
    public long RunId { get; set; }
    public bool Blocked { get; set; }
}

/// <summary>Worker -> driver: Ray.Cancel of a ref, made in a worker.</summary>
[MemoryPackable]
internal sealed partial class CancelObjectFrame : IFrame
{
    public ObjectId Id { get; set; }
    public bool Force { get; set; }
}

/// <summary>Worker -> driver: create an actor (the worker waits for the reply: a name in use must throw at once).</summary>
[MemoryPackable]
internal sealed partial class CreateActorFrame : IFrame
{
    public long RequestId { get; set; }
    public ObjectId ResultId { get; set; }
    public string FunctionId { get; set; } = "";
    public string TypeName { get; set; } = "";
    public WireOptions Options { get; set; } = new();
    public WireArg[] Args { get; set; } = System.Array.Empty<WireArg>();
}

/// <summary>Worker -> driver: Ray.GetActor by name.</summary>
[MemoryPackable]
internal sealed partial class ActorLookupFrame : IFrame
{
    public long RequestId { get; set; }
    public string Name { get; set; } = "";
    public string TypeName { get; set; } = "";
}

/// <summary>Worker -> driver: Ray.Kill of an actor.</summary>
[MemoryPackable]
internal sealed partial class KillActorFrame : IFrame
{
    public long ActorId { get; set; }
    public bool NoRestart { get; set; }
}

/// <summary>Driver -> worker: the answer to a create or lookup: the actor's id and options, or why not.</summary>
[MemoryPackable]
internal sealed partial class ActorReplyFrame : IFrame
{
    public long RequestId { get; set; }
    public long ActorId { get; set; }
    public WireOptions? Options { get; set; }
    public string? Error { get; set; }
}
