using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MemoryPack;
using RayGen.Cluster.Nodes;
using RayGen.Cluster.Scheduling;
using RayGen.Cluster.Security;
using RayGen.Core;
using RayGen.Internal;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.Cluster.Driver;

/// <summary>
/// A connected driver's execution backend: every task and actor runs on a node of the cluster. The driver still
/// owns them (dependencies, results, actor mailboxes stay here, as Ray's owner); this backend picks a node by
/// per-node resources and the scheduling strategy, hands the run to that node's job host, and completes it when
/// the node reports back.
/// </summary>
/// <remarks>
/// The driver's own scheduler runs with an unbounded pool, so it hands every ready task straight here; the real
/// accounting is per node, in <see cref="NodeLedger"/>. A run no node can take now waits in this backend's queue
/// and is placed again when a run finishes or the node list changes (a node joined).
/// </remarks>
internal sealed partial class ClusterBackend : IExecutionBackend, IActorNames
{
    private static readonly TimeSpan RefreshPeriod = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan EndTimeout = TimeSpan.FromSeconds(10);

    private readonly TaskOwner _owner;
    private readonly ClusterClient _client;
    private readonly AppShipment _app;
    private readonly string _jobId;
    // Orleans holds an observer weakly: without this field the driver's ear is collected and results are dropped.
    private readonly JobObserver _observer;
    private readonly IJobObserver _observerReference;
    private readonly object _lock = new();
    private readonly NodeLedger _ledger = new();
    private readonly NodeChooser _chooser = new();
    // Per node and per job whose host it reaches (this driver's own, or another driver's for an actor found by name).
    private readonly Dictionary<(string Node, string Job), NodeLink> _links = new();
    private readonly LinkedList<Run> _waiting = new();
    private readonly ConcurrentDictionary<long, Run> _inFlight = new();
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);
    private readonly Timer _refresh;
    private IReadOnlyList<NodeView> _nodes = Array.Empty<NodeView>();

    // Node id -> its silo address, which its agent grain is keyed by.
    private readonly Dictionary<string, string> _silos = new(StringComparer.Ordinal);
    // Keys name runs, actors and pushed values on the nodes, where other drivers' calls of this driver's actors meet
    // this driver's own: starting at a random point of a 62-bit space keeps every driver's keys apart.
    private long _nextKey = System.Security.Cryptography.RandomNumberGenerator.GetInt32(1, int.MaxValue) * (1L << 30);
    private int _ticks;

    // Every few refresh periods: well inside the node's lease (JobTable.JobLease), so a slow tick or two is no harm.
    private const int KeepAliveTicks = 3;
    private volatile bool _disposed;

    public ClusterBackend(TaskOwner owner, ClusterClient client)
    {
        _owner = owner;
        _client = client;
        // The runtime's own job id: the driver's Ray.RuntimeContext.JobId is then the one its tasks on the nodes report.
        _jobId = owner.Observer.JobId;
        _app = AppShipment.OfThisApplication();
        UpdateNodes(ReadNodes());
        _observer = new JobObserver(this);
        _observerReference = client.Client.CreateObjectReference<IJobObserver>(_observer);
        _refresh = new Timer(_ => Refresh(), null, RefreshPeriod, RefreshPeriod);
        Last = this;
    }

    private long _pushedBytes;

    /// <summary>Bytes of arguments this driver pushed to nodes (tests: a value that went node to node adds nothing).</summary>
    internal long PushedBytes => Interlocked.Read(ref _pushedBytes);

    /// <summary>Tests only: the backend made last, whose runs <see cref="Describe"/> lists.</summary>
    internal static ClusterBackend? Last { get; private set; }

    /// <summary>Set RAYGEN_CLUSTER_TRACE=1 to keep each run's history (placements, sends, results) for <see cref="Describe"/>.</summary>
    internal static readonly bool Tracing = Environment.GetEnvironmentVariable("RAYGEN_CLUSTER_TRACE") == "1";

    /// <summary>What waits and what is in flight, with each run's history when tracing: what a stuck ref's task is doing.</summary>
    internal string Describe()
    {
        List<Run> waiting;
        lock (_lock) waiting = _waiting.ToList();
        var text = new System.Text.StringBuilder();
        text.AppendLine($"{waiting.Count} waiting, {_inFlight.Count} in flight, {_pulling.Count} being pulled");
        foreach (var run in waiting.Concat(_inFlight.Values).Take(20))
            text.AppendLine($"  {run.Kind} {run.Task.Function.DisplayName} key {run.Key} node {run.Node?.NodeId ?? "-"}: {string.Join(" | ", run.History ?? [])}");
        return text.ToString();
    }

    /// <summary>The id nodes know this driver's job by.</summary>
    public string JobId => _jobId;

    public SharedStore? Store => null;

    // Calls go to the node as they come; the job host's actor mailbox keeps their order.
    public bool PipelinesActorCalls => true;

    public void FlushPendingSends()
    {
    }

    public void Execute(TaskSpec task)
    {
        // An argument held only by a node that died is made again first (lineage), before the task holds any resources.
        if (LostArguments(task) is { } lost)
        {
            _ = ExecuteWhenMadeAgainAsync(task, lost);
            return;
        }

        Place(new Run(task, RunKind.Task, actor: null, task.ResolveArguments()) { Sources = SourcesOf(task) });
    }

    // Large results this driver pulled that their node still holds (kept for the tasks that take them as arguments),
    // by the entry that has the value: the entry's collection drops the node's copy (HeldCopy's finalizer).
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ObjectEntry, HeldCopy> _heldCopies = new();

    /// <summary>
    /// How many bytes of results a node keeps for this driver after the driver pulled them: past it the oldest copies
    /// there are dropped (the driver's own copy serves their consumers); the newest is kept whatever its size. A node that kept every large result until the
    /// driver let go of it filled its memory with fresh arrays (measured: the node-to-driver transfer fell by a third).
    /// </summary>
    private const long KeptBytesPerNode = 256L * 1024 * 1024;

    // Per node, the copies it keeps, oldest first, with the bytes of those not yet dropped or collected.
    private readonly Dictionary<string, (Queue<WeakReference<HeldCopy>> Copies, long Bytes)> _kept = new(StringComparer.Ordinal);

    private void Keep(HeldCopy copy)
    {
        List<HeldCopy>? drop = null;
        lock (_kept)
        {
            var (copies, bytes) = _kept.TryGetValue(copy.Link.NodeId, out var node) ? node : (new Queue<WeakReference<HeldCopy>>(), 0L);
            copies.Enqueue(new WeakReference<HeldCopy>(copy));
            bytes += copy.Length;
            // The newest copy stays whatever its size (it is the likeliest to be taken next); older ones go first.
            while (bytes > KeptBytesPerNode && copies.Count > 1 && copies.TryDequeue(out var oldest))
            {
                // A collected copy was dropped by its finalizer; its bytes are counted out here, as a dropped one's.
                if (oldest.TryGetTarget(out var target))
                {
                    bytes -= target.Length;
                    if (!target.Gone && !target.Dropped) (drop ??= new()).Add(target);
                }
                else
                {
                    bytes = copies.Sum(w => w.TryGetTarget(out var live) ? live.Length : 0); // recount: the lost one's size is unknown
                }
            }

            _kept[copy.Link.NodeId] = (copies, bytes);
        }

        foreach (var old in drop ?? []) _ = EvictAsync(old);
    }

    /// <summary>Per argument of <paramref name="task"/>, the node that holds its value as well (null when none does, or none of them).</summary>
    private HeldCopy?[]? SourcesOf(TaskSpec task)
    {
        HeldCopy?[]? sources = null;
        for (var i = 0; i < task.ArgCount; i++)
        {
            if (task.Args[i].Ref is { } entry && _heldCopies.TryGetValue(entry, out var copy) && !copy.Link.Ended && !copy.Dropped)
                (sources ??= new HeldCopy?[task.ArgCount])[i] = copy;
        }

        return sources;
    }

    /// <summary>
    /// A large result that the node which made it keeps after the driver pulled it: a task there uses it in place, a
    /// task on another node pulls it from there, node to node, instead of the driver pushing its copy. It goes from
    /// the node when the driver's entry for it is collected (nothing in the driver can name it any more).
    /// </summary>
    internal sealed class HeldCopy(ClusterBackend backend, NodeLink link, long key, long length)
    {
        public NodeLink Link { get; } = link;
        public long Key { get; } = key;
        public long Length { get; } = length;

        /// <summary>The driver's value this copy is of: until it is pulled here, this copy is the only one.</summary>
        public RemoteValue? Value { get; set; }

        /// <summary>Dropped from its node to keep the node's share under <see cref="KeptBytesPerNode"/>: the driver's copy (pulled first) serves.</summary>
        public volatile bool Dropped;

        /// <summary>Set when this copy is collected, so the node's tally forgets it.</summary>
        public volatile bool Gone;

        ~HeldCopy()
        {
            Gone = true;
            backend._keptKeys.TryRemove(Key, out _);
            if (Dropped || backend._disposed || Link.Ended) return;
            try
            {
                _ = Link.Drop(Key).ContinueWith(static _ => { }, TaskScheduler.Default);
            }
            catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
            {
                // The client is closing: the node forgets the job's values when the job ends.
            }
        }
    }

    public void StartActor(ActorRecord actor, TaskSpec constructor, ReadOnlyMemory<byte>[] arguments)
    {
        // Another driver's actor "restarts" here by finding where its owner restarted it.
        if (actor.IsAdopted) _ = FollowAsync(actor);
        else Place(new Run(constructor, RunKind.ActorConstructor, actor, arguments));
    }

    // Adopted actors whose node died: where they were, so the new place is told from the old one.
    private readonly ConcurrentDictionary<ActorRecord, (string Node, long Key)> _lostAdopted = new();

    /// <summary>How long a handle of another driver's actor waits for that driver to restart it after its node died.</summary>
    private static readonly TimeSpan FollowTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Another driver's actor died with its node: that driver restarts it (within its MaxRestarts) and publishes the new
    /// place under the name, which this handle then uses; calls made meanwhile wait in its mailbox. A name that goes
    /// away, or stays on the dead place past <see cref="FollowTimeout"/>, ends the handle with <see cref="ActorDiedException"/>.
    /// </summary>
    private async Task FollowAsync(ActorRecord actor)
    {
        _lostAdopted.TryRemove(actor, out var lost);
        var deadline = DateTime.UtcNow + FollowTimeout;
        while (DateTime.UtcNow < deadline && !_disposed && _headLost is null && actor.Name is { } name)
        {
            NamedActor? entry;
            try
            {
                entry = await Names.Lookup(Namespace, name).WaitAsync(ClusterClient.CallTimeout);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                entry = null;
                await Task.Delay(FollowPause);
                continue;
            }

            if (entry is null) break; // its driver let it go (out of restarts, killed, or ended)
            bool elsewhere;
            lock (_lock) elsewhere = entry is { NodeId: { } node, SiloAddress: not null } && (node != lost.Node || entry.ActorKey != lost.Key) && !_deadNodes.Contains(node);
            if (elsewhere)
            {
                NodeLink link;
                lock (_lock)
                {
                    _silos[entry.NodeId!] = entry.SiloAddress!;
                    link = LinkLocked(entry.NodeId!, entry.JobId);
                }

                var placement = new Placement(link, entry.ActorKey) { Detached = entry.Detached, OwnerJob = entry.JobId };
                actor.BackendHandle = placement;
                _placedActors[actor] = placement;
                actor.OnConstructed(null);
                // Killed while it was being followed: OnConstructed left it dead, and the instance must go as Ray.Kill says.
                if (actor.Status == ActorStatus.Dead) StopActor(actor);
                return;
            }

            await Task.Delay(FollowPause);
        }

        actor.OnConstructed(new ResultNotStoredException(ErrorInfo.Of(ErrorKind.ActorDied,
            $"The actor {actor.DisplayName} died with its node, and the driver that made it did not restart it elsewhere.")));
    }

    private static readonly TimeSpan FollowPause = TimeSpan.FromMilliseconds(250);

    public void ExecuteActorCall(ActorRecord actor, TaskSpec call)
    {
        if (actor.BackendHandle is not Placement placement)
        {
            actor.OnCallCompleted(call, null, new ResultNotStoredException(ErrorInfo.Of(ErrorKind.ActorDied, $"The actor {actor.DisplayName} has no node.")));
            return;
        }

        var run = new Run(call, RunKind.ActorCall, actor, call.ResolveArguments()) { Node = placement.Node, ActorKey = placement.Key };
        Send(run);
    }

    public void StopActor(ActorRecord actor)
    {
        _lostAdopted.TryRemove(actor, out _);
        if (actor.BackendHandle is not Placement placement) return;
        actor.BackendHandle = null;
        _placedActors.TryRemove(actor, out _);
        lock (_lock)
        {
            if (placement.HeldRequest is { } held) _ledger.Give(placement.Node.NodeId, held);
        }

        // This driver ending leaves a detached actor, and another driver's actor, alone; Ray.Kill ends either.
        var kill = !_owner.IsShutDown || (!placement.Detached && !actor.IsAdopted);
        if (kill) _ = placement.Node.KillActor(placement.Key).ContinueWith(static _ => { }, TaskScheduler.Default);
        // Dead for good while this driver runs (killed, or out of restarts): the name is free now, whichever driver made
        // the actor. A restarting actor keeps it and publishes its new place once built.
        if (!_owner.IsShutDown && actor.Status == ActorStatus.Dead && actor.Name is { } name) ReleaseName(name, placement.OwnerJob ?? _jobId);
        PlaceWaiting();
    }

    // The owner has failed the ref already; the node kills the worker that runs it (a queued run is dropped there).
    public void ForceStop(TaskSpec task) => CancelRuns(task, force: true);

    // Ray.Cancel: the node signals the token where the run is. Looked up only on a cancel, which is rare.
    public void Cancel(TaskSpec task) => CancelRuns(task, force: false);

    private void CancelRuns(TaskSpec task, bool force)
    {
        foreach (var run in _inFlight.Values)
        {
            if (run.Task == task) CancelRun(run, force);
        }
    }

    private static void CancelRun(Run run, bool force)
    {
        if (run.Node is { } node) _ = node.CancelRun(run.Key, force).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    private void Place(Run run)
    {
        if (_headLost is { } gone)
        {
            Fail(run, ErrorInfo.Of(ErrorKind.Runtime, gone));
            return;
        }

        Outcome outcome;
        lock (_lock)
        {
            outcome = TryPlaceLocked(run);
            if (outcome == Outcome.Waiting) _waiting.AddLast(run);
        }

        if (Tracing) run.Trace($"place: {outcome}");

        if (outcome == Outcome.Placed) Send(run);
    }

    private enum Outcome { Placed, Waiting, Failed }

    /// <summary>The node that holds the most of the run's argument bytes, which Default prefers (argument locality); null: none.</summary>
    private static string? Holder(Run run)
    {
        if (run.Sources is not { } sources) return null;
        string? best = null;
        long most = 0;
        foreach (var source in sources)
        {
            if (source is null || source.Length <= most) continue;
            most = source.Length;
            best = source.Link.NodeId;
        }

        return best;
    }

    private Outcome TryPlaceLocked(Run run)
    {
        var task = run.Task;
        if (task.CancelRequested && run.Kind == RunKind.Task)
        {
            // Cancelled while it waited for a node: the owner finishes it as cancelled.
            Fail(run, ErrorInfo.Of(ErrorKind.Cancelled, $"{task.Function.DisplayName} was cancelled before it reached a node."));
            return Outcome.Failed;
        }

        var choice = _chooser.Choose(ViewsLocked(task), _ledger, task.Request, task.Options.SchedulingStrategy, Holder(run));
        switch (choice)
        {
            case NodeChoice.Chosen chosen:
                _ledger.Take(chosen.NodeId, task.Request);
                run.Node = LinkLocked(chosen.NodeId, _jobId);
                run.Held = task.Request;
                return Outcome.Placed;
            case NodeChoice.Fail failed:
                // Pinned to a node the cluster declared dead: the node died, as far as this task is concerned.
                var dead = task.Options.SchedulingStrategy is NodeAffinitySchedulingStrategy affinity && _deadNodes.Contains(affinity.NodeId);
                Fail(run, dead ? NodeDied(((NodeAffinitySchedulingStrategy)task.Options.SchedulingStrategy!).NodeId, $"{task.Function.DisplayName}: {failed.Reason}")
                    : ErrorInfo.Of(ErrorKind.Runtime, failed.Reason));
                return Outcome.Failed;
            case NodeChoice.Wait waiting:
                if (waiting.Infeasible && _warned.Add(task.Request.ToString()))
                    _owner.WarningSink($"{task.Function.DisplayName} waits: {waiting.Reason}");
                else if (run.Kind == RunKind.Task && QueueBehindLocked(task) is { } queued)
                {
                    // Every node that could run it is busy: queued on one that can, so many small tasks travel in batches
                    // and a node never idles waiting for the driver between them (its job host starts each as CPUs free).
                    _queued[queued] = _queued.GetValueOrDefault(queued) + 1;
                    run.QueuedOn = queued;
                    run.Node = LinkLocked(queued, _jobId);
                    return Outcome.Placed;
                }

                return Outcome.Waiting;
            default:
                throw new InvalidOperationException($"Unknown choice {choice}.");
        }
    }

    /// <summary>Tasks sent to a node beyond its free resources, per CPU it has: the depth of its queue in its job host.</summary>
    private const int QueuedPerCpu = 32;

    // Per node: the tasks this driver queued there beyond the ledger (run.QueuedOn), not yet finished.
    private readonly Dictionary<string, int> _queued = new(StringComparer.Ordinal);

    /// <summary>
    /// The node to queue a task on when none has room now: one that could run it (by its totals, and by a hard
    /// affinity), whose queue from this driver is the shortest for its CPUs and not full; null: it waits here.
    /// </summary>
    private string? QueueBehindLocked(TaskSpec task)
    {
        var pinned = task.Options.SchedulingStrategy as NodeAffinitySchedulingStrategy is { Soft: false } hard ? hard.NodeId : null;
        string? best = null;
        var bestLoad = double.MaxValue;
        foreach (var node in ViewsLocked(task))
        {
            if (!node.IsAlive || (pinned is not null && node.NodeId != pinned) || ResourceAmounts.ShortOfTotal(node, task.Request) is not null) continue;
            var cpus = Math.Max(1, node.Total.GetValueOrDefault(ResourceAmounts.Cpu));
            var queued = _queued.GetValueOrDefault(node.NodeId);
            if (queued >= QueuedPerCpu * cpus) continue;
            var load = queued / cpus;
            if (load < bestLoad)
            {
                best = node.NodeId;
                bestLoad = load;
            }
        }

        return best;
    }

    // Nodes a send or a pull just failed on: left out of placement for a while, since the cluster may be about to
    // declare them dead (and a task pinned to one keeps its pin: it waits for that verdict).
    private readonly Dictionary<string, DateTime> _suspectUntil = new(StringComparer.Ordinal);
    private static readonly TimeSpan SuspectFor = TimeSpan.FromSeconds(10);

    private void Suspect(string? nodeId)
    {
        if (nodeId is null) return;
        lock (_lock) _suspectUntil[nodeId] = DateTime.UtcNow + SuspectFor;
    }

    private IReadOnlyList<NodeView> ViewsLocked(TaskSpec task)
    {
        if (_suspectUntil.Count == 0 || task.Options.SchedulingStrategy is NodeAffinitySchedulingStrategy { Soft: false }) return _nodes;
        var now = DateTime.UtcNow;
        foreach (var (node, until) in _suspectUntil.Where(kv => kv.Value <= now).ToList()) _suspectUntil.Remove(node);
        return _nodes.Select(n => _suspectUntil.ContainsKey(n.NodeId) ? n with { IsAlive = false } : n).ToList();
    }

    private NodeLink LinkLocked(string nodeId, string targetJob)
    {
        if (_links.TryGetValue((nodeId, targetJob), out var link)) return link;
        var agent = _client.Client.GetGrain<INodeAgent>(_silos[nodeId]);
        link = new NodeLink(nodeId, agent, _app, _jobId, targetJob, _observerReference, OnSendFailed,
            frame => _inFlight.TryGetValue(frame.Key, out var run) && run.Node?.NodeId == nodeId);
        _links.Add((nodeId, targetJob), link);
        return link;
    }

    private void Send(Run run)
    {
        var key = Interlocked.Increment(ref _nextKey);
        if (run.Kind == RunKind.ActorConstructor) run.ActorKey = key;
        var frame = new JobRunFrame
        {
            Key = key,
            Kind = run.Kind,
            FunctionId = run.Task.Function.Id,
            TypeName = run.Kind == RunKind.ActorConstructor ? run.Actor!.ActorType.AssemblyQualifiedName : null,
            ActorId = run.Kind == RunKind.ActorConstructor ? run.Actor!.ContextActorId : null,
            ActorKey = run.ActorKey,
            // The node runs what it is given: the driver placed it already, and keeps actor names cluster-wide itself.
            Options = WireOptions.From(run.Task.Options),
            Args = new byte[run.Arguments.Length][],
        };
        (long, ReadOnlyMemory<byte>)[]? pushes = null;
        for (var i = 0; i < run.Arguments.Length; i++)
        {
            var argument = run.Arguments[i];
            if (argument.Length <= NodeLink.InlineArgumentLimit)
            {
                frame.Args[i] = argument.ToArray();
                continue;
            }

            frame.Args[i] = Array.Empty<byte>();
            frame.HeldArgs ??= new long[run.Arguments.Length];
            if (run.Sources?[i] is { } source && source.Length == argument.Length)
            {
                // Its node still holds it: used in place there, or pulled from there by the run's node (node to node).
                frame.ArgFrom ??= new string?[run.Arguments.Length];
                frame.HeldArgs[i] = source.Key;
                string? silo;
                lock (_lock) _silos.TryGetValue(source.Link.NodeId, out silo);
                frame.ArgFrom[i] = source.Link.NodeId == run.Node!.NodeId ? "" : silo;
                if (frame.ArgFrom[i] is not null) continue;
            }

            // Too large for one engine message: pushed in chunks ahead of the run, which names it by key.
            frame.HeldArgs[i] = Interlocked.Increment(ref _nextKey);
            pushes = [.. pushes ?? [], (frame.HeldArgs[i], argument)];
            Interlocked.Add(ref _pushedBytes, argument.Length);
        }
        frame.Options.Name = null;
        frame.Options.Lifetime = null;
        frame.Detached = run.Kind == RunKind.ActorConstructor && run.Task.Options.Lifetime == ActorLifetime.Detached;
        frame.Options.Strategy = null;
        var weight = NodeLink.Weight(frame);
        if (weight > NodeLink.RunBytesLimit)
        {
            Release(run);
            Fail(run, ErrorInfo.Of(ErrorKind.Runtime,
                $"The arguments of {run.Task.Function.DisplayName} weigh {weight / (1024 * 1024)} MiB inline; a run sent to another node may carry at most {NodeLink.RunBytesLimit / (1024 * 1024)} MiB of arguments of up to {NodeLink.InlineArgumentLimit / 1024} KiB each (larger ones are pushed apart). Pass fewer arguments, or larger ones."));
            return;
        }

        run.Key = key;
        if (Tracing) run.Trace($"send key {key} to {run.Node!.NodeId}");
        _inFlight[key] = run;
        run.Node!.Send(frame, pushes);
        // Read after the send (Cancel sets the flag before it looks the run up): a cancel requested meanwhile follows
        // the run it cancels, and the job host keeps one that overtakes its run.
        if (run.Kind != RunKind.ActorConstructor && run.Task.CancelRequested) CancelRun(run, force: false);
    }

    private void OnSendFailed(IReadOnlyList<JobRunFrame> frames, Exception error)
    {
        foreach (var frame in frames)
        {
            if (!_inFlight.TryRemove(frame.Key, out var run)) continue;
            if (Tracing) run.Trace($"send of key {frame.Key} failed: {FirstLine(error.Message)}");
            Suspect(run.Node?.NodeId);
            Release(run);
            // The node may be dying or the head gone, which the next refresh tells apart (and then reruns or fails the
            // run with the reason): a task or a construction waits for it a few times before the send error is its answer.
            if (run.Kind != RunKind.ActorCall && ++run.SendFailures <= SendAttempts)
            {
                run.Node = null;
                lock (_lock) _waiting.AddLast(run);
                continue;
            }

            Fail(run, ErrorInfo.Of(ErrorKind.Runtime, $"{run.Task.Function.DisplayName} could not be sent to node {run.Node?.NodeId}: {FirstLine(error.Message)}"));
        }
    }

    /// <summary>Results from a node (on an Orleans thread): each completes its run, large values are pulled first.</summary>
    internal void OnResults(string nodeId, byte[] bytes)
    {
        var frames = MemoryPackSerializer.Deserialize<JobResultFrame[]>(bytes) ?? Array.Empty<JobResultFrame>();
        foreach (var frame in frames)
        {
            if (!_inFlight.TryRemove(frame.Key, out var run))
            {
                // A run already answered another way (placed again after a failed send), or this batch again (the node
                // sends until it hears back): the node's copy is nobody's, unless it is being pulled right now.
                if (frame.HeldLength > 0 && !_pulling.ContainsKey(frame.Key) && !_keptKeys.ContainsKey(frame.Key)) DropStray(nodeId, frame.Key);
                foreach (var contained in frame.Contained ?? [])
                {
                    if (contained.HeldLength > 0 && !_pulling.ContainsKey(contained.HeldKey) && !_keptKeys.ContainsKey(contained.HeldKey)) DropStray(nodeId, contained.HeldKey);
                }

                continue;
            }

            if (frame.ArgumentsMissing)
            {
                // A value it was to find on a node was not there (that node died, or dropped it): sent again once each
                // such value is here or held again, off this thread (making one again runs a task, whose result comes here).
                if (Tracing) run.Trace($"arguments missing on {nodeId}: {frame.Error?.Message}");
                _ = SendWhenHeldAsync(run);
                continue;
            }

            if (Tracing) run.Trace($"result of key {frame.Key} from {nodeId}");
            try
            {
                var contained = TakeOver(run, frame.Contained);
                if (contained is not null && frame.Value is { } inline) Containment.Hold(inline, contained);
                if (frame.HeldLength > 0)
                {
                    _pulling[frame.Key] = 0;
                    _ = PullThenComplete(run, frame, contained);
                }
                else
                {
                    Complete(run, frame.Value, frame.Error);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // One run's completion failing must not cost the rest of the batch theirs (they would wait forever).
                _owner.WarningSink($"The result of {run.Task.Function.DisplayName} from node {nodeId} could not be completed: {e}");
            }
        }

        PlaceWaiting();
    }

    // Keys of held results being pulled now, or kept on their node after (see HeldCopy): a second delivery of their
    // batch must not drop them there.
    private readonly ConcurrentDictionary<long, byte> _pulling = new();
    private readonly ConcurrentDictionary<long, byte> _keptKeys = new();

    /// <summary>How many chunks of one result are pulled at once.</summary>
    private const int PullsInFlight = 4;

    /// <summary>Tests only: awaited before a held result is pulled (given the node holding it), so a test can kill that node first.</summary>
    internal static Func<string, Task>? BeforePull { get; set; }

    private void DropStray(string nodeId, long key)
    {
        string? silo;
        lock (_lock) _silos.TryGetValue(nodeId, out silo);
        if (silo is not null) _ = _client.Client.GetGrain<INodeAgent>(silo).Drop(_jobId, key).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    /// <summary>
    /// The node's own objects a run's value refers to (a put made in a task there, say): entries of this driver's,
    /// completed with the values that came along, or pulled from the node; the value, once here, holds them.
    /// </summary>
    private ObjectEntry[]? TakeOver(Run run, JobContainedValue[]? contained)
    {
        if (contained is not { Length: > 0 }) return null;
        var entries = new ObjectEntry[contained.Length];
        for (var i = 0; i < contained.Length; i++)
        {
            var c = contained[i];
            var entry = entries[i] = _owner.Runtime.Objects.AdoptContained(c.Id, out var fresh);
            if (!fresh)
            {
                // Known already (another value of the same run's node referred to it): the node's held copy is not needed.
                if (c.HeldLength > 0) _ = run.Node!.Drop(c.HeldKey);
                continue;
            }

            if (c.Error is { } error) entry.TrySetError(error);
            else if (c.HeldLength == 0) entry.TrySetValue(c.Value ?? []);
            // Held on its node until the driver asks, as a large result (no lineage: a put is not made again, as in Ray).
            else if (!run.Node!.IsForeign) entry.TrySetStored(HoldRemote(run.Node, c.HeldKey, c.HeldLength, producer: null, entry));
            else _ = PullContained(run.Node, c, entry);
        }

        return entries;
    }

    private async Task PullContained(NodeLink link, JobContainedValue contained, ObjectEntry entry)
    {
        _pulling[contained.HeldKey] = 0;
        try
        {
            var value = await PullAsync(link, contained.HeldKey, contained.HeldLength);
            _ = link.Drop(contained.HeldKey);
            entry.TrySetValue(value);
        }
        catch (Exception e)
        {
            // Made by a task on that node, not by one of this driver's runs: there is no lineage to make it again.
            entry.TrySetError(ErrorInfo.Of(ErrorKind.ObjectLost, $"Object {contained.Id}, made on node {link.NodeId}, could not be pulled from it: {FirstLine(e.Message)}"));
        }
        finally
        {
            _pulling.TryRemove(contained.HeldKey, out _);
        }
    }

    private async Task PullThenComplete(Run run, JobResultFrame frame, ObjectEntry[]? contained)
    {
        try
        {
            await PullThenCompleteCore(run, frame, contained);
        }
        finally
        {
            _pulling.TryRemove(frame.Key, out _);
        }
    }

    private async Task PullThenCompleteCore(Run run, JobResultFrame frame, ObjectEntry[]? contained)
    {
        var link = run.Node!;
        if (!link.IsForeign)
        {
            // It stays on its node until the driver asks for it: the entry completes now with a value that knows where
            // it is, so tasks that take it go on (there, or pulling it node to node) and nothing crosses the driver.
            if (run.Rebuilding is { } rebuild)
            {
                if (contained is not null) Containment.Hold(rebuild.Value, contained);
                var copy = NewHeldCopy(link, frame.Key, frame.HeldLength, rebuild.Value, run.Task.Result);
                Release(run);
                rebuild.Done.TrySetResult(copy);
                return;
            }

            var remote = HoldRemote(link, frame.Key, frame.HeldLength, run.Kind == RunKind.Task ? run.Task : null, run.Task.Result);
            if (contained is not null) Containment.Hold(remote, contained);
            Complete(run, remote, null);
            return;
        }

        // Another driver's job host (this driver called that driver's actor) keeps nothing for this job: pulled now.
        byte[] value;
        try
        {
            if (BeforePull is { } hook) await hook(link.NodeId);
            value = await PullAsync(link, frame.Key, frame.HeldLength);
            _ = link.Drop(frame.Key);
            if (contained is not null) Containment.Hold(value, contained);
        }
        catch (Exception e)
        {
            Complete(run, null, ErrorInfo.Of(ErrorKind.ObjectLost, $"The result of {run.Task.Function.DisplayName} could not be pulled from node {link.NodeId}: {FirstLine(e.Message)}"));
            return;
        }

        Complete(run, value, null);
    }

    private void Complete(Run run, object? value, ErrorInfo? error)
    {
        if (run.Rebuilding is { } rebuild)
        {
            // The task's entry has its value already (the one that was lost): the new one replaces the lost copy.
            Release(run);
            if (error is not null) rebuild.Done.TrySetException(new ObjectLostException(error.Message));
            else rebuild.Done.TrySetResult(value ?? Array.Empty<byte>());
            return;
        }

        if (Tracing) run.Trace(error is null ? "complete" : $"complete with {error.Kind}");
        switch (run.Kind)
        {
            case RunKind.Task:
                Release(run);
                _owner.CompleteTask(run.Task, value, error is null ? null : new ResultNotStoredException(error));
                break;
            case RunKind.ActorConstructor:
                var actor = run.Actor!;
                if (error is not null)
                {
                    Release(run);
                    actor.OnConstructed(new ResultNotStoredException(error));
                    break;
                }

                var placement = new Placement(run.Node!, run.ActorKey)
                {
                    HeldRequest = run.Held,
                    Detached = run.Task.Options.Lifetime == ActorLifetime.Detached,
                };
                if (actor.Name is { } name) Publish(actor, name, placement);
                // As on one machine: an actor that asked for no CPUs needed one to be placed but holds none while it lives.
                if (run.Task.Options.NumCpus is null)
                {
                    Release(run);
                    placement.HeldRequest = null;
                }

                actor.BackendHandle = placement;
                _placedActors[actor] = placement;
                actor.OnConstructed(null);
                // Killed while it was being built: OnConstructed left it dead, and the instance on the node must go too.
                if (actor.Status == ActorStatus.Dead) StopActor(actor);
                break;
            case RunKind.ActorCall:
                run.Actor!.OnCallCompleted(run.Task, value, error is null ? null : new ResultNotStoredException(error));
                break;
        }
    }

    private void Release(Run run)
    {
        if (run.QueuedOn is { } queued)
        {
            run.QueuedOn = null;
            lock (_lock)
            {
                if (_queued.TryGetValue(queued, out var count)) _queued[queued] = count - 1;
            }
        }

        if (run.Held is not { } held || run.Node is null) return;
        run.Held = null;
        lock (_lock) _ledger.Give(run.Node.NodeId, held);
    }

    private void Fail(Run run, ErrorInfo error)
    {
        // Completed off the caller's stack: a placement fails under this backend's lock, and the owner's under the scheduler's.
        ThreadPool.UnsafeQueueUserWorkItem(static s =>
        {
            var (backend, run, error) = s;
            if (run.Kind == RunKind.ActorConstructor) run.Actor!.OnConstructed(new ResultNotStoredException(error));
            else backend.Complete(run, null, error);
        }, (this, run, error), preferLocal: false);
    }

    /// <summary>Places what waits, in order, now that something was freed or the node list changed.</summary>
    private void PlaceWaiting()
    {
        List<Run>? placed = null;
        lock (_lock)
        {
            for (var node = _waiting.First; node is not null;)
            {
                var next = node.Next;
                var outcome = TryPlaceLocked(node.Value);
                if (outcome != Outcome.Waiting)
                {
                    _waiting.Remove(node);
                    if (outcome == Outcome.Placed) (placed ??= new()).Add(node.Value);
                }

                node = next;
            }
        }

        if (placed is null) return;
        foreach (var run in placed) Send(run);
    }

    // Keys of forwarded calls taken lately: a batch the node sends again (its first try timed out, yet arrived) runs once.
    private readonly RecentKeys _forwarded = new(1 << 16);

    /// <summary>
    /// Calls of this driver's actors made by code on a node (the actor's handle reached it): each runs as this driver's
    /// own call of the actor, in the order they came, and its value or error goes back to that node's job host.
    /// </summary>
    internal void OnForward(string nodeId, byte[] bytes)
    {
        var frames = MemoryPackSerializer.Deserialize<JobForwardFrame[]>(bytes) ?? Array.Empty<JobForwardFrame>();
        foreach (var frame in frames)
        {
            if (!_forwarded.Add(frame.Key)) continue;
            ObjectEntry result;
            try
            {
                if (frame.TaskOptions is { } wire)
                {
                    // A nested task its node could not or must not run: placed on the cluster as this driver's own task.
                    if (!RemoteRegistry.TryGet(frame.FunctionId, out var spilled))
                        throw new RayException($"A node spilled '{frame.FunctionId}', which this driver has not registered.");
                    var options = wire.ToOptions();
                    var task = new TaskSpec(_owner.Runtime, spilled, options, frame.Args.Length) { Request = ResourceRequest.From(options, defaultCpus: 1) };
                    foreach (var arg in frame.Args) task.AddArg(arg);
                    _owner.Submit(task).Subscribe(new ForwardAnswer(this, nodeId, frame.Key));
                    continue;
                }

                if (frame.Kill != 0)
                {
                    // Ray.Kill from code on the node, of this driver's actor: as if the driver had called it.
                    var doomed = _owner.Actors.Find(frame.ActorId) ?? throw new RayException($"Node {nodeId} killed actor {frame.ActorId}, which this driver does not know.");
                    _owner.Actors.Kill(doomed, noRestart: frame.Kill == 1);
                    AnswerForward(nodeId, new JobForwardResultFrame { Key = frame.Key });
                    continue;
                }

                if (frame.ActorId == 0)
                {
                    // A read of an object of this driver whose ref reached code on the node (an unknown id answers as lost).
                    _owner.Runtime.Objects.Import(frame.Object).Subscribe(new ForwardAnswer(this, nodeId, frame.Key, pointToHolder: !frame.ThroughDriver));
                    continue;
                }

                if (!RemoteRegistry.TryGet(frame.FunctionId, out var function))
                    throw new RayException($"A node called '{frame.FunctionId}' on an actor, which this driver has not registered.");
                var actor = _owner.Actors.Find(frame.ActorId)
                            ?? throw new RayException($"Node {nodeId} called actor {frame.ActorId}, which this driver does not know.");
                var call = new TaskSpec(_owner.Runtime, function, actor.Options, frame.Args.Length) { Actor = actor };
                foreach (var arg in frame.Args) call.AddArg(arg);
                result = _owner.Submit(call);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Whatever failed, the caller on the node is told (its key is taken: a resent batch would skip it).
                AnswerForward(nodeId, new JobForwardResultFrame { Key = frame.Key, Error = ErrorInfo.Of(ErrorKind.Runtime, e.Message) });
                continue;
            }

            result.Subscribe(new ForwardAnswer(this, nodeId, frame.Key));
        }
    }

    private string? SiloOf(string nodeId)
    {
        lock (_lock) return _silos.TryGetValue(nodeId, out var silo) ? silo : null;
    }

    private void AnswerForward(string nodeId, JobForwardResultFrame answer)
    {
        string? silo;
        lock (_lock) _silos.TryGetValue(nodeId, out silo);
        if (silo is null)
        {
            _owner.WarningSink($"An answer for node {nodeId} was dropped: this driver does not know that node's address.");
            return;
        }

        var bytes = MemoryPackSerializer.Serialize(new[] { answer });
        _ = Task.Run(async () =>
        {
            // The caller on the node waits for this: sent until it arrives (the job host takes the first answer of a
            // key and ignores a second), while the node lives and this driver does.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await _client.Client.GetGrain<INodeAgent>(silo).ForwardResults(_jobId, bytes);
                    return;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    bool gone;
                    lock (_lock) gone = _disposed || _headLost is not null || _deadNodes.Contains(nodeId);
                    if (gone) return;
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)));
                }
            }
        });
    }

    /// <summary>Sends a forwarded call's value (copied: it leaves this process) or error back to the node that made it.</summary>
    private sealed class ForwardAnswer(ClusterBackend backend, string nodeId, long key, bool pointToHolder = false) : IEntryWaiter
    {
        public void OnEntryCompleted(ObjectEntry entry)
        {
            // A value a node holds for this driver: the asking node pulls it from there, node to node; failing that it
            // asks again, and the value comes here first (off this engine thread).
            if (entry.Remote is RemoteValue { IsLocal: false } remote)
            {
                if (pointToHolder && remote.Copy is { Dropped: false, Link: { Ended: false, IsForeign: false } } copy && backend.SiloOf(copy.Link.NodeId) is { } silo)
                {
                    backend.AnswerForward(nodeId, new JobForwardResultFrame { Key = key, HeldFrom = silo, HeldKey = copy.Key, HeldLength = copy.Length });
                    return;
                }

                _ = AnswerWhenHereAsync(entry, remote);
                return;
            }

            Answer(entry);
        }

        private async Task AnswerWhenHereAsync(ObjectEntry entry, RemoteValue remote)
        {
            try
            {
                await remote.LocalAsync();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                backend.AnswerForward(nodeId, new JobForwardResultFrame { Key = key, Error = ErrorInfo.Of(ErrorKind.ObjectLost, e.Message) });
                return;
            }

            Answer(entry);
        }

        private void Answer(ObjectEntry entry)
        {
            var answer = new JobForwardResultFrame { Key = key };
            if (entry.Error is { } error) answer.Error = error;
            else answer.Value = entry.Memory.ToArray();
            backend.AnswerForward(nodeId, answer);
        }
    }

    internal void OnOutput(string[] lines)
    {
        foreach (var line in lines) Console.Out.WriteLine(line);
    }

    /// <summary>
    /// This driver's job host on a node ended (it crashed; the node lives): what ran there is recovered as after a
    /// node's death (tasks rerun within their retries, actors restart within theirs), and the next run there starts a
    /// new job host. Calls of other drivers' actors on that node are untouched.
    /// </summary>
    // Job hosts whose end this driver acted on: the node tells it until answered, and a second telling must not
    // recover the runs a new job host there has since taken.
    private readonly HashSet<(string Node, int Pid)> _endedHosts = new();

    internal void OnJobEnded(string nodeId, string? error, int hostPid)
    {
        lock (_lock)
        {
            if (!_endedHosts.Add((nodeId, hostPid))) return;
        }

        NodeLink? link;
        lock (_lock) _links.TryGetValue((nodeId, _jobId), out link);
        if (link is null) return;
        link.Reset();
        Recover(nodeId, link, nodeDied: false, $"its job host on node {nodeId} ended{(error is null ? "" : $" ({error})")}");
    }

    private void Refresh()
    {
        if (_disposed) return;
        if (++_ticks % KeepAliveTicks == 0)
        {
            NodeLink[] links;
            lock (_lock) links = _links.Values.ToArray();
            foreach (var link in links) link.KeepAlive();
        }

        // Only one refresh at a time: a tick that finds the previous one still asking the head skips.
        if (Interlocked.Exchange(ref _refreshing, 1) == 1) return;
        try
        {
            bool busy;
            lock (_lock) busy = _waiting.Count > 0 || !_inFlight.IsEmpty || !_placedActors.IsEmpty;
            if (!busy || _headLost is not null) return;
            try
            {
                // The head's own liveness, asked apart from the node table: the table waits on every node's report, and
                // a node that was just killed answers nobody until it is declared dead, which must not pass for the head.
                Task.Run(() => _client.Client.GetGrain<INodeDirectory>(0).Alive().WaitAsync(HeadAskTimeout)).GetAwaiter().GetResult();
                _headMisses = 0;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The head keeps the node table and the membership: a cluster without it is over (as Ray without GCS
                // fault tolerance). A slow answer is forgiven a few times.
                if (++_headMisses >= HeadMissesAllowed) OnHeadLost(FirstLine(e.Message));
                return;
            }

            IReadOnlyList<NodeReport> reports;
            try
            {
                reports = Task.Run(() => _client.NodesOnceAsync(NodeTableTimeout)).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return; // a slow table (a node dying): the next tick reads it again
            }

            UpdateNodes(reports);
            foreach (var dead in reports.Where(r => !r.IsAlive).Select(r => r.NodeId))
            {
                bool known;
                lock (_lock) known = _deadNodes.Add(dead);
                if (known) OnNodeDied(dead);
            }

            PlaceWaiting();
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    private static readonly TimeSpan HeadAskTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan NodeTableTimeout = TimeSpan.FromSeconds(10);
    private const int HeadMissesAllowed = 3;
    private int _refreshing;
    private int _headMisses;
    private volatile string? _headLost;
    private readonly HashSet<string> _deadNodes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ActorRecord, Placement> _placedActors = new();

    /// <summary>
    /// A node died (the cluster declared it dead): its tasks run again elsewhere while their retries last, else fail
    /// with <see cref="NodeDiedException"/>; its actors restart elsewhere while their restarts last (the constructor
    /// runs again, as Ray), else die; calls of other drivers' actors there fail.
    /// </summary>
    private void OnNodeDied(string nodeId)
    {
        lock (_lock)
        {
            _ledger.Forget(nodeId);
            _queued.Remove(nodeId);
        }

        Recover(nodeId, link: null, nodeDied: true, $"its node {nodeId} died");
        // Node ids are never reused (a node that comes back is a new one): its links would only pile up.
        lock (_lock)
        {
            foreach (var key in _links.Keys.Where(k => k.Node == nodeId).ToList())
            {
                _links[key].MarkGone();
                _links.Remove(key);
            }
        }
    }

    /// <summary>
    /// Runs and actors on <paramref name="link"/> (null: on every link to the node) will never answer: tasks run again
    /// elsewhere while their retries last, constructions are placed again, actors die with restarts allowed.
    /// </summary>
    private void Recover(string nodeId, NodeLink? link, bool nodeDied, string what)
    {
        bool Lost(NodeLink? on) => on is not null && (link is null ? on.NodeId == nodeId : ReferenceEquals(on, link));
        foreach (var run in _inFlight.Values.Where(r => Lost(r.Node)).ToList())
        {
            if (!_inFlight.TryRemove(run.Key, out _)) continue;
            if (Tracing) run.Trace($"recovered from {nodeId}: {what}");
            if (nodeDied)
            {
                run.Held = null; // the node's ledger went with it
                run.QueuedOn = null;
            }
            else
            {
                Release(run);
            }

            switch (run.Kind)
            {
                case RunKind.Task:
                    // Pinned to a node that died: nowhere else to go. Its job host alone ended: a new one there reruns it.
                    var pinned = nodeDied && run.Task.Options.SchedulingStrategy is NodeAffinitySchedulingStrategy { Soft: false };
                    if (!pinned && run.Task.Attempts < run.Task.MaxRetries && !run.Task.CancelRequested)
                    {
                        run.Task.Attempts++;
                        run.Node = null;
                        Place(run);
                    }
                    else
                    {
                        var message = $"{run.Task.Function.DisplayName} was lost: {what}" +
                                      (pinned ? " (the task is pinned to that node)." : $"; retries used: {run.Task.Attempts} of {run.Task.MaxRetries}.");
                        Complete(run, null, nodeDied ? NodeDied(nodeId, message) : ErrorInfo.Of(ErrorKind.WorkerCrashed, message));
                    }

                    break;
                case RunKind.ActorConstructor:
                    // Never built: place the construction again, as a restart would.
                    run.Node = null;
                    Place(run);
                    break;
                case RunKind.ActorCall:
                    break; // the actor's death below retries or fails its calls in flight
            }
        }

        foreach (var (actor, placement) in _placedActors.Where(p => Lost(p.Value.Node)).ToList())
        {
            if (nodeDied) placement.HeldRequest = null;
            if (actor.IsAdopted)
            {
                // Another driver's actor: that driver restarts it (or not) and publishes where; this handle follows it
                // there (see StartActor), its calls in flight fail, as in Ray.
                _placedActors.TryRemove(actor, out _);
                actor.BackendHandle = null;
                _lostAdopted[actor] = (placement.Node.NodeId, placement.Key);
            }

            actor.Die(ErrorInfo.Of(ErrorKind.ActorDied, $"The actor {actor.DisplayName} died: {what}" +
                (actor.IsAdopted ? "." : $"; restarts used: {actor.Restarts} of {actor.Options.MaxRestarts ?? 0}.")), allowRestart: true);
        }
    }

    private static ErrorInfo NodeDied(string nodeId, string message) => new() { Kind = ErrorKind.NodeDied, Message = message, NodeId = nodeId };

    /// <summary>The head is gone: everything waiting or running fails with the reason, and nothing new is placed.</summary>
    private void OnHeadLost(string detail)
    {
        _headLost = $"The cluster's head at {_client.Address} stopped answering ({detail}): a RayGen cluster ends with its head, as Ray's " +
                    "does without GCS fault tolerance. Start it again (raygen start --head) and reconnect.";
        _owner.WarningSink(_headLost);
        List<Run> lost;
        lock (_lock)
        {
            lost = _waiting.ToList();
            _waiting.Clear();
        }

        lost.AddRange(_inFlight.Values.Where(r => _inFlight.TryRemove(r.Key, out _)));
        foreach (var run in lost) Fail(run, ErrorInfo.Of(ErrorKind.Runtime, _headLost));
        foreach (var actor in _placedActors.Keys.ToList()) actor.Die(ErrorInfo.Of(ErrorKind.ActorDied, _headLost), allowRestart: false);
    }

    private void UpdateNodes(IReadOnlyList<NodeReport> reports)
    {
        lock (_lock)
        {
            foreach (var report in reports) _silos[report.NodeId] = report.SiloAddress;
            _nodes = reports.Select(n => new NodeView(n.NodeId, n.IsAlive, n.IsHead, n.Total)).ToList();
        }
    }

    private IReadOnlyList<NodeReport> ReadNodes()
    {
        try
        {
            return Task.Run(() => _client.NodesAsync()).GetAwaiter().GetResult();
        }
        catch (ClusterConnectException e)
        {
            throw new RayException(e.Message, e);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _refresh.Dispose();
        NodeLink[] links;
        lock (_lock) links = _links.Values.ToArray();
        var ends = links.Where(l => l.Started).Select(l => l.End())
            .Append(_client.Client.GetGrain<INameDirectory>(0).ReleaseJob(_jobId));
        try
        {
            Task.WhenAll(ends).Wait(EndTimeout);
        }
        catch (AggregateException)
        {
            // A node that does not answer ends the job host itself when it stops; the driver must not hang on it.
        }

        try
        {
            _client.Client.DeleteObjectReference<IJobObserver>(_observerReference);
        }
        catch (ArgumentException)
        {
        }
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    /// <summary>One run on its way: the task, where it went and what it holds there.</summary>
    private sealed class Run(TaskSpec task, RunKind kind, ActorRecord? actor, ReadOnlyMemory<byte>[] arguments)
    {
        public TaskSpec Task { get; } = task;
        public RunKind Kind { get; } = kind;
        public ActorRecord? Actor { get; } = actor;
        public ReadOnlyMemory<byte>[] Arguments { get; } = arguments;
        public NodeLink? Node { get; set; }
        public ResourceRequest? Held { get; set; }
        public long Key { get; set; }
        public long ActorKey { get; set; }

        /// <summary>How many times sending it failed (it waits for the next placement after each, up to <see cref="SendAttempts"/>).</summary>
        public int SendFailures { get; set; }

        /// <summary>Per argument, the node that holds its value too (see HeldCopy); null: every argument comes from the driver.</summary>
        public HeldCopy?[]? Sources { get; set; }

        /// <summary>For a task queued on a node beyond its free resources (see QueueBehindLocked): that node.</summary>
        public string? QueuedOn { get; set; }

        /// <summary>How many times its node missed an argument it was to pull from another node.</summary>
        public int MissedArguments { get; set; }

        /// <summary>Set when this run makes a lost value again (its node died): its result goes there, not to the task's entry.</summary>
        public Rebuild? Rebuilding { get; init; }

        public List<string>? History { get; private set; }

        // Callers test Tracing first: the interpolated text would otherwise be built for every run, traced or not.
        public void Trace(string what)
        {
            lock (this) (History ??= new()).Add($"{DateTime.UtcNow:HH:mm:ss.fff} {what}");
        }
    }

    private const int SendAttempts = 3;

    /// <summary>Where an actor lives: its node and the key its job host knows it by.</summary>
    private sealed class Placement(NodeLink node, long key)
    {
        public NodeLink Node { get; } = node;
        public long Key { get; } = key;
        public ResourceRequest? HeldRequest { get; set; }
        public bool Detached { get; init; }

        /// <summary>For an actor another driver made: that driver's job, which holds its name.</summary>
        public string? OwnerJob { get; init; }
    }

    // Names: claimed at the head when an actor is created (so a taken name throws there, as on one machine), published
    // once built (so another driver in the namespace can call it), released when it dies or this driver ends.

    private string Namespace => _owner.Options.Namespace ?? $"driver-{_jobId}";

    private INameDirectory Names => _client.Client.GetGrain<INameDirectory>(0);

    public void Claim(ActorRecord actor)
    {
        var entry = new NamedActor(Namespace, actor.Name!, _jobId, actor.ActorType.AssemblyQualifiedName!, actor.Options.Lifetime == ActorLifetime.Detached);
        var refusal = Call(() => Names.Claim(entry), $"claim the actor name \"{actor.Name}\"");
        if (refusal is not null) throw new RayException(refusal);
    }

    private void Publish(ActorRecord actor, string name, Placement placement)
    {
        var entry = new NamedActor(Namespace, name, _jobId, actor.ActorType.AssemblyQualifiedName!, placement.Detached,
            placement.Node.NodeId, _silos[placement.Node.NodeId], placement.Key);
        _ = Names.Publish(entry).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    public void Release(ActorRecord actor)
    {
        // This driver ending releases its names at once (ReleaseJob, which keeps detached ones), and a killed actor's
        // name went in StopActor: what is left is an actor of this driver that died on its own (its constructor threw).
        if (_owner.IsShutDown || actor.Name is null || actor.IsAdopted) return;
        ReleaseName(actor.Name, _jobId);
    }

    private void ReleaseName(string name, string ownerJob) =>
        _ = Names.Release(Namespace, name, ownerJob).ContinueWith(static _ => { }, TaskScheduler.Default);

    public ActorRecord? Find(ActorManager actors, string name, Type actorType)
    {
        var deadline = DateTime.UtcNow + NameLookupTimeout;
        NamedActor? entry;
        // A name claimed and not yet built has no node: wait a little for it, as a handle to a pending actor would.
        while ((entry = Call(() => Names.Lookup(Namespace, name), $"look up the actor \"{name}\"")) is { NodeId: null } && DateTime.UtcNow < deadline)
            Thread.Sleep(50);
        if (entry is null) return null;
        if (entry.NodeId is null || entry.SiloAddress is null)
            throw new RayException($"The actor named \"{name}\" in namespace \"{Namespace}\" is still being created after {NameLookupTimeout.TotalSeconds:0} s.");
        if (entry.TypeName != actorType.AssemblyQualifiedName)
            throw new RayException($"The actor named \"{name}\" is a {entry.TypeName.Split(',')[0]}, not a {actorType.FullName}.");
        NodeLink link;
        lock (_lock)
        {
            _silos[entry.NodeId] = entry.SiloAddress;
            link = LinkLocked(entry.NodeId, entry.JobId);
        }

        var placement = new Placement(link, entry.ActorKey) { Detached = entry.Detached, OwnerJob = entry.JobId };
        // Restarts unbounded here: its owner keeps the real count, and this handle follows whatever it decides.
        var adopted = actors.Adopt(name, actorType, new RemoteOptions { Lifetime = entry.Detached ? ActorLifetime.Detached : null, MaxRestarts = int.MaxValue }, placement);
        _placedActors[adopted] = placement;
        return adopted;
    }

    private static readonly TimeSpan NameLookupTimeout = TimeSpan.FromSeconds(10);

    private T Call<T>(Func<Task<T>> call, string action)
    {
        try
        {
            return Task.Run(call).WaitAsync(ClusterClient.CallTimeout).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not RayException)
        {
            throw new RayException($"Could not {action} on the cluster: {FirstLine(e.Message)}", e);
        }
    }
}
