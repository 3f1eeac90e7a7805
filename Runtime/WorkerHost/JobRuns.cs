using System;
using System.Collections.Concurrent;
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
    }

    /// <summary>The driver cancelled a run: as Ray.Cancel here (the token is signalled; forced, a task's worker is killed).</summary>
    public void Cancel(JobCancelFrame frame)
    {
        if (_running.TryGetValue(frame.Key, out var result)) _runtime.Cancel(result, frame.Force);
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

    /// <summary>Sends a run's value (copied out of the store: it leaves this machine) or its error, once.</summary>
    private sealed class Reporter(FrameConnection node, long key, ConcurrentDictionary<long, ObjectEntry> running) : IEntryWaiter
    {
        public void OnEntryCompleted(ObjectEntry entry)
        {
            running.TryRemove(key, out _);
            var frame = new JobResultFrame { Key = key };
            if (entry.Error is { } error) frame.Error = error;
            else frame.Value = entry.Memory.ToArray();
            node.Send(frame);
        }
    }
}
