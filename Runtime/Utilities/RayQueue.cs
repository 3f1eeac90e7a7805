using System;
using System.Threading.Tasks;
using RayGen.Internal;
using RayGen.Store;
using RayGen.Utilities;

namespace RayGen;

/// <summary>
/// A first-in, first-out queue shared by the driver, tasks and actors (Ray's <c>ray.util.queue.Queue</c>): an actor
/// holds the items, and this object is its handle, a value that can be passed to tasks and actors. With a
/// <c>maxSize</c>, a put on a full queue waits for room and a get on an empty one waits for an item; the non-blocking
/// and timed forms throw <see cref="RayQueueFullException"/> or <see cref="RayQueueEmptyException"/> instead.
/// </summary>
/// <typeparam name="T">The items' type; items are serialized, like any argument.</typeparam>
public sealed class RayQueue<T>
{
    /// <summary>Creates the queue's actor.</summary>
    /// <param name="maxSize">The most items the queue holds; 0 or less: no limit.</param>
    /// <param name="actorOptions">Options for the queue's actor (a name, resources, a placement group).</param>
    public RayQueue(int maxSize = 0, RemoteOptions? actorOptions = null)
    {
        MaxSize = Math.Max(0, maxSize);
        var call = RemoteCall.ForActorConstructor(QueueFunctions.New, actorOptions, 1);
        call.Add<int>(MaxSize);
        Actor = call.CreateActor<QueueActor>();
    }

    internal RayQueue(ActorHandle<QueueActor> actor, int maxSize)
    {
        Actor = actor;
        MaxSize = maxSize;
    }

    internal ActorHandle<QueueActor> Actor { get; }

    /// <summary>The most items the queue holds; 0: no limit.</summary>
    public int MaxSize { get; }

    /// <summary>How many items the queue holds now (a round trip to its actor).</summary>
    public int Count => SizeCall().Get();

    /// <summary>Whether the queue holds no item now.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>Whether the queue holds <see cref="MaxSize"/> items now (never, without a limit).</summary>
    public bool IsFull => MaxSize > 0 && Count >= MaxSize;

    /// <summary>Adds an item at the end; with <paramref name="block"/>, waits for room (at most <paramref name="timeout"/>).</summary>
    /// <exception cref="RayQueueFullException">The queue is full and <paramref name="block"/> is false, or it stayed full for <paramref name="timeout"/>.</exception>
    public void Put(T item, bool block = true, TimeSpan? timeout = null)
    {
        if (!PutCall(item, block ? Seconds(timeout) : 0).Get()) throw Full(block);
    }

    /// <summary>Adds an item at the end, waiting without blocking a thread for room (at most <paramref name="timeout"/>).</summary>
    /// <exception cref="RayQueueFullException">The queue stayed full for <paramref name="timeout"/>.</exception>
    public async Task PutAsync(T item, TimeSpan? timeout = null)
    {
        if (!await PutCall(item, Seconds(timeout))) throw Full(block: true);
    }

    /// <summary>Adds an item if there is room now.</summary>
    /// <exception cref="RayQueueFullException">The queue is full.</exception>
    public void PutNoWait(T item) => Put(item, block: false);

    /// <summary>Takes the oldest item; with <paramref name="block"/>, waits for one (at most <paramref name="timeout"/>).</summary>
    /// <exception cref="RayQueueEmptyException">The queue is empty and <paramref name="block"/> is false, or it stayed empty for <paramref name="timeout"/>.</exception>
    public T Get(bool block = true, TimeSpan? timeout = null) =>
        Read(GetCall(block ? Seconds(timeout) : 0).Get(), block);

    /// <summary>Takes the oldest item, waiting without blocking a thread for one (at most <paramref name="timeout"/>).</summary>
    /// <exception cref="RayQueueEmptyException">The queue stayed empty for <paramref name="timeout"/>.</exception>
    public async Task<T> GetAsync(TimeSpan? timeout = null) => Read(await GetCall(Seconds(timeout)), block: true);

    /// <summary>Takes the oldest item if there is one now.</summary>
    /// <exception cref="RayQueueEmptyException">The queue is empty.</exception>
    public T GetNoWait() => Get(block: false);

    /// <summary>Ends the queue's actor; items still in it are lost, and waiting puts and gets fail.</summary>
    public void Shutdown() => Ray.Kill(Actor);

    /// <inheritdoc />
    public override string ToString() => $"RayQueue<{typeof(T).Name}>(max {MaxSize}, {Actor})";

    private ObjectRef<bool> PutCall(T item, double timeoutSeconds)
    {
        var call = RemoteCall.ForActorMethod(Actor, QueueFunctions.Put, 2);
        call.Add<byte[]>(ValueCodec<T>.Serialize(item, "an item put in a RayQueue"));
        call.Add<double>(timeoutSeconds);
        return call.Submit<bool>();
    }

    private ObjectRef<byte[]?> GetCall(double timeoutSeconds)
    {
        var call = RemoteCall.ForActorMethod(Actor, QueueFunctions.Get, 1);
        call.Add<double>(timeoutSeconds);
        return call.Submit<byte[]?>();
    }

    private ObjectRef<int> SizeCall() => RemoteCall.ForActorMethod(Actor, QueueFunctions.Size, 0).Submit<int>();

    private static T Read(byte[]? item, bool block) =>
        item is null
            ? throw new RayQueueEmptyException(block ? "The queue stayed empty until the get's timeout passed." : "The queue is empty.")
            : ValueCodec<T>.Deserialize(item);

    private static RayQueueFullException Full(bool block) =>
        new(block ? "The queue stayed full until the put's timeout passed." : "The queue is full.");

    // The actor reads below zero as "wait for ever" and zero as "do not wait".
    private static double Seconds(TimeSpan? timeout)
    {
        if (timeout is not { } t || t == System.Threading.Timeout.InfiniteTimeSpan) return -1;
        if (t < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), "timeout must be non-negative.");
        return t.TotalSeconds;
    }
}
