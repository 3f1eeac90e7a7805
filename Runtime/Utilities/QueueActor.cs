using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RayGen.Utilities;

/// <summary>
/// The actor behind a <see cref="RayQueue{T}"/>: a bounded FIFO of serialized items. Puts on a full queue and gets on
/// an empty one wait in line (async, so one actor serves many waiting callers at once) until room or an item comes,
/// or their timeout passes.
/// </summary>
internal sealed class QueueActor
{
    private readonly object _lock = new();
    private readonly int _maxSize;
    private readonly Queue<byte[]> _items = new();
    private readonly LinkedList<Waiter<byte[]?>> _getters = new();
    private readonly LinkedList<(Waiter<bool> Waiter, byte[] Item)> _putters = new();

    public QueueActor(int maxSize) => _maxSize = maxSize;

    public int Size()
    {
        lock (_lock) return _items.Count;
    }

    /// <summary>Adds an item; false when the queue stayed full for <paramref name="timeoutSeconds"/> (0: do not wait, below 0: wait for ever).</summary>
    public Task<bool> PutAsync(byte[] item, double timeoutSeconds)
    {
        Waiter<bool> waiter;
        lock (_lock)
        {
            // A getter waits only while the queue is empty: it takes the item straight away.
            while (_getters.First is { } getter)
            {
                _getters.RemoveFirst();
                if (getter.Value.TryComplete(item)) return Task.FromResult(true);
            }

            if (_maxSize <= 0 || _items.Count < _maxSize)
            {
                _items.Enqueue(item);
                return Task.FromResult(true);
            }

            if (timeoutSeconds == 0) return Task.FromResult(false);
            waiter = new Waiter<bool>();
            var node = _putters.AddLast((waiter, item));
            waiter.OnTimeout = () => _putters.Remove(node);
        }

        return waiter.Arm(timeoutSeconds, _lock, timedOut: false);
    }

    /// <summary>Takes the oldest item; null when the queue stayed empty for <paramref name="timeoutSeconds"/> (0: do not wait, below 0: wait for ever).</summary>
    public Task<byte[]?> GetAsync(double timeoutSeconds)
    {
        Waiter<byte[]?> waiter;
        lock (_lock)
        {
            if (_items.TryDequeue(out var item))
            {
                // Room now: the longest-waiting put goes in.
                while (_putters.First is { } putter)
                {
                    _putters.RemoveFirst();
                    if (!putter.Value.Waiter.TryComplete(true)) continue;
                    _items.Enqueue(putter.Value.Item);
                    break;
                }

                return Task.FromResult<byte[]?>(item);
            }

            if (timeoutSeconds == 0) return Task.FromResult<byte[]?>(null);
            waiter = new Waiter<byte[]?>();
            var node = _getters.AddLast(waiter);
            waiter.OnTimeout = () => _getters.Remove(node);
        }

        return waiter.Arm(timeoutSeconds, _lock, timedOut: null);
    }

    /// <summary>One waiting put or get. Completed under the queue's lock, by an item, room, or its timeout, whichever is first.</summary>
    private sealed class Waiter<T>
    {
        private readonly TaskCompletionSource<T> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _done;

        public Action OnTimeout { get; set; } = static () => { };

        public bool TryComplete(T value)
        {
            if (_done) return false;
            _done = true;
            _result.SetResult(value);
            return true;
        }

        public Task<T> Arm(double timeoutSeconds, object gate, T timedOut)
        {
            if (timeoutSeconds < 0) return _result.Task;
            var timer = new Timer(_ =>
            {
                lock (gate)
                {
                    if (_done) return;
                    OnTimeout();
                    TryComplete(timedOut);
                }
            }, null, TimeSpan.FromSeconds(timeoutSeconds), Timeout.InfiniteTimeSpan);
            _result.Task.ContinueWith(static (_, t) => ((Timer)t!).Dispose(), timer, TaskScheduler.Default);
            return _result.Task;
        }
    }
}
