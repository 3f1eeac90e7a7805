using System;
using System.Threading;
using RayGen.Core;
using RayGen.Internal;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.Driver;

/// <summary>
/// Work that code inside a worker starts, which the driver owns: nested tasks and actor calls, puts, reads of refs,
/// cancels, actors created, looked up and killed, and the refs a worker lets go. A nested task becomes a driver task
/// whose result keeps the id the worker minted, so the worker's ref and every copy of it name the same object.
/// </summary>
internal sealed partial class WorkerRequests
{
    private readonly TaskOwner _runtime;
    private readonly SharedStore _store;

    public WorkerRequests(TaskOwner runtime, SharedStore store)
    {
        _runtime = runtime;
        _store = store;
        Streams = new StreamRequests(runtime, store);
    }

    /// <summary>Items of streams produced in workers, and reads of streams from workers.</summary>
    public StreamRequests Streams { get; }

    public void OnSubmit(FrameConnection connection, SubmitFrame frame)
    {
        if (!RemoteRegistry.TryGet(frame.FunctionId, out var function))
        {
            var missing = _runtime.Objects.Adopt(frame.ResultId);
            _runtime.Objects.Borrow(connection, missing);
            missing.TrySetError(ErrorInfo.Of(ErrorKind.Runtime, $"A worker submitted function '{frame.FunctionId}', which the driver has not registered."));
            missing.Subscribe(new ValueForwarder(connection, _store));
            return;
        }

        var options = frame.Options.ToOptions();
        var result = _runtime.Objects.Adopt(frame.ResultId);
        _runtime.Objects.Borrow(connection, result); // the worker holds the ref it minted
        try
        {
            TaskSpec task;
            if (frame.ActorId == 0)
            {
                task = new TaskSpec(_runtime, function, options, frame.Args.Length, result) { Request = ResourceRequest.From(options, defaultCpus: 1) };
            }
            else if (_runtime.Actors.Find(frame.ActorId) is { } actor)
            {
                task = new TaskSpec(_runtime, function, actor.Options, frame.Args.Length, result) { Actor = actor };
            }
            else
            {
                result.TrySetError(ErrorInfo.Of(ErrorKind.ActorDied, $"Actor {frame.ActorId} is not known to this runtime."));
                result.Subscribe(new ValueForwarder(connection, _store));
                return;
            }

            task.TraceParent = frame.TraceParent;
            AddArgs(task, frame.Args);
            if (task.Actor is not null || _runtime.NestedSpill?.TrySpill(task) != true) _runtime.Submit(task);
        }
        catch (Exception e) when (e is RayException or ArgumentException)
        {
            result.TrySetError(ErrorInfo.FromException(e, function.DisplayName));
        }

        result.Subscribe(new ValueForwarder(connection, _store));
    }

    private void AddArgs(TaskSpec task, WireArg[] args)
    {
        foreach (var arg in args)
        {
            if (arg.Inline is { } inline) task.AddArg((byte[])HoldContained(inline, arg.Contained));
            else task.AddRef(_runtime.Objects.Import(arg.Ref));
        }
    }

    public void OnCreateActor(FrameConnection connection, CreateActorFrame frame)
    {
        var reply = new ActorReplyFrame { RequestId = frame.RequestId };
        try
        {
            // Reflection once per actor creation (not per call): the driver's actor table checks names and types.
            var type = Type.GetType(frame.TypeName, throwOnError: false)
                       ?? throw new RayException($"A worker created an actor of type '{frame.TypeName}', which the driver cannot load.");
            if (!RemoteRegistry.TryGet(frame.FunctionId, out var constructor))
                throw new RayException($"A worker created an actor with constructor '{frame.FunctionId}', which the driver has not registered.");
            var options = frame.Options.ToOptions();
            var constructed = _runtime.Objects.Adopt(frame.ResultId);
            _runtime.Objects.Borrow(connection, constructed);
            var task = new TaskSpec(_runtime, constructor, options, frame.Args.Length, constructed)
            {
                IsConstructor = true,
                Request = ResourceRequest.From(options, defaultCpus: 1),
            };
            AddArgs(task, frame.Args);
            reply.ActorId = _runtime.Actors.Create(task, type).Id;
        }
        catch (Exception e) when (e is RayException or ArgumentException)
        {
            reply.Error = e.Message;
        }

        connection.Send(reply);
    }

    public void OnActorLookup(FrameConnection connection, ActorLookupFrame frame)
    {
        var reply = new ActorReplyFrame { RequestId = frame.RequestId };
        try
        {
            var type = Type.GetType(frame.TypeName, throwOnError: false)
                       ?? throw new RayException($"A worker looked up an actor of type '{frame.TypeName}', which the driver cannot load.");
            var actor = _runtime.Actors.GetByName(frame.Name, type);
            reply.ActorId = actor.Id;
            reply.Options = WireOptions.From(actor.Options);
        }
        catch (RayException e)
        {
            reply.Error = e.Message;
        }

        connection.Send(reply);
    }

    /// <summary>
    /// Ray.Nodes() or the resource figures asked in a task or actor: answered off the connection's thread, since on a
    /// cluster node the job host asks its node, which asks the head.
    /// </summary>
    public void OnClusterInfo(FrameConnection connection, ClusterInfoFrame frame)
    {
        var core = _runtime.Runtime;
        ThreadPool.UnsafeQueueUserWorkItem(static s => s.connection.Send(ClusterInfo.Answer(s.core, s.frame)), (connection, core, frame), preferLocal: false);
    }

    public void OnKillActor(KillActorFrame frame)
    {
        if (_runtime.Actors.Find(frame.ActorId) is { } actor) _runtime.Actors.Kill(actor, frame.NoRestart);
    }

    public void OnPut(FrameConnection connection, PutFrame frame)
    {
        if (frame.RequestId != 0)
        {
            // Making room may collect in every worker and wait for their answers: not on this connection's thread.
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Item1.OnLargePut(s.connection, s.frame), (this, connection, frame), preferLocal: false);
            return;
        }

        var entry = _runtime.Objects.Adopt(frame.Id);
        _runtime.Objects.Borrow(connection, entry); // the worker holds the ref its put returned
        // A put without a request is small: a file handed over (the worker sends large values as requests) is read, not kept.
        entry.TrySetStored(HoldContained(_store.Unwrap(frame.Value), frame.Contained));
    }

    /// <summary>
    /// A worker's put written into a file lent to it (<see cref="PutFrame.TakesOver"/>): its bytes are charged already,
    /// so it is taken at once, on the connection's thread, with no answer; false (nothing taken) when that file was
    /// not lent to the worker or is too small, which only a broken worker sends.
    /// </summary>
    public bool TryPutIntoLent(FrameConnection connection, PutFrame frame, Func<string, long, bool> takeOver)
    {
        SharedStore.CheckHandedOver(frame.Value);
        if (!takeOver(frame.TakesOver!, frame.Value.Length)) return false;
        var shared = _store.AdoptCharged(frame.Value);
        var entry = _runtime.Objects.Adopt(frame.Id);
        entry.FreedWithLastBorrow = true;
        _runtime.Objects.Borrow(connection, entry);
        entry.TrySetStored(HoldContained(shared, frame.Contained));
        return true;
    }

    private void OnLargePut(FrameConnection connection, PutFrame frame)
    {
        var reply = new ActorReplyFrame { RequestId = frame.RequestId };
        try
        {
            var shared = _store.AdoptOrRefuse(frame.Value, "a worker's put");
            var entry = _runtime.Objects.Adopt(frame.Id);
            entry.FreedWithLastBorrow = true;
            _runtime.Objects.Borrow(connection, entry);
            entry.TrySetStored(HoldContained(shared, frame.Contained));
        }
        catch (Exception e) when (e is ObjectStoreFullException or System.IO.IOException or System.IO.InvalidDataException
                                       or UnauthorizedAccessException or InvalidOperationException)
        {
            // On the thread pool nothing may escape (it would end the driver): a bad frame or a shutdown fails the put.
            reply.Error = e.Message;
        }

        connection.Send(reply);
    }

    /// <summary>A worker's value with the refs it reported inside it: the value holds them from now on.</summary>
    private object HoldContained(object value, ObjectId[]? ids) => Hold(value, ContainedEntries(_runtime.Objects, ids));

    /// <summary>
    /// The entries of the refs a worker reported inside a value. Called on the connection's thread while the frame is
    /// read: the worker still borrows them (it held them when it sent the frame), so the directory knows them.
    /// </summary>
    internal static ObjectEntry[]? ContainedEntries(ObjectDirectory objects, ObjectId[]? ids)
    {
        if (ids is not { Length: > 0 }) return null;
        var refs = new ObjectEntry[ids.Length];
        for (var i = 0; i < ids.Length; i++) refs[i] = objects.FindReported(ids[i]);
        return refs;
    }

    internal static object Hold(object value, ObjectEntry[]? refs)
    {
        if (refs is not null) Containment.Hold(value, refs);
        return value;
    }

    /// <summary>
    /// A worker's result or stream item, read on its connection's thread: taken at once when it is inline or its file
    /// fits the store; false when making room is needed first (see <see cref="TakeMakingRoom"/>), which may collect in
    /// every worker and wait for their answers, so not on that thread.
    /// </summary>
    internal static bool TryTake(SharedStore store, Payload payload, ObjectEntry[]? contained, out object value)
    {
        if (!SharedStore.IsHandedOver(payload))
        {
            value = Hold(store.Unwrap(payload), contained);
            return true;
        }

        // A large value stays in the file the worker wrote: the driver takes it over without reading it, counted
        // against the capacity before it counts as stored.
        if (store.TryAdopt(payload, out var shared))
        {
            value = Hold(shared, contained);
            return true;
        }

        value = null!;
        return false;
    }

    /// <summary>
    /// A large value that did not fit at once (<paramref name="what"/> names it, as "the result of F"): room is made, or
    /// it is spilled, or the error says why it cannot be kept. Off the connection's thread: nothing escapes.
    /// </summary>
    internal static ErrorInfo? TakeMakingRoom(SharedStore store, Payload payload, ObjectEntry[]? contained, string what, out object? value)
    {
        value = null;
        try
        {
            value = Hold(store.AdoptOrRefuse(payload, what), contained);
            return null;
        }
        catch (ObjectStoreFullException e)
        {
            return ErrorInfo.Of(ErrorKind.ObjectStoreFull, e.Message);
        }
        catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            // The session's directories went away (shutdown) or the file was not there: the value cannot be kept.
            store.Discard(payload);
            return ErrorInfo.Of(ErrorKind.ObjectLost, $"{char.ToUpperInvariant(what[0])}{what[1..]} could not be taken into the object store: {e.Message}");
        }
    }

    public void OnSubscribe(FrameConnection connection, SubscribeFrame frame)
    {
        var entry = _runtime.Objects.Import(frame.Id);
        _runtime.Objects.Borrow(connection, entry); // a ref read in the worker: the object stays until the worker lets it go
        entry.Subscribe(new ValueForwarder(connection, _store));
    }

    public void OnCancelObject(CancelObjectFrame frame) => _runtime.Cancel(_runtime.Objects.Import(frame.Id), frame.Force);


    public void OnRelease(FrameConnection connection, ReleaseFrame frame)
    {
        foreach (var id in frame.Ids) _runtime.Objects.Release(connection, id);
    }

    /// <summary>A ref the worker held left it inside a value sent elsewhere: the driver keeps the object for the unknown holder.</summary>
    public void OnEscape(EscapeFrame frame) => _runtime.Objects.Export(_runtime.Objects.Adopt(frame.Id));

    /// <summary>The worker's connection closed: it borrows nothing any more.</summary>
    public void OnDisconnected(FrameConnection connection) => _runtime.Objects.ReleaseAll(connection);

    /// <summary>Sends an object's value (or error) to a worker once it is ready.</summary>
    private sealed class ValueForwarder(FrameConnection connection, SharedStore store) : IEntryWaiter
    {
        public void OnEntryCompleted(ObjectEntry entry) =>
            connection.Send(new ObjectValueFrame
            {
                Id = entry.Id,
                Value = entry.Shared is { } shared ? SharedStore.PayloadOf(shared, transfer: false)
                    : entry.Data is { } data ? store.Wrap(data) : default,
                Error = entry.Error,
            });
    }
}
