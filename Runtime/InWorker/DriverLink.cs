using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Core;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.InWorker;

/// <summary>
/// A worker's side of the connection to the driver, as its runtime sees it: nested submits, puts and
/// cancels go to the driver; objects the worker waits for come back as <see cref="ObjectValueFrame"/>s;
/// a run blocked in Get or Wait tells the driver, which lends its resources meanwhile.
/// </summary>
internal sealed partial class DriverLink : IObjectOwnership
{
    private readonly FrameConnection _connection;
    private readonly SharedStore _store;
    private readonly ConcurrentDictionary<ObjectId, ObjectEntry> _awaiting = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<ActorReplyFrame>> _requests = new();
    private readonly ConcurrentDictionary<long, ActorAddress> _actors = new();
    private long _nextRequest;

    public DriverLink(FrameConnection connection, SharedStore store)
    {
        _connection = connection;
        _store = store;
    }

    private StreamLink? _streams;

    /// <summary>The worker's streaming runs and stream reads.</summary>
    internal StreamLink Streams => LazyInitializer.EnsureInitialized(ref _streams, () => new StreamLink(_connection, _store, this));

    /// <summary>Where this worker's held-back sends wait (its connection's).</summary>
    internal SendDeferral Deferral => _connection.Deferral;

    /// <summary>The worker's object directory, set once its runtime is built (which needs this link first).</summary>
    public ObjectDirectory Objects { get; set; } = null!;

    // A worker borrows every object from the driver (see IObjectOwnership): refs it serializes travel with the
    // value to the driver when the value goes there; any other serialized ref escapes, and the driver must know.
    bool IObjectOwnership.CollectsIntoValue => Containment.IsForwarded;

    bool IObjectOwnership.IndexesContained => false;

    void IObjectOwnership.OnEscaped(ObjectId id) => Escape(id);

    ObjectEntry IObjectOwnership.ImportUnknown(ObjectDirectory directory, ObjectId id) => Import(id);

    public ObjectEntry Submit(TaskSpec task)
    {
        // Subscribed before sending, so the driver's answer always finds the entry.
        _awaiting[task.Result.Id] = task.Result;
        Hold(task.Result);
        Send(new SubmitFrame
        {
            ResultId = task.Result.Id,
            FunctionId = task.Function.Id,
            Options = WireOptions.From(task.Options),
            Args = WireArgs(task),
            ActorId = task.Actor?.Id ?? 0,
            TraceParent = WorkerExecutor.CurrentTraceParent,
        });
        return task.Result;
    }

    private static WireArg[] WireArgs(TaskSpec task)
    {
        var args = task.ArgCount == 0 ? Array.Empty<WireArg>() : new WireArg[task.ArgCount];
        for (var i = 0; i < args.Length; i++)
        {
            var slot = task.Args[i];
            args[i] = slot.Inline is { } inline ? new WireArg { Inline = inline, Contained = Containment.IdsHeldBy(inline) } : new WireArg { Ref = slot.Ref!.Id };
        }

        return args;
    }

    public ActorAddress CreateActor(TaskSpec constructor, Type actorType)
    {
        Hold(constructor.Result);
        var reply = Request(id => new CreateActorFrame
        {
            RequestId = id,
            ResultId = constructor.Result.Id,
            FunctionId = constructor.Function.Id,
            TypeName = actorType.AssemblyQualifiedName!,
            Options = WireOptions.From(constructor.Options),
            Args = WireArgs(constructor),
        });
        return Address(reply.ActorId, actorType, constructor.Options);
    }

    public ActorAddress LookupActor(string name, Type actorType)
    {
        var reply = Request(id => new ActorLookupFrame { RequestId = id, Name = name, TypeName = actorType.AssemblyQualifiedName! });
        return Address(reply.ActorId, actorType, reply.Options?.ToOptions() ?? new RemoteOptions { Name = name });
    }

    /// <summary>A handle read in this worker: calls on it name the actor's id, and the driver finds it (or reports it dead).</summary>
    public ActorAddress ActorById(long id, Type actorType) => Address(id, actorType, new RemoteOptions());

    public void KillActor(ActorAddress actor, bool noRestart) => Send(new KillActorFrame { ActorId = actor.Id, NoRestart = noRestart });

    private ActorAddress Address(long id, Type actorType, RemoteOptions options) =>
        _actors.GetOrAdd(id, static (id, s) => new ActorAddress(id, s.actorType, s.options), (actorType, options));

    /// <summary>Sends a request and blocks until the driver answers it (a round trip; used for actor creation and lookup).</summary>
    private ActorReplyFrame Request(Func<long, IFrame> make, Func<string, Exception>? failure = null)
    {
        var id = Interlocked.Increment(ref _nextRequest);
        var reply = new TaskCompletionSource<ActorReplyFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests[id] = reply;
        Send(make(id));
        // The answer arrives on the connection this thread may be leading (a run executed inline).
        _connection.HandOffReceiving();
        var answer = reply.Task.GetAwaiter().GetResult();
        if (answer.Error is { } error) throw failure?.Invoke(error) ?? new RayException(error);
        return answer;
    }

    public void OnActorReply(ActorReplyFrame frame)
    {
        if (_requests.TryRemove(frame.RequestId, out var reply)) reply.TrySetResult(frame);
    }

    private readonly ConcurrentDictionary<long, TaskCompletionSource<ClusterInfoReplyFrame>> _clusterRequests = new();

    /// <summary>Asks the driver (a job host on a cluster node) for the nodes or resources; blocks until it answers.</summary>
    public ClusterInfoReplyFrame AskCluster(ClusterInfoKind kind)
    {
        var id = Interlocked.Increment(ref _nextRequest);
        var reply = new TaskCompletionSource<ClusterInfoReplyFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _clusterRequests[id] = reply;
        Send(new ClusterInfoFrame { RequestId = id, Kind = kind });
        _connection.HandOffReceiving();
        return reply.Task.GetAwaiter().GetResult();
    }

    public void OnClusterInfo(ClusterInfoReplyFrame frame)
    {
        if (_clusterRequests.TryRemove(frame.RequestId, out var reply)) reply.TrySetResult(frame);
    }

    public void Put(ObjectEntry entry)
    {
        if (entry.Shared is { } shared)
        {
            PutShared(entry, shared);
            return;
        }

        var payload = _store.Wrap(entry.Data!);
        if (payload.File is not null)
        {
            // Large bytes left on the heap (tmpfs was full when they were written) crossed as a file: the driver takes it like any large put.
            Request(id => new PutFrame { Id = entry.Id, Value = payload, RequestId = id, Contained = Containment.IdsHeldBy(entry.Data) },
                static error => new ObjectStoreFullException(error));
            Hold(entry);
            return;
        }

        Hold(entry);
        Send(new PutFrame { Id = entry.Id, Value = payload, Contained = Containment.IdsHeldBy(entry.Data) });
    }

    private void PutShared(ObjectEntry entry, SharedObject shared)
    {
        if (shared.TakePendingLent() is { } lent)
        {
            if (shared.Length <= lent.Size)
            {
                // Written into a file the driver lent back and still charges: the put takes that charge over, so no
                // room has to be made and the store cannot be full for it, and the driver has nothing to answer.
                Hold(entry);
                Send(new PutFrame { Id = entry.Id, Value = SharedStore.PayloadOf(shared, transfer: true), TakesOver = lent.Name, Contained = Containment.IdsHeldBy(shared) });
                return;
            }

            // Larger than the lent file's charge: the driver stops counting that file before it makes room for this one.
            _store.SettleLent(lent.Name);
        }

        // A large value is already in shared memory (this worker wrote it there): the driver takes the file over,
        // and answers first, so that a full store fails this Put as it would fail one in the driver.
        Request(id => new PutFrame { Id = entry.Id, Value = SharedStore.PayloadOf(shared, transfer: true), RequestId = id, Contained = Containment.IdsHeldBy(shared) },
            static error => new ObjectStoreFullException(error));
        Hold(entry);
    }

    // The objects this worker holds refs to (imported, or minted here and owned by the driver), held weakly:
    // a sweep that finds one collected tells the driver, which then may free it.
    private readonly Dictionary<ObjectId, WeakReference<ObjectEntry>> _held = new();

    private void Hold(ObjectEntry entry)
    {
        lock (_held) _held[entry.Id] = new WeakReference<ObjectEntry>(entry);
    }

    /// <summary>The entry of a ref read in this worker: the live one if the worker still holds it, else a new one that asks the driver for the value.</summary>
    public ObjectEntry Import(ObjectId id)
    {
        lock (_held)
        {
            if (_held.TryGetValue(id, out var weak) && weak.TryGetTarget(out var held)) return held;
            var proxy = Objects.NewEntry(id);
            _held[id] = new WeakReference<ObjectEntry>(proxy);
            Subscribe(proxy);
            return proxy;
        }
    }

    /// <summary>Tells the driver which held objects were collected since the last sweep (called after each store sweep).</summary>
    public void ReportReleased()
    {
        ObjectId[] ids;
        lock (_held)
        {
            List<ObjectId>? released = null;
            foreach (var (id, weak) in _held)
            {
                if (!weak.TryGetTarget(out _)) (released ??= new List<ObjectId>()).Add(id);
            }

            if (released is null) return;
            foreach (var id in released) _held.Remove(id);
            ids = released.ToArray();
            // Queued before the lock is let go: a ref read again from here on (Import, under the same lock) sends its
            // subscribe after this release, so the driver records the new borrow after dropping the old one. Sent
            // later, the release could follow the subscribe and drop the new borrow, and the value could be freed
            // while this worker holds it; it could also trail the answer to a collect that the driver waits on.
            _connection.Send(new ReleaseFrame { Ids = ids });
        }

        AfterReleasesTaken?.Invoke(ids);
    }

    /// <summary>For tests: runs on the sweeping thread once a sweep has taken the ids of collected refs out of the borrow table and reported them.</summary>
    internal static Action<ObjectId[]>? AfterReleasesTaken { get; set; }

    /// <summary>This worker serialized a ref: the driver keeps the object for the session.</summary>
    public void Escape(ObjectId id) => Send(new EscapeFrame { Id = id });

    /// <summary>The driver asks for a collection: collect, report what was let go, then answer (after the releases, on the same connection).</summary>
    public void OnCollect(CollectFrame frame)
    {
        _store.CollectLocal();
        _connection.Send(new CollectedFrame { RequestId = frame.RequestId });
    }

    /// <summary>Asks the driver for an object's value; <paramref name="entry"/> completes when it arrives.</summary>
    public void Subscribe(ObjectEntry entry)
    {
        _awaiting[entry.Id] = entry;
        Send(new SubscribeFrame { Id = entry.Id });
    }

    public void Cancel(ObjectEntry entry, bool force) => Send(new CancelObjectFrame { Id = entry.Id, Force = force });

    public void OnObjectValue(ObjectValueFrame frame)
    {
        if (!_awaiting.TryRemove(frame.Id, out var entry)) return;
        if (frame.Error is { } error) entry.TrySetError(error);
        else if (frame.Value.File is not null && !frame.Value.Transfer) entry.TrySetStored(_store.Borrow(frame.Value)); // read in place
        else entry.TrySetValue(_store.Unwrap(frame.Value));
    }

    public bool BlockUntil(Func<TimeSpan, bool> wait, TimeSpan timeout)
    {
        // What it waits for arrives on the connection this thread may be leading (a run executed inline).
        _connection.HandOffReceiving();
        var run = WorkerExecutor.CurrentTaskRun;
        if (run == 0) return wait(timeout);
        Send(new BlockedFrame { RunId = run, Blocked = true });
        // After the frame: the driver learns the run blocked before it gets back the runs queued behind it.
        RunBlocked?.Invoke(run);
        try
        {
            return wait(timeout);
        }
        finally
        {
            Send(new BlockedFrame { RunId = run, Blocked = false });
        }
    }

    /// <summary>
    /// Lets this worker write its large values into files it wrote before, once the driver freed them (see
    /// SharedStore.Lending): it reports what it reuses or deletes, and asks the driver to free what it can when a
    /// large value is about to be written.
    /// </summary>
    public void EnableFileReuse()
    {
        _store.LentFilesSettled = names => _connection.Send(new LentFilesSettledFrame { Names = names });
        _store.ReclaimRemote = () =>
        {
            try
            {
                Request(id => new ReclaimFilesFrame { RequestId = id });
                return true;
            }
            catch (RayException)
            {
                return false; // the driver is gone
            }
        };
    }

    /// <summary>The driver gave back a file this worker wrote.</summary>
    public void OnFileFreed(FileFreedFrame frame) => _store.OnFileFreed(frame.Name);

    /// <summary>Tells the executor that a task run blocks, so that the runs queued behind it go back (see WorkerLane).</summary>
    internal Action<long>? RunBlocked { get; set; }

    /// <summary>The driver is gone: whatever the worker still waits for fails rather than hanging.</summary>
    public void FailAll()
    {
        foreach (var entry in _awaiting.Values)
            entry.TrySetError(ErrorInfo.Of(ErrorKind.Runtime, "The connection to the RayGen driver was lost."));
        _awaiting.Clear();
        foreach (var request in _requests.Values) request.TrySetException(new RayException("The connection to the RayGen driver was lost."));
        _streams?.FailAll();
    }

    /// <summary>A line the worker's code logged goes to the driver's loggers; lost quietly when the driver is gone.</summary>
    public void Log(LogFrame frame) => _connection.Send(frame);

    private void Send(IFrame frame)
    {
        if (!_connection.Send(frame)) throw new RayException("The connection to the RayGen driver was lost.");
    }
}
