using System;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Protocol;

namespace RayGen.Store;

/// <summary>Something that wants to hear when an entry completes (a dependent task, a Wait, a Get of many).</summary>
internal interface IEntryWaiter
{
    void OnEntryCompleted(ObjectEntry entry);
}

/// <summary>
/// One object's slot in this process: pending until its producer completes it with serialized bytes or
/// an error. Refs point at their entry directly, so the hot paths (Get of a ready ref, a dependency check)
/// never look anything up.
/// </summary>
internal sealed class ObjectEntry
{
    internal static readonly byte[] Unit = Array.Empty<byte>();

    // Completion takes no lock: a task's result is set on one thread while the caller subscribes on another, and the
    // two met on this entry's monitor once per task. The waiter list is swapped for s_fired when the result is in,
    // so a subscriber either lands in the list the completer takes or sees s_fired and calls itself.
    private static readonly object s_fired = new();

    private object? _result; // null: pending; byte[]: value; SharedObject: value in shared memory; ErrorInfo: failed
    private object? _waiters; // null, an IEntryWaiter, a WaiterNode (newest first), or s_fired
    private TaskCompletionSource? _completion;

    public ObjectEntry(ObjectId id, IObjectHost host)
    {
        Id = id;
        Host = host;
    }

    public ObjectId Id { get; }

    /// <summary>The runtime this entry belongs to, as far as the store needs to know it.</summary>
    public IObjectHost Host { get; }

    /// <summary>The task whose result this is, so that Cancel can find it; null for Put values.</summary>
    public IObjectProducer? Producer { get; set; }

    public bool IsCompleted => Volatile.Read(ref _result) is not null;

    public bool IsFailed => Volatile.Read(ref _result) is ErrorInfo;

    public byte[]? Data => Volatile.Read(ref _result) as byte[];

    public ErrorInfo? Error => Volatile.Read(ref _result) as ErrorInfo;

    /// <summary>The value when it lives in shared memory (large values in process mode).</summary>
    public SharedObject? Shared => Volatile.Read(ref _result) as SharedObject;

    /// <summary>
    /// The value when it lives elsewhere (a cluster node holds a large result): its bytes come here the first time
    /// something reads them, and its length is known before.
    /// </summary>
    public System.Buffers.MemoryManager<byte>? Remote => Volatile.Read(ref _result) as System.Buffers.MemoryManager<byte>;

    /// <summary>The value's bytes for a task argument: the array, or the shared object as memory (which frames name by file).</summary>
    public ReadOnlyMemory<byte> Memory => Volatile.Read(ref _result) switch
    {
        byte[] data => data,
        SharedObject shared => shared.Memory,
        System.Buffers.MemoryManager<byte> remote => remote.Memory,
        _ => default,
    };

    /// <summary>Driver only: how many workers hold a ref to this object (each counted once); while any do, the directory keeps it.</summary>
    public int Borrowers;

    /// <summary>The ref was serialized into some value's bytes: its id may be read back at any time, so it is kept for the session.</summary>
    public bool Escaped;

    /// <summary>On a cluster node's job host: another runtime (the driver) owns this object and gave its value here.</summary>
    public bool Foreign;

    /// <summary>Driver: the ref was serialized into a value that holds it; the directory finds it by id weakly.</summary>
    public bool Indexed;

    /// <summary>
    /// Driver: a worker's large put, which nothing but the borrow table holds until some path hands the entry out
    /// (<see cref="Exposed"/>): freed as soon as its last borrower lets it go (see <see cref="ObjectDirectory.Release"/>).
    /// </summary>
    public bool FreedWithLastBorrow;

    /// <summary>Driver: the directory handed this entry to something besides the borrow table (an import, a reported ref), which may hold it.</summary>
    public bool Exposed;

    public bool TrySetValue(byte[] data) => TryComplete(data);

    /// <summary>Completes with a stored value: a byte array or a <see cref="SharedObject"/>, which from now on lives as long as this entry.</summary>
    public bool TrySetStored(object value)
    {
        if (value is SharedObject shared)
        {
            shared.Owner = new WeakReference<ObjectEntry>(this);
            if (TryComplete(shared)) return true;
            shared.Owner = null;
            shared.TryFree();
            return false;
        }

        return TryComplete(value);
    }

    public bool TrySetError(ErrorInfo error) => TryComplete(error);

    private bool TryComplete(object result)
    {
        if (Interlocked.CompareExchange(ref _result, result, null) is not null) return false;
        // Nothing needs the task once its result is in; letting it go lets its by-value arguments be freed.
        Producer = null;
        // Read after the result is published: a WhenCompleted that created the source after this read sees the result itself.
        Volatile.Read(ref _completion)?.TrySetResult();
        switch (Interlocked.Exchange(ref _waiters, s_fired))
        {
            case IEntryWaiter one:
                one.OnEntryCompleted(this);
                break;
            case WaiterNode newestFirst:
                NotifyInOrder(newestFirst);
                break;
        }

        return true;
    }

    // Waiters hear in the order they subscribed (dependent tasks queue in submit order).
    private void NotifyInOrder(WaiterNode newestFirst)
    {
        WaiterNode? oldestFirst = null;
        for (var node = newestFirst; node is not null;)
        {
            var next = node.Next;
            node.Next = oldestFirst;
            oldestFirst = node;
            node = next;
        }

        for (var node = oldestFirst; node is not null; node = node.Next) node.Waiter.OnEntryCompleted(this);
    }

    /// <summary>Calls <paramref name="waiter"/> once the entry completes (at once if it has).</summary>
    public void Subscribe(IEntryWaiter waiter)
    {
        var current = Volatile.Read(ref _waiters);
        while (current != s_fired)
        {
            object next = current switch
            {
                null => waiter,
                WaiterNode node => new WaiterNode(waiter, node),
                _ => new WaiterNode(waiter, new WaiterNode((IEntryWaiter)current, null)),
            };
            var seen = Interlocked.CompareExchange(ref _waiters, next, current);
            if (seen == current) return;
            current = seen;
        }

        waiter.OnEntryCompleted(this);
    }

    /// <summary>A task that completes with the entry; continuations run asynchronously so producers never run callers' code.</summary>
    public Task WhenCompleted()
    {
        if (IsCompleted) return Task.CompletedTask;
        var completion = Volatile.Read(ref _completion);
        if (completion is null)
        {
            var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            completion = Interlocked.CompareExchange(ref _completion, created, null) ?? created;
        }

        // Published before this read: either the completer sees the source, or this sees the result (or both).
        if (IsCompleted) completion.TrySetResult();
        return completion.Task;
    }

    private sealed class WaiterNode(IEntryWaiter waiter, WaiterNode? next)
    {
        public IEntryWaiter Waiter { get; } = waiter;
        public WaiterNode? Next { get; set; } = next;
    }

    /// <summary>Blocks until the entry completes or the timeout passes; returns whether it completed.</summary>
    public bool Wait(TimeSpan timeout)
    {
        if (IsCompleted) return true;
        // Task.Wait tells the thread pool that a worker thread is blocked, so nested tasks still get threads.
        // A timed wait may give up and come back (a polling loop): its waiter must not stay behind each time.
        // In process a result is often microseconds away, and Task.Wait's brief spin catches it without sleeping.
        if (Thread.CurrentThread.IsThreadPoolThread || timeout != Timeout.InfiniteTimeSpan || Host.ResultsAreLocal)
            return WhenCompleted().Wait(timeout);
        // Across processes a result is a round trip away: block without spinning first, since the producer needs
        // the core, and on a loaded machine every yield of a spin is a context switch of its own.
        var waiter = new BlockingWaiter();
        Subscribe(waiter);
        waiter.Wait();
        return true;
    }

    /// <summary>Wakes one blocked thread when the entry completes.</summary>
    private sealed class BlockingWaiter : IEntryWaiter
    {
        private readonly Parker _parker = Parker.Current;
        private volatile bool _done;

        public void OnEntryCompleted(ObjectEntry entry)
        {
            _done = true;
            _parker.Unpark();
        }

        public void Wait()
        {
            while (!_done) _parker.Park(Timeout.InfiniteTimeSpan);
        }
    }
}
