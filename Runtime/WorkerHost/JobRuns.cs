using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using RayGen.Core;
using RayGen.Driver;
using RayGen.Internal;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.WorkerHost;

/// <summary>
/// A job host's side of the driver's runs: each arriving run becomes a task (or actor) of the host's runtime, and
/// its result goes back under the driver's key once it is there.
/// </summary>
internal sealed class JobRuns
{
    private readonly DriverRuntime _runtime;
    private readonly FrameConnection _node;
    private readonly ConcurrentDictionary<long, ActorRecord> _actors = new();
    // Runs not yet reported, by the driver's key: what a cancel names.
    private readonly ConcurrentDictionary<long, ObjectEntry> _running = new();
    // Cancels that came before their run (a separate engine call may overtake the batch that carries it): applied
    // when the run arrives. Bounded: a cancel of a run that never comes is forgotten among the oldest.
    private readonly ConcurrentDictionary<long, bool> _early = new();
    private readonly ConcurrentQueue<long> _earlyOrder = new();
    private const int EarlyKept = 4096;

    public JobRuns(DriverRuntime runtime, FrameConnection node)
    {
        _runtime = runtime;
        _node = node;
    }

    public void Start(JobRunFrame frame)
    {
        ObjectEntry result;
        try
        {
            result = Submit(frame);
        }
        catch (Exception e) when (e is RayException or ArgumentException)
        {
            _node.Send(new JobResultFrame { Key = frame.Key, Error = ErrorInfo.Of(ErrorKind.Runtime, e.Message) });
            return;
        }

        if (frame.Kind != RunKind.ActorConstructor) _running[frame.Key] = result;
        result.Subscribe(new Reporter(_node, frame.Key, _running));
        if (_early.TryRemove(frame.Key, out var force)) _runtime.Cancel(result, force);
    }

    /// <summary>The driver cancelled a run: as Ray.Cancel here (the token is signalled; forced, a task's worker is killed).</summary>
    public void Cancel(JobCancelFrame frame)
    {
        if (_running.TryGetValue(frame.Key, out var result))
        {
            _runtime.Cancel(result, frame.Force);
            return;
        }

        _early.AddOrUpdate(frame.Key, frame.Force, (_, before) => before || frame.Force);
        _earlyOrder.Enqueue(frame.Key);
        while (_earlyOrder.Count > EarlyKept && _earlyOrder.TryDequeue(out var oldest)) _early.TryRemove(oldest, out _);
        // The run may have arrived meanwhile (it is looked up before this was listed).
        if (_running.TryGetValue(frame.Key, out result) && _early.TryRemove(frame.Key, out var force)) _runtime.Cancel(result, force);
    }

    public void Kill(JobKillActorFrame frame)
    {
        if (_actors.TryRemove(frame.ActorKey, out var actor)) _runtime.KillActor(actor, noRestart: true);
    }

    private ObjectEntry Submit(JobRunFrame frame)
    {
        if (!RemoteRegistry.TryGet(frame.FunctionId, out var function))
            throw new RayException($"The node's job host has no function '{frame.FunctionId}': the shipped application does not register it.");
        var options = frame.Options.ToOptions();
        TaskSpec task;
        switch (frame.Kind)
        {
            case RunKind.Task:
                task = new TaskSpec(_runtime, function, options, frame.Args.Length) { Request = ResourceRequest.From(options, defaultCpus: 1) };
                AddArgs(task, frame.Args);
                return _runtime.Submit(task);
            case RunKind.ActorConstructor:
                // Reflection once per actor (not per call), as the driver does for an actor a worker creates.
                var type = Type.GetType(frame.TypeName ?? "", throwOnError: false)
                           ?? throw new RayException($"The node's job host cannot load the actor type '{frame.TypeName}'.");
                task = new TaskSpec(_runtime, function, options, frame.Args.Length) { IsConstructor = true, Request = ResourceRequest.From(options, defaultCpus: 1) };
                AddArgs(task, frame.Args);
                _actors[frame.Key] = _runtime.Owner.Actors.Create(task, type, contextActorId: frame.ActorId);
                return task.Result;
            case RunKind.ActorCall:
                if (!_actors.TryGetValue(frame.ActorKey, out var actor))
                    throw new RayException($"The node's job host has no actor {frame.ActorKey} (it was killed, or its node restarted).");
                task = new TaskSpec(_runtime, function, actor.Options, frame.Args.Length) { Actor = actor };
                AddArgs(task, frame.Args);
                return _runtime.Submit(task);
            default:
                throw new ArgumentException($"Unknown run kind {frame.Kind}.");
        }
    }

    private static void AddArgs(TaskSpec task, byte[][] args)
    {
        foreach (var arg in args) task.AddArg(arg);
    }

    /// <summary>
    /// Sends a run's value (copied out of the store: it leaves this machine) or its error, once; with it the objects of
    /// this host's own that the value refers to, once each of them is complete, since the driver does not know them.
    /// </summary>
    private sealed class Reporter(FrameConnection node, long key, ConcurrentDictionary<long, ObjectEntry> running) : IEntryWaiter
    {
        /// <summary>How many refs inside refs are followed: a value that nests deeper than this is not one anybody makes.</summary>
        private const int MaxContained = 100_000;

        private ObjectEntry? _result;
        private List<ObjectEntry>? _contained;
        private int _pending;

        public void OnEntryCompleted(ObjectEntry entry)
        {
            if (_result is null)
            {
                _result = entry;
                running.TryRemove(key, out _);
                _contained = entry.Error is null ? Own(entry) : null;
                if (_contained is null)
                {
                    Send();
                    return;
                }

                // One count for this method itself, so a contained object completing meanwhile cannot send early.
                _pending = _contained.Count + 1;
                foreach (var contained in _contained) contained.Subscribe(this);
                if (Interlocked.Decrement(ref _pending) == 0) Send();
                return;
            }

            if (Interlocked.Decrement(ref _pending) == 0) Send();
        }

        /// <summary>The host's own objects the value refers to, and those their values refer to; null when none.</summary>
        private List<ObjectEntry>? Own(ObjectEntry result)
        {
            // Most results hold no refs: one lookup, nothing allocated.
            if (Containment.HeldBy(result.Data) is null) return null;
            List<ObjectEntry>? own = null;
            HashSet<ObjectId>? seen = null;
            var queue = new Queue<ObjectEntry>();
            queue.Enqueue(result);
            while (queue.Count > 0 && (own?.Count ?? 0) < MaxContained)
            {
                var held = Containment.HeldBy(queue.Dequeue().Data);
                if (held is null) continue;
                foreach (var entry in held)
                {
                    if (entry.Foreign || !(seen ??= new HashSet<ObjectId>()).Add(entry.Id)) continue;
                    (own ??= new List<ObjectEntry>()).Add(entry);
                    // Its value may hold refs too, once it is there; a pending one is looked into when it completes.
                    if (entry.IsCompleted) queue.Enqueue(entry);
                }
            }

            return own;
        }

        private void Send()
        {
            var entry = _result!;
            var frame = new JobResultFrame { Key = key };
            if (entry.Error is { } error) frame.Error = error;
            else frame.Value = entry.Memory.ToArray();
            if (_contained is not null)
            {
                var contained = new JobContainedValue[_contained.Count];
                for (var i = 0; i < contained.Length; i++)
                {
                    var c = _contained[i];
                    contained[i] = c.Error is { } failed
                        ? new JobContainedValue { Id = c.Id, Error = failed }
                        : new JobContainedValue { Id = c.Id, Value = c.Memory.ToArray() };
                }

                frame.Contained = contained;
            }

            node.Send(frame);
        }
    }
}
