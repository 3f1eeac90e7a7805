using System;
using System.Collections;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using MemoryPack;
using RayGen.Store;

namespace RayGen;

/// <summary>
/// The refs to the items of a remote method that returns <c>IAsyncEnumerable&lt;T&gt;</c> or <c>IEnumerable&lt;T&gt;</c>,
/// as Ray's <c>ObjectRefGenerator</c>: each item arrives as soon as the producer yields it, while the producer
/// still runs. Read it with <c>await foreach</c> (or <c>foreach</c>, which blocks for each item).
/// </summary>
/// <remarks>
/// <para>The stream is read once: its owner hands each item out to whichever holder asks next, so two readers
/// share one cursor. <see cref="RemoteOptions.StreamBackpressure"/> bounds the items produced and not yet read;
/// the producer pauses there.</para>
/// <para>An exception in the producer ends the stream: the item after the last value fails with it (its
/// <c>Get</c> throws as a task's would), then the stream ends. <see cref="Ray.Cancel{T}(ObjectRefStream{T}, bool)"/>
/// stops the producer: its token is signalled and it is asked for no more items, and the stream ends with an
/// item that throws <see cref="RayTaskCanceledException"/>.</para>
/// <para>A stream is a value: pass it to a task or an actor, which reads on where the stream stands.</para>
/// </remarks>
/// <typeparam name="T">The items' type.</typeparam>
public sealed class ObjectRefStream<T> : IAsyncEnumerable<ObjectRef<T>>, IEnumerable<ObjectRef<T>>
{
    private IStreamReader? _reader;
    private ObjectRef? _completion;

    internal ObjectRefStream(ObjectEntry entry) => Entry = entry;

    /// <summary>The producer's own result: the stream's id, what Cancel stops and what <see cref="Completion"/> waits for.</summary>
    internal ObjectEntry Entry { get; }

    /// <summary>
    /// Completes when the producer has finished; faults with its error (or <see cref="RayTaskCanceledException"/>)
    /// when it failed. The items already produced stay readable.
    /// </summary>
    public ObjectRef Completion => _completion ??= new ObjectRef(Entry);

    private IStreamHost Host => (IStreamHost)Entry.Host;

    private IStreamReader Reader
    {
        get
        {
            if (Volatile.Read(ref _reader) is { } reader) return reader;
            var opened = Host.OpenStream(Entry);
            return Interlocked.CompareExchange(ref _reader, opened, null) ?? opened;
        }
    }

    /// <summary>Reads the items as they arrive; each <c>MoveNextAsync</c> completes when the next item is there or the stream ended.</summary>
    public IAsyncEnumerator<ObjectRef<T>> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        new AsyncEnumerator(this, cancellationToken);

    /// <summary>Reads the items as they arrive; each <c>MoveNext</c> blocks until the next item is there or the stream ended.</summary>
    public IEnumerator<ObjectRef<T>> GetEnumerator() => new Enumerator(this);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => $"ObjectRefStream({Entry.Id})";

    private sealed class AsyncEnumerator(ObjectRefStream<T> stream, CancellationToken cancellationToken) : IAsyncEnumerator<ObjectRef<T>>
    {
        public ObjectRef<T> Current { get; private set; } = null!;

        public ValueTask<bool> MoveNextAsync()
        {
            var next = stream.Host.NextAsync(stream.Reader, cancellationToken);
            if (next.IsCompletedSuccessfully) return new ValueTask<bool>(Take(next.Result));
            return Await(next);
        }

        private async ValueTask<bool> Await(ValueTask<ObjectEntry?> next) => Take(await next.ConfigureAwait(false));

        private bool Take(ObjectEntry? entry)
        {
            if (entry is null) return false;
            Current = new ObjectRef<T>(entry);
            return true;
        }

        public ValueTask DisposeAsync() => default;
    }

    private sealed class Enumerator(ObjectRefStream<T> stream) : IEnumerator<ObjectRef<T>>
    {
        public ObjectRef<T> Current { get; private set; } = null!;

        object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (stream.Host.Next(stream.Reader) is not { } entry) return false;
            Current = new ObjectRef<T>(entry);
            return true;
        }

        public void Reset() => throw new NotSupportedException("A stream is read once; its items are not kept after they were handed out.");

        public void Dispose()
        {
        }
    }
}

/// <summary>Writes a stream as its producer's result ref; reading it back names the same stream in the current runtime.</summary>
internal sealed class ObjectRefStreamFormatter<T> : MemoryPackFormatter<ObjectRefStream<T>>
{
    public override void Serialize<TBufferWriter>(ref MemoryPackWriter<TBufferWriter> writer, scoped ref ObjectRefStream<T>? value) =>
        RefWire.Write(ref writer, value?.Entry);

    public override void Deserialize(ref MemoryPackReader reader, scoped ref ObjectRefStream<T>? value) =>
        value = RefWire.Read(ref reader) is { } entry ? new ObjectRefStream<T>(entry) : null;
}
