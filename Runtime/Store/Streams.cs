using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Protocol;

namespace RayGen.Store;

/// <summary>Hands out a stream's items, in order, each once; null at the end. One reader at a time.</summary>
internal interface IStreamReader
{
    ValueTask<ObjectEntry?> NextAsync();
}

/// <summary>Where a running producer puts its items; the task it returns completes when the producer may go on (backpressure).</summary>
internal interface IStreamSink
{
    /// <summary>Adds item <paramref name="index"/>, serialized (a byte array or a <see cref="SharedObject"/>, which the sink takes).</summary>
    ValueTask AddAsync(long index, object stored, CancellationToken cancellationToken);

    /// <summary>The producer stopped, however it stopped.</summary>
    void Close();
}

/// <summary>What a stream handle needs from the runtime its entry belongs to: a reader, and waits done as that role must.</summary>
internal interface IStreamHost
{
    /// <summary>The reader of the stream whose producer's result is <paramref name="stream"/>.</summary>
    IStreamReader OpenStream(ObjectEntry stream);

    ValueTask<ObjectEntry?> NextAsync(IStreamReader reader, CancellationToken cancellationToken);

    /// <summary>Blocks until the next item is there (lending a task's resources meanwhile); null at the end.</summary>
    ObjectEntry? Next(IStreamReader reader);
}

/// <summary>The reader of a stream that ended and was read to its end, or that this runtime never knew.</summary>
internal sealed class EndedStream : IStreamReader
{
    public static readonly EndedStream Instance = new();

    public ValueTask<ObjectEntry?> NextAsync() => new((ObjectEntry?)null);
}

/// <summary>
/// One stream at its owner, as Ray's ObjectRefStream: the items a producer yielded and nobody read yet, the cursor
/// of its readers, and the bound on how far the producer may run ahead. The producer's own result entry
/// (<see cref="Completion"/>) ends it: a value ends it after the last item; an error adds one item that fails
/// with it. Items are entries of their own, handed out (consumed) once each, so the stream keeps none it gave away.
/// </summary>
internal sealed class StreamState : IStreamReader, IStreamSink, IEntryWaiter
{
    private readonly object _lock = new();
    private readonly Queue<ObjectEntry> _ready = new();
    private readonly ObjectDirectory _objects;
    private long _produced;
    private long _consumed;
    private bool _ended;
    private bool _drained;
    private TaskCompletionSource<ObjectEntry?>? _reader;
    private TaskCompletionSource? _room;

    public StreamState(ObjectEntry completion, ObjectDirectory objects, int bound)
    {
        Completion = completion;
        _objects = objects;
        Bound = bound;
    }

    /// <summary>The producer's result: completes when it finished, failed or was cancelled.</summary>
    public ObjectEntry Completion { get; }

    /// <summary>Items produced and not yet consumed at which the producer pauses; 0: no bound.</summary>
    public int Bound { get; }

    public long Consumed
    {
        get
        {
            lock (_lock) return _consumed;
        }
    }

    /// <summary>Called with the new count after each item is consumed, on a bounded stream (the driver tells a producer in a worker).</summary>
    public Action<long>? ConsumedChanged { get; set; }

    /// <summary>Called once, when a reader was told the end: the owner forgets the stream then.</summary>
    public Action<StreamState>? Drained { get; set; }

    /// <summary>
    /// A new pending entry for item <paramref name="index"/>, which the caller completes; null when the stream has it
    /// already (a retried producer yields from 0 again) or ended (cancelled with force, shut down).
    /// </summary>
    public ObjectEntry? TryAdd(long index)
    {
        TaskCompletionSource<ObjectEntry?>? reader;
        ObjectEntry entry;
        long consumed = 0;
        lock (_lock)
        {
            if (_ended || index != _produced) return null;
            _produced++;
            entry = _objects.NewEntry();
            reader = _reader;
            if (reader is null) _ready.Enqueue(entry);
            else
            {
                _reader = null;
                consumed = ++_consumed;
            }
        }

        if (reader is not null)
        {
            reader.TrySetResult(entry);
            OnConsumed(consumed);
        }

        return entry;
    }

    /// <summary>The in-process producer's side: the item goes in, and the producer waits while the bound says so.</summary>
    public ValueTask AddAsync(long index, object stored, CancellationToken cancellationToken)
    {
        if (TryAdd(index) is { } entry) entry.TrySetStored(stored);
        else if (stored is SharedObject shared) shared.TryFree();
        return WaitForRoom(index + 1, cancellationToken);
    }

    void IStreamSink.Close()
    {
    }

    /// <summary>Completes when a producer that has yielded <paramref name="produced"/> items may yield another.</summary>
    public ValueTask WaitForRoom(long produced, CancellationToken cancellationToken)
    {
        if (Bound == 0) return default;
        TaskCompletionSource room;
        lock (_lock)
        {
            if (_ended || produced - _consumed < Bound) return default;
            room = _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return new ValueTask(room.Task.WaitAsync(cancellationToken));
    }

    public ValueTask<ObjectEntry?> NextAsync()
    {
        ObjectEntry? entry;
        TaskCompletionSource? room = null;
        long consumed;
        lock (_lock)
        {
            if (!_ready.TryDequeue(out entry))
            {
                if (!_ended)
                {
                    // A reader that gave up waiting left its source behind: the next one takes it over.
                    _reader ??= new TaskCompletionSource<ObjectEntry?>(TaskCreationOptions.RunContinuationsAsynchronously);
                    return new ValueTask<ObjectEntry?>(_reader.Task);
                }

                var first = !_drained;
                _drained = true;
                if (first) Drained?.Invoke(this);
                return new ValueTask<ObjectEntry?>((ObjectEntry?)null);
            }

            consumed = ++_consumed;
            if (_room is not null && _produced - consumed < Bound)
            {
                room = _room;
                _room = null;
            }
        }

        room?.TrySetResult();
        OnConsumed(consumed);
        return new ValueTask<ObjectEntry?>(entry);
    }

    private void OnConsumed(long consumed)
    {
        if (Bound > 0) ConsumedChanged?.Invoke(consumed);
    }

    /// <summary>The producer's result is in: the stream ends, with one failed item when the producer failed.</summary>
    public void OnEntryCompleted(ObjectEntry completion)
    {
        TaskCompletionSource<ObjectEntry?>? reader;
        TaskCompletionSource? room;
        ObjectEntry? failed = null;
        var drained = false;
        lock (_lock)
        {
            if (_ended) return;
            _ended = true;
            if (completion.Error is { } error)
            {
                failed = _objects.NewEntry();
                failed.TrySetError(error);
                _produced++;
            }

            reader = _reader;
            _reader = null;
            room = _room;
            _room = null;
            if (failed is not null)
            {
                if (reader is null) _ready.Enqueue(failed);
                else _consumed++;
            }
            else if (reader is not null)
            {
                drained = !_drained;
                _drained = true;
            }
        }

        room?.TrySetResult();
        reader?.TrySetResult(failed);
        if (drained) Drained?.Invoke(this);
    }
}

/// <summary>The streams a runtime owns, by their producer's result id, from submit until a reader was told the end.</summary>
internal sealed class StreamTable
{
    private readonly ConcurrentDictionary<ObjectId, StreamState> _streams = new();

    /// <summary>Opens the stream of a producer about to be submitted; its result entry ends it.</summary>
    public StreamState Open(ObjectEntry completion, ObjectDirectory objects, int? bound)
    {
        if (bound is <= 0)
            throw new ArgumentOutOfRangeException(nameof(bound), bound, "RemoteOptions.StreamBackpressure must be positive (or null for no bound).");
        var state = new StreamState(completion, objects, bound ?? 0) { Drained = Forget };
        _streams[completion.Id] = state;
        completion.Subscribe(state);
        return state;
    }

    public StreamState? Find(ObjectId id) => _streams.GetValueOrDefault(id);

    private void Forget(StreamState state) => _streams.TryRemove(new KeyValuePair<ObjectId, StreamState>(state.Completion.Id, state));

    public void Clear() => _streams.Clear();
}
