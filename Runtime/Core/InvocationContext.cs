using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Store;
using RayGen.Core;

namespace RayGen.Internal;

/// <summary>The arguments of one invocation and the place its result goes. Used by generated invokers.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class InvocationContext
{
    private ReadOnlyMemory<byte>[] _args;
    private RemoteFunction _function;
    private CancellationToken _cancellationToken;
    private TaskSpec? _task;

    internal InvocationContext(ReadOnlyMemory<byte>[] args, object? instance, CancellationToken cancellationToken, RemoteFunction function)
    {
        _args = args;
        Instance = instance;
        _cancellationToken = cancellationToken;
        _function = function;
    }

    /// <summary>A run of <paramref name="task"/> in this process: its token source is made only if the code asks for the token.</summary>
    internal InvocationContext(ReadOnlyMemory<byte>[] args, object? instance, TaskSpec task)
    {
        _args = args;
        Instance = instance;
        _function = task.Function;
        _task = task;
    }

    /// <summary>A context to be pointed at runs with <see cref="Reuse"/>.</summary>
    internal InvocationContext()
    {
        _args = Array.Empty<ReadOnlyMemory<byte>>();
        _function = null!;
    }

    /// <summary>
    /// Points a context at the next run of a task in this process, so a thread running task after task does not
    /// allocate one each time. Only a context whose previous call completed synchronously is reused: nothing but
    /// the generated invoker sees a context, and once its call is done it holds on to nothing.
    /// </summary>
    internal void Reuse(ReadOnlyMemory<byte>[] args, TaskSpec task)
    {
        _args = args;
        _function = task.Function;
        _task = task;
    }

    /// <summary>Lets go of the run's arguments, task and result once they were handed on.</summary>
    internal void Clear()
    {
        _args = Array.Empty<ReadOnlyMemory<byte>>();
        _task = null;
        Instance = null;
        Result = null;
        SharedResult = null;
        ResultRefs = null;
        CreatedInstance = null;
    }

    /// <summary>Signalled when the call is cancelled with <see cref="Ray.Cancel(ObjectRef, bool)"/>.</summary>
    public CancellationToken CancellationToken => _task is null ? _cancellationToken : _task.GetCancellationToken();

    /// <summary>The actor instance, for actor methods.</summary>
    public object? Instance { get; private set; }

    internal byte[]? Result { get; private set; }

    /// <summary>Where a large result goes: the worker's shared-memory store; null in process, where results stay on the heap.</summary>
    internal SharedStore? Store { get; init; }

    /// <summary>Reads argument <paramref name="index"/>.</summary>
    public T Arg<T>(int index) => ValueCodec<T>.Deserialize(_args[index].Span);

    /// <summary>A large return value a worker wrote straight into shared memory (then <see cref="Result"/> is null).</summary>
    internal SharedObject? SharedResult { get; private set; }

    /// <summary>Records the call's return value.</summary>
    public void SetResult<T>(T value)
    {
        // In a worker the refs written into the result go to the driver with it, whose copy of the result holds them.
        var stored = ObjectValues.Serialize(value, _function.ReturnUsage, Store, out var refs);
        ResultRefs = refs;
        if (stored is SharedObject shared) SharedResult = shared;
        else Result = (byte[])stored;
    }

    /// <summary>The refs serialized into the result (a worker reports their ids with it).</summary>
    internal ObjectEntry[]? ResultRefs { get; private set; }

    /// <summary>The worker's run this call is (0 in process), which names it to the driver when it streams.</summary>
    internal long RunId { get; init; }

    /// <summary>Streams the items of a method returning <c>IEnumerable&lt;T&gt;</c>, each to the owner as it is yielded.</summary>
    public ValueTask StreamItems<T>(IEnumerable<T> source)
    {
        var cancellationToken = CancellationToken;
        var sink = OpenStreamSink();
        IEnumerator<T> items;
        try
        {
            items = source.GetEnumerator();
        }
        catch
        {
            sink.Close();
            throw;
        }

        return StreamItems(items, sink, cancellationToken);
    }

    private async ValueTask StreamItems<T>(IEnumerator<T> items, IStreamSink sink, CancellationToken cancellationToken)
    {
        // Disposing the enumerator runs the producer's finally blocks: a cancelled producer stops even if it never looks at its token.
        try
        {
            for (long index = 0; ; index++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!items.MoveNext()) break;
                var room = sink.AddAsync(index, SerializeItem(items.Current), cancellationToken);
                if (!room.IsCompletedSuccessfully) await room.ConfigureAwait(false);
            }
        }
        finally
        {
            items.Dispose();
            sink.Close();
        }
    }

    /// <summary>Streams the items of a method returning <c>IAsyncEnumerable&lt;T&gt;</c>, each to the owner as it is yielded.</summary>
    public async ValueTask StreamItemsAsync<T>(IAsyncEnumerable<T> source)
    {
        var cancellationToken = CancellationToken;
        var sink = OpenStreamSink();
        try
        {
            var items = source.GetAsyncEnumerator(cancellationToken);
            try
            {
                for (long index = 0; ; index++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!await items.MoveNextAsync().ConfigureAwait(false)) break;
                    var room = sink.AddAsync(index, SerializeItem(items.Current), cancellationToken);
                    if (!room.IsCompletedSuccessfully) await room.ConfigureAwait(false);
                }
            }
            finally
            {
                await items.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            sink.Close();
        }
    }

    // An item is stored as a result is: large ones straight into a worker's shared memory, with the refs inside it held by it.
    private object SerializeItem<T>(T item) => ObjectValues.Serialize(item, _function.ReturnUsage, Store);

    private IStreamSink OpenStreamSink() =>
        _task?.Stream ?? (IStreamSink?)RuntimeCore.Current?.OpenStreamSink(RunId)
        ?? throw new InvalidOperationException($"{_function.DisplayName} streams, but no runtime is running.");

    /// <summary>Records an actor constructor's new instance.</summary>
    public void SetInstance(object instance) => CreatedInstance = instance;

    internal object? CreatedInstance { get; private set; }
}
