using System;
using System.Collections.Generic;
using RayGen.Core;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.InWorker;

/// <summary>
/// A worker process's runtime: it owns nothing. Every submit, put, cancel and actor operation goes to the driver
/// through the <see cref="DriverLink"/>, objects are borrowed from it, and a blocked Get tells it so that the
/// run's resources are lent out meanwhile (as Ray's core worker does in a worker).
/// </summary>
internal sealed class WorkerRuntime : RuntimeCore
{
    private readonly DriverLink _link;

    private readonly SharedStore _store;

    // The driver's node and job, from the environment it started this process with; the actor's id once one is built here.
    private volatile RuntimeContext _context = new(
        WorkerEnvironment.Read(WorkerEnvironment.NodeIdVariable) ?? "", WorkerEnvironment.Read(WorkerEnvironment.JobIdVariable) ?? "", actorId: null);

    public WorkerRuntime(RayOptions options, DriverLink link, SharedStore store) : base(options, link)
    {
        _link = link;
        _store = store;
        link.Objects = Objects;
    }

    public override SharedStore? Store => _store;

    public override bool ResultsAreLocal => false;

    public override ObjectEntry Put<T>(T value)
    {
        ThrowIfShutDown("put a value");
        var entry = Objects.NewEntry();
        entry.TrySetStored(ObjectValues.Serialize(value, "Ray.Put", _store));
        _link.Put(entry);
        return entry;
    }

    // The driver owns the argument: it goes there inline, with the refs it holds (a nested submission's WireArg).
    public override void AddArgument<T>(TaskSpec task, T value, string usage) => task.AddArg(ObjectValues.SerializeInline(value, usage));

    public override ObjectEntry Submit(TaskSpec task)
    {
        ThrowIfShutDown(task.Function.CallAction);
        return _link.Submit(task);
    }

    public override void Cancel(ObjectEntry entry, bool force) => _link.Cancel(entry, force);

    public override ActorAddress CreateActor(TaskSpec constructor, Type actorType) => _link.CreateActor(constructor, actorType);

    public override ActorAddress GetActor(string name, Type actorType) => _link.LookupActor(name, actorType);

    public override ActorAddress ActorById(long id, Type actorType) => _link.ActorById(id, actorType);

    public override void KillActor(ActorAddress actor, bool noRestart) => _link.KillActor(actor, noRestart);

    public override PlacementGroup CreatePlacementGroup(IReadOnlyList<Bundle> bundles, PlacementStrategy strategy)
    {
        ThrowIfShutDown("create a placement group");
        return _link.CreatePlacementGroup(bundles, strategy);
    }

    public override void RemovePlacementGroup(PlacementGroup group) => _link.RemovePlacementGroup(group);

    public override PlacementGroup PlacementGroupById(long id, IReadOnlyList<Bundle> bundles, PlacementStrategy strategy) =>
        _link.PlacementGroupById(id, bundles, strategy);

    protected override bool BlockUntil(Func<TimeSpan, bool> wait, TimeSpan timeout) => _link.BlockUntil(wait, timeout);

    internal override void FlushPendingSends() => _link.Deferral.FlushAll();

    public override IStreamReader OpenStream(ObjectEntry stream) => _link.Streams.OpenReader(stream.Id);

    public override IStreamSink OpenStreamSink(long runId) => _link.Streams.OpenSink(runId);

    // Asked of the driver (or, on a cluster node, the job host, which asks its node): a worker knows no cluster itself.
    public override IReadOnlyList<NodeInfo> Nodes() => ClusterInfo.Nodes(AskCluster(ClusterInfoKind.Nodes, "list the nodes"));

    public override IReadOnlyDictionary<string, double> ClusterResources() =>
        ClusterInfo.Resources(AskCluster(ClusterInfoKind.ClusterResources, "read the cluster's resources"));

    public override IReadOnlyDictionary<string, double> AvailableResources() =>
        ClusterInfo.Resources(AskCluster(ClusterInfoKind.AvailableResources, "read the available resources"));

    private ClusterInfoReplyFrame AskCluster(ClusterInfoKind kind, string action)
    {
        ThrowIfShutDown(action);
        return _link.AskCluster(kind);
    }

    /// <inheritdoc />
    // A worker hosts at most one actor and runs nothing else: all its code is that actor's.
    public override RuntimeContext CurrentContext() => _context;

    /// <summary>This worker builds the actor <paramref name="actorId"/>: from now on its code runs in that actor.</summary>
    public void HostActor(string actorId) => _context = _context.ForActor(actorId);

    protected override void OnShutdown()
    {
        Objects.Clear();
        _store.Dispose();
    }
}
