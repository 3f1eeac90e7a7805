using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RayGen.ObjectStore;

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

    private object? _result; // null: pending; byte[]: value; SharedObject: value in shared memory; ErrorInfo: failed
    private object? _waiters; // IEntryWaiter or List<IEntryWaiter>
    private TaskCompletionSource? _completion;

    public ObjectEntry(ObjectId id, Scheduling.RuntimeCore runtime)
    {
        Id = id;
        Runtime = runtime;
    }

    public ObjectId Id { get; }

    public Scheduling.RuntimeCore Runtime { get; }

    /// <summary>The task whose result this is, so that Cancel can find it; null for Put values.</summary>
    public Scheduling.TaskSpec? Producer { get; set; }

    public bool IsCompleted => Volatile.Read(ref _result) is not null;

    public bool IsFailed => Volatile.Read(ref _result) is ErrorInfo;

    public byte[]? Data => Volatile.Read(ref _result) as byte[];

    public ErrorInfo? Error => Volatile.Read(ref _result) as ErrorInfo;

    /// <summary>The value when it lives in shared memory (large values in process mode).</summary>
    public SharedObject? Shared => Volatile.Read(ref _result) as SharedObject;

    /// <summary>The value's bytes for a task argument: the array, or the shared object as memory (which frames name by file).</summary>
    public ReadOnlyMemory<byte> Memory => Volatile.Read(ref _result) switch
    {
        byte[] data => data,
        SharedObject shared => shared.Memory,
        _ => default,
    };

    /// <summary>Driver only: how many workers hold a ref to this object (each counted once); while any do, the directory keeps it.</summary>
    public int Borrowers;

    /// <summary>The ref was serialized into some value's bytes: its id may be read back at any time, so it is kept for the session.</summary>
    public bool Escaped;

    /// <summary>Driver: the ref was serialized into a value that holds it; the directory finds it by id weakly.</summary>
    public bool Indexed;

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
        object? waiters;
        TaskCompletionSource? completion;
        lock (this)
        {
            if (_result is not null) return false;
            Volatile.Write(ref _result, result);
            // Nothing needs the task once its result is in; letting it go lets its by-value arguments be freed.
            Producer = null;
            waiters = _waiters;
            _waiters = null;
            completion = _completion;
        }

        completion?.TrySetResult();
        switch (waiters)
        {
            case IEntryWaiter one:
                one.OnEntryCompleted(this);
                break;
            case List<IEntryWaiter> many:
                foreach (var w in many) w.OnEntryCompleted(this);
                break;
        }

        return true;
    }

    /// <summary>Calls <paramref name="waiter"/> once the entry completes (at once if it has).</summary>
    public void Subscribe(IEntryWaiter waiter)
    {
        lock (this)
        {
            if (_result is null)
            {
                switch (_waiters)
                {
                    case null: _waiters = waiter; break;
                    case IEntryWaiter one: _waiters = new List<IEntryWaiter> { one, waiter }; break;
                    case List<IEntryWaiter> many: many.Add(waiter); break;
                }

                return;
            }
        }

        waiter.OnEntryCompleted(this);
    }

    /// <summary>A task that completes with the entry; continuations run asynchronously so producers never run callers' code.</summary>
    public Task WhenCompleted()
    {
        if (IsCompleted) return Task.CompletedTask;
        lock (this)
        {
            if (_result is not null) return Task.CompletedTask;
            _completion ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _completion.Task;
        }
    }

    /// <summary>Blocks until the entry completes or the timeout passes; returns whether it completed.</summary>
    public bool Wait(TimeSpan timeout)
    {
        if (IsCompleted) return true;
        // Task.Wait tells the thread pool that a worker thread is blocked, so nested tasks still get threads.
        if (Thread.CurrentThread.IsThreadPoolThread) return WhenCompleted().Wait(timeout);
        // Elsewhere block without spinning first: the producer is another process or thread that needs the
        // core, and on a loaded machine every yield of a spin is a context switch of its own.
        var waiter = new BlockingWaiter();
        Subscribe(waiter);
        return waiter.Wait(timeout);
    }

    /// <summary>Wakes one blocked thread when the entry completes.</summary>
    private sealed class BlockingWaiter : IEntryWaiter
    {
        private readonly Internal.Parker _parker = Internal.Parker.Current;
        private volatile bool _done;

        public void OnEntryCompleted(ObjectEntry entry)
        {
            _done = true;
            _parker.Unpark();
        }

        public bool Wait(TimeSpan timeout)
        {
            if (timeout == Timeout.InfiniteTimeSpan)
            {
                while (!_done) _parker.Park(timeout);
                return true;
            }

            var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
            while (!_done)
            {
                var left = deadline - Environment.TickCount64;
                if (left <= 0) return _done;
                _parker.Park(TimeSpan.FromMilliseconds(left));
            }

            return true;
        }
    }
}
