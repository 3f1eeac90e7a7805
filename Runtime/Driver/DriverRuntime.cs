using System;
using System.Collections.Generic;
using RayGen.Core;
using RayGen.Store;

namespace RayGen.Driver;

/// <summary>
/// The driver's runtime (and an in-process one): it owns every task, actor and object of its session through a
/// <see cref="TaskOwner"/>, and runs the work on the thread pool or in worker processes.
/// </summary>
internal sealed class DriverRuntime : RuntimeCore
{
    private readonly RuntimeContext _context;

    public DriverRuntime(RayOptions options, IClusterConnection? cluster = null) : base(options, OwnedObjects.Instance)
    {
        Cluster = cluster;
        var cpus = options.NumCpus ?? Environment.ProcessorCount;
        if (cpus < 0 || double.IsNaN(cpus)) throw new ArgumentException($"RayOptions.NumCpus must be non-negative, not {cpus}.");
        var dashboard = DashboardService.Validate(options); // before anything starts: a refused option leaves nothing behind
        // A driver that connects to a cluster starts a job there, keyed by its id on every node: never one it inherited
        // (a driver started from a task on a node has that job host's RAYGEN_JOB_ID in its environment).
        Owner = new TaskOwner(this, cluster is null ? cpus : null, newJob: cluster is not null);
        if (options.DashboardPort is not null) Owner.Observer.WorkerLogs = new Observability.WorkerLogs();
        Owner.Backend = cluster is not null ? cluster.CreateBackend(Owner) : options.Mode switch
        {
            RayMode.InProcess => new InProcessBackend(Owner),
            RayMode.Processes => new ProcessBackend(Owner, cpus),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Mode, "Unknown RayMode."),
        };
        Observability.RayTelemetry.Attach(Owner.Observer);
        State = new RuntimeState(this);
        _context = new RuntimeContext(Owner.Observer.NodeId, Owner.Observer.JobId, actorId: null);
        try
        {
            Dashboard = DashboardService.Start(this, dashboard);
        }
        catch
        {
            Observability.RayTelemetry.Detach(Owner.Observer);
            Owner.Shutdown();
            throw;
        }
    }

    /// <summary>The dashboard and metrics endpoints; null when neither port is set.</summary>
    public DashboardService? Dashboard { get; }

    /// <summary>The State API's rows, read from this runtime.</summary>
    public RuntimeState State { get; }

    public TaskOwner Owner { get; }

    /// <summary>The cluster this driver connected to; null for a local runtime.</summary>
    public IClusterConnection? Cluster { get; }

    /// <summary>Where this runtime's work executes.</summary>
    public IExecutionBackend Backend => Owner.Backend;

    public override SharedStore? Store => Owner.Backend.Store;

    /// <summary>The CPUs this runtime schedules.</summary>
    public double TotalCpus => Owner.Scheduler.Pool.TotalCpus;

    public override bool ResultsAreLocal => Options.Mode == RayMode.InProcess;

    public override ObjectEntry Put<T>(T value)
    {
        ThrowIfShutDown("put a value");
        var entry = Objects.NewEntry();
        var started = Observability.RayTelemetry.Source.HasListeners() ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;
        var stored = ObjectValues.Serialize(value, "Ray.Put", Store);
        entry.TrySetStored(stored);
        // A large value written into shared memory is a transfer worth a span; a small one is not.
        if (started != 0 && stored is SharedObject shared) TaskTracing.RecordTransfer("put", started, shared.Length, TaskObserver.IdText(entry.Id));
        return entry;
    }

    // Serialized as a put is: a large value goes straight into shared memory (one copy, no heap array), a small one
    // inline. A worker sends its arguments inline instead (WorkerRuntime.AddArgument).
    public override void AddArgument<T>(TaskSpec task, T value, string usage) => task.AddArg(ObjectValues.Serialize(value, usage, Store));

    public override ObjectEntry Submit(TaskSpec task) => Owner.Submit(task);

    public override void Cancel(ObjectEntry entry, bool force) => Owner.Cancel(entry, force);

    public override ActorAddress CreateActor(TaskSpec constructor, Type actorType) => Owner.Actors.Create(constructor, actorType);

    public override ActorAddress GetActor(string name, Type actorType) => Owner.Actors.GetByName(name, actorType);

    public override ActorAddress ActorById(long id, Type actorType) => Owner.Actors.GetById(id, actorType);

    public override void KillActor(ActorAddress actor, bool noRestart) => Owner.Actors.Kill((ActorRecord)actor, noRestart);

    public override PlacementGroup CreatePlacementGroup(IReadOnlyList<Bundle> bundles, PlacementStrategy strategy)
    {
        ThrowIfShutDown("create a placement group");
        return Owner.PlacementGroups.Create(bundles, strategy);
    }

    public override void RemovePlacementGroup(PlacementGroup group) => Owner.PlacementGroups.Remove(group.Number);

    public override PlacementGroup PlacementGroupById(long id, IReadOnlyList<Bundle> bundles, PlacementStrategy strategy) =>
        Owner.PlacementGroups.Find(id) ?? throw new ObjectLostException($"Placement group {id:x16} is not known to this runtime.");

    protected override bool BlockUntil(Func<TimeSpan, bool> wait, TimeSpan timeout) => Owner.BlockUntil(wait, timeout);

    internal override void FlushPendingSends() => Owner.Backend.FlushPendingSends();

    protected override void OnShutdown()
    {
        Dashboard?.Dispose();
        Observability.RayTelemetry.Detach(Owner.Observer);
        try
        {
            Owner.Shutdown();
        }
        finally
        {
            Cluster?.Dispose();
        }
    }

    /// <summary>A cluster node's job host: the cluster as its node sees it (null elsewhere).</summary>
    internal IClusterView? NodeView { get; set; }

    private IClusterView? View => Cluster ?? NodeView;

    public override IReadOnlyList<NodeInfo> Nodes() =>
        // Locally this machine is the one node, with the id the State API's rows name it by.
        View?.Nodes() ?? State.Nodes();

    public override IReadOnlyDictionary<string, double> ClusterResources() => View?.ClusterResources() ?? Owner.Scheduler.Resources(free: false);

    public override IReadOnlyDictionary<string, double> AvailableResources() => View?.AvailableResources() ?? Owner.Scheduler.Resources(free: true);

    /// <inheritdoc />
    public override RuntimeContext CurrentContext()
    {
        // Code that runs here (RayMode.InProcess) knows its task; the driver's own threads have none.
        if (TaskContext.Current is not { } task) return _context;
        var actor = task.OwnedActor ?? task.CreatesActor;
        return actor is null ? _context : actor.RuntimeContext ??= _context.ForActor(actor.ContextActorId);
    }

    /// <inheritdoc />
    public override IStreamReader OpenStream(ObjectEntry stream) => (IStreamReader?)Owner.Streams.Find(stream.Id) ?? EndedStream.Instance;
}
