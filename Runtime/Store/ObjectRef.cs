using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Store;

namespace RayGen;

/// <summary>
/// A future for the result of a remote call that returns nothing (or any value, read untyped). Awaitable;
/// <see cref="Get()"/> blocks until the call finished and throws what it threw.
/// </summary>
/// <remarks>A ref is a value: it can be passed to tasks and actors, returned, and put in the object store.</remarks>
public class ObjectRef
{
    internal ObjectRef(ObjectEntry entry) => Entry = entry;

    internal ObjectEntry Entry { get; }

    /// <summary>Whether the value (or the error) is available now.</summary>
    public bool IsReady => Entry.IsCompleted;

    /// <summary>Blocks until the remote call finished; throws its error if it failed.</summary>
    public void Get() => Entry.Host.WaitReady(Entry, Timeout.InfiniteTimeSpan);

    /// <summary>Blocks until the remote call finished or <paramref name="timeout"/> passed.</summary>
    /// <exception cref="GetTimeoutException">The timeout passed first.</exception>
    public void Get(TimeSpan timeout) => Entry.Host.WaitReady(Entry, timeout);

    /// <summary>Completes when the remote call finished; faults with its error if it failed.</summary>
    public Task GetAsync(CancellationToken cancellationToken = default) =>
        Entry.Host.WhenReady(Entry, cancellationToken);

    /// <summary>Makes the ref awaitable: <c>await reference;</c>.</summary>
    public TaskAwaiter GetAwaiter() => GetAsync().GetAwaiter();

    /// <inheritdoc />
    public override string ToString() => $"ObjectRef({Entry.Id})";
}

/// <summary>
/// A typed future for the result of a remote call, or a value put in the object store. Awaitable;
/// <see cref="Get()"/> blocks until the value is ready and returns a fresh copy of it.
/// </summary>
/// <typeparam name="T">The value's type.</typeparam>
public sealed class ObjectRef<T> : ObjectRef
{
    internal ObjectRef(ObjectEntry entry) : base(entry) { }

    /// <summary>Blocks until the value is ready and returns it; throws the producer's error if it failed.</summary>
    public new T Get()
    {
        var data = Entry.Data;
        return data is not null ? ObjectValues.Read<T>(Entry, data) : Entry.Host.Read<T>(Entry, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Blocks until the value is ready or <paramref name="timeout"/> passed.</summary>
    /// <exception cref="GetTimeoutException">The timeout passed first.</exception>
    public new T Get(TimeSpan timeout) => Entry.Host.Read<T>(Entry, timeout);

    /// <summary>Completes with the value once it is ready.</summary>
    public new ValueTask<T> GetAsync(CancellationToken cancellationToken = default)
    {
        var data = Entry.Data;
        return data is not null
            ? new ValueTask<T>(ObjectValues.Read<T>(Entry, data))
            : new ValueTask<T>(Entry.Host.ReadAsync<T>(Entry, cancellationToken));
    }

    /// <summary>Makes the ref awaitable: <c>T value = await reference;</c>.</summary>
    public new ValueTaskAwaiter<T> GetAwaiter() => GetAsync().GetAwaiter();
}
