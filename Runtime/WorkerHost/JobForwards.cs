using System;
using System.Collections.Concurrent;
using System.Threading;
using RayGen.Core;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.WorkerHost;

/// <summary>
/// A job host's calls of the driver's actors: code running on this node got an actor's handle (an argument, a field
/// of one) and calls it. The driver owns the actor, so each call goes to it through the node and comes back here.
/// </summary>
/// <remarks>
/// Keys start at a random point of a 62-bit space, as the driver's do: a job host started again on the same node must
/// not reuse the keys of the one before, which the driver remembers to skip a batch sent twice.
/// </remarks>
internal sealed class JobForwards : IForwardedActor, INestedTaskSpill
{
    /// <summary>Ids below this are the driver's actors (its ids start at 1 and never come near it).</summary>
    public const long DriverActorIdLimit = 1L << 40;

    /// <summary>
    /// Where this job host's own actors are numbered from: a random multiple of 2^40, so that ids of job hosts on
    /// different nodes (a handle can travel in a spilled task's arguments) never meet, and none is taken for the driver's.
    /// </summary>
    public static readonly long FirstOwnActorId = System.Security.Cryptography.RandomNumberGenerator.GetInt32(1, 1 << 21) * DriverActorIdLimit;

    private readonly FrameConnection _node;
    // Per key: a call (its actor record and task) or a read (the entry the value completes).
    private readonly ConcurrentDictionary<long, object> _pending = new();
    private long _nextKey = System.Security.Cryptography.RandomNumberGenerator.GetInt32(1, int.MaxValue) * (1L << 30);

    private readonly ResourcePool _pool;
    private readonly string _nodeId;

    public JobForwards(FrameConnection node, ResourcePool pool, string nodeId)
    {
        _node = node;
        _pool = pool;
        _nodeId = nodeId;
    }

    public bool TrySpill(TaskSpec task)
    {
        // A stream's items flow to its owner here; the driver could not hand them on: streams stay on their node.
        if (task.Function.IsStream) return false;
        var elsewhere = task.Options.SchedulingStrategy switch
        {
            NodeAffinitySchedulingStrategy affinity => affinity.NodeId != _nodeId,
            PlacementGroupSchedulingStrategy => false, // this runtime's own groups
            null => false,
            _ => ReferenceEquals(task.Options.SchedulingStrategy, SchedulingStrategy.Spread),
        };
        if (!elsewhere && _pool.IsFeasible(task.Request)) return false;
        new SpillWhenReady(this, task).Start();
        return true;
    }

    /// <summary>Waits for the refs among a spilled task's arguments (made here, or still being made), then sends it with their values.</summary>
    private sealed class SpillWhenReady(JobForwards forwards, TaskSpec task) : IEntryWaiter
    {
        private int _waiting = 1;

        public void Start()
        {
            for (var i = 0; i < task.ArgCount; i++)
            {
                if (task.Args[i].Ref is not { } entry) continue;
                Interlocked.Increment(ref _waiting);
                entry.Subscribe(this);
            }

            Arrived();
        }

        public void OnEntryCompleted(ObjectEntry entry)
        {
            if (entry.Error is { } error) task.Result.TrySetError(error); // as any task whose argument failed
            Arrived();
        }

        private void Arrived()
        {
            if (Interlocked.Decrement(ref _waiting) != 0 || task.Result.IsCompleted) return;
            if (ArgumentBytes(task, out var args) is { } failed)
            {
                task.Result.TrySetError(ErrorInfo.FromException(failed, task.Function.DisplayName));
                return;
            }

            forwards.Forward(new JobForwardFrame { FunctionId = task.Function.Id, Args = args, TaskOptions = WireOptions.From(task.Options) }, task.Result);
        }
    }

    public void Call(ActorRecord actor, TaskSpec call)
    {
        if (ArgumentBytes(call, out var args) is { } failed)
        {
            actor.OnCallCompleted(call, null, failed);
            return;
        }

        Forward(new JobForwardFrame { ActorId = actor.Id, FunctionId = call.Function.Id, Args = args }, new PendingCall(actor, call));
    }

    /// <summary>The argument values, copied (they leave this machine); the error instead when one cannot be read.</summary>
    private static Exception? ArgumentBytes(TaskSpec task, out byte[][] args)
    {
        try
        {
            var resolved = task.ResolveArguments();
            args = new byte[resolved.Length][];
            for (var i = 0; i < resolved.Length; i++) args[i] = resolved[i].ToArray();
            return null;
        }
        catch (Exception e) when (e is RayException or InvalidOperationException)
        {
            args = Array.Empty<byte[]>();
            return e;
        }
    }

    public void Kill(ActorRecord actor, bool noRestart) =>
        Forward(new JobForwardFrame { ActorId = actor.Id, Kill = noRestart ? 1 : 2 }, new object());

    /// <summary>A ref of the driver's object reached code here: its value is asked of the driver once and completes <paramref name="entry"/>.</summary>
    public void Fetch(ObjectEntry entry) => Forward(new JobForwardFrame { Object = entry.Id }, entry);

    private void Forward(JobForwardFrame frame, object pending)
    {
        frame.Key = Interlocked.Increment(ref _nextKey);
        _pending[frame.Key] = pending;
        if (!_node.Send(frame)) Complete(frame.Key, null, ErrorInfo.Of(ErrorKind.ActorDied, "The node's connection is closed: the driver cannot be reached."));
    }

    /// <summary>The driver's answer to one forwarded call or read.</summary>
    public void OnResult(JobForwardResultFrame frame)
    {
        // The node could not pull it from where the driver said it was: asked again, for the driver's own copy (made
        // again there when its node died).
        if (frame.PullFailed && _pending.TryRemove(frame.Key, out var pending) && pending is ObjectEntry entry)
        {
            Forward(new JobForwardFrame { Object = entry.Id, ThroughDriver = true }, entry);
            return;
        }

        Complete(frame.Key, frame.Value, frame.Error);
    }

    private void Complete(long key, byte[]? value, ErrorInfo? error)
    {
        switch (_pending.TryRemove(key, out var pending) ? pending : null)
        {
            case PendingCall call:
                call.Actor.OnCallCompleted(call.Call, value, error is null ? null : new ResultNotStoredException(error));
                break;
            case ObjectEntry entry when error is not null:
                entry.TrySetError(error.Kind == ErrorKind.ActorDied ? ErrorInfo.Of(ErrorKind.ObjectLost, error.Message) : error);
                break;
            case ObjectEntry entry:
                entry.TrySetValue(value ?? Array.Empty<byte>());
                break;
        }
    }

    private sealed record PendingCall(ActorRecord Actor, TaskSpec Call);
}
