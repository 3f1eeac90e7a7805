using System;
using System.Collections.Generic;
using System.Linq;

namespace RayGen;

/// <summary>
/// Runs work over a fixed set of actors (Ray's <c>ray.util.ActorPool</c>): each submission goes to an idle actor, or
/// waits until one is free (submissions are lazy, as in Ray), and results are taken in submit order
/// (<see cref="GetNext{T}"/>) or as they complete (<see cref="GetNextUnordered{T}"/>). Not thread-safe: one caller
/// drives a pool, as in Ray.
/// </summary>
/// <typeparam name="TActor">The actor class.</typeparam>
public sealed class ActorPool<TActor> where TActor : class
{
    private readonly Queue<ActorHandle<TActor>> _idle = new();
    private readonly Dictionary<ObjectRef, (long Index, ActorHandle<TActor> Actor)> _inFlight = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<long, ObjectRef> _byIndex = new();
    private readonly Queue<Func<ActorHandle<TActor>, ObjectRef>> _pending = new();
    private long _nextTaskIndex;
    private long _nextReturnIndex;

    /// <summary>Creates a pool over <paramref name="actors"/>, all idle.</summary>
    public ActorPool(IEnumerable<ActorHandle<TActor>> actors)
    {
        ArgumentNullException.ThrowIfNull(actors);
        foreach (var actor in actors) Push(actor);
    }

    /// <summary>Whether results are still to be taken (some submission is running).</summary>
    public bool HasNext => _inFlight.Count > 0;

    /// <summary>Whether an actor is idle and no submission waits for one.</summary>
    public bool HasFree => _idle.Count > 0 && _pending.Count == 0;

    /// <summary>
    /// Applies <paramref name="fn"/> to every value and returns the results in the order of <paramref name="values"/>.
    /// Everything is submitted before this returns; the results are taken as the sequence is read. Results of earlier
    /// submissions not yet taken are discarded first, as Ray's <c>map</c> does.
    /// </summary>
    /// <param name="fn">Calls the actor, e.g. <c>(actor, x) =&gt; actor.Add(x)</c>.</param>
    /// <param name="values">The inputs.</param>
    public IEnumerable<TResult> Map<TValue, TResult>(Func<ActorHandle<TActor>, TValue, ObjectRef<TResult>> fn, IEnumerable<TValue> values)
    {
        var count = SubmitAll(fn, values);
        return Results(count, ordered: true);

        IEnumerable<TResult> Results(int n, bool ordered)
        {
            for (var i = 0; i < n; i++) yield return ordered ? GetNext<TResult>() : GetNextUnordered<TResult>();
        }
    }

    /// <summary>As <see cref="Map{TValue, TResult}"/>, but each result is returned as soon as it is ready, in completion order.</summary>
    public IEnumerable<TResult> MapUnordered<TValue, TResult>(Func<ActorHandle<TActor>, TValue, ObjectRef<TResult>> fn, IEnumerable<TValue> values)
    {
        var count = SubmitAll(fn, values);
        return Results(count);

        IEnumerable<TResult> Results(int n)
        {
            for (var i = 0; i < n; i++) yield return GetNextUnordered<TResult>();
        }
    }

    private int SubmitAll<TValue, TResult>(Func<ActorHandle<TActor>, TValue, ObjectRef<TResult>> fn, IEnumerable<TValue> values)
    {
        ArgumentNullException.ThrowIfNull(fn);
        ArgumentNullException.ThrowIfNull(values);
        // Leftovers of earlier submissions would be taken in place of this map's results.
        while (HasNext) Discard();
        var count = 0;
        foreach (var value in values)
        {
            Submit(fn, value);
            count++;
        }

        return count;
    }

    /// <summary>
    /// Schedules <paramref name="fn"/> on an idle actor now, or on the first actor that becomes free (when a result is
    /// taken). Results come back through <see cref="GetNext{T}"/> or <see cref="GetNextUnordered{T}"/>.
    /// </summary>
    public void Submit<TValue>(Func<ActorHandle<TActor>, TValue, ObjectRef> fn, TValue value)
    {
        ArgumentNullException.ThrowIfNull(fn);
        if (_idle.Count > 0) Start(_idle.Dequeue(), actor => fn(actor, value));
        else _pending.Enqueue(actor => fn(actor, value));
    }

    /// <summary>The result of the oldest submission not yet taken; blocks until it is ready.</summary>
    /// <param name="timeout">How long to wait; null: as long as it takes.</param>
    /// <exception cref="InvalidOperationException">No results are left, or results were taken out of order before.</exception>
    /// <exception cref="GetTimeoutException">The result was not ready within <paramref name="timeout"/>.</exception>
    public T GetNext<T>(TimeSpan? timeout = null)
    {
        if (!HasNext) throw new InvalidOperationException("The pool has no more results to get.");
        if (_nextReturnIndex >= _nextTaskIndex)
            throw new InvalidOperationException("GetNext cannot be called after GetNextUnordered took a later result; keep to one of them.");
        var future = _byIndex[_nextReturnIndex];
        var typed = Typed<T>(future);
        if (timeout is { } limit && Ray.Wait(new[] { typed }, 1, limit).Ready.Count == 0)
            throw new GetTimeoutException($"The pool's next result was not ready within {limit.TotalMilliseconds} ms.");
        _byIndex.Remove(_nextReturnIndex);
        _nextReturnIndex++;
        var (_, actor) = _inFlight[future];
        _inFlight.Remove(future);
        Return(actor);
        return typed.Get();
    }

    /// <summary>Any result that is ready (the first to complete); blocks until one is.</summary>
    /// <param name="timeout">How long to wait; null: as long as it takes.</param>
    /// <exception cref="InvalidOperationException">No results are left.</exception>
    /// <exception cref="GetTimeoutException">No result was ready within <paramref name="timeout"/>.</exception>
    public T GetNextUnordered<T>(TimeSpan? timeout = null)
    {
        if (!HasNext) throw new InvalidOperationException("The pool has no more results to get.");
        var future = TakeFirstReady(timeout)
                     ?? throw new GetTimeoutException($"No result of the pool was ready within {timeout?.TotalMilliseconds} ms.");
        return Typed<T>(future).Get();
    }

    /// <summary>Adds an actor to the pool, idle (or straight to a waiting submission).</summary>
    /// <exception cref="ArgumentException">The actor is in the pool already.</exception>
    public void Push(ActorHandle<TActor> actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var id = actor.State.Id;
        if (_idle.Any(a => a.State.Id == id) || _inFlight.Values.Any(v => v.Actor.State.Id == id))
            throw new ArgumentException($"{actor} already belongs to this pool.", nameof(actor));
        Return(actor);
    }

    /// <summary>Takes an idle actor out of the pool; null when none is idle (or submissions wait for one).</summary>
    public ActorHandle<TActor>? PopIdle() => HasFree ? _idle.Dequeue() : null;

    private void Start(ActorHandle<TActor> actor, Func<ActorHandle<TActor>, ObjectRef> call)
    {
        var future = call(actor) ?? throw new InvalidOperationException("The function given to the pool returned no ref.");
        _inFlight[future] = (_nextTaskIndex, actor);
        _byIndex[_nextTaskIndex] = future;
        _nextTaskIndex++;
    }

    private void Return(ActorHandle<TActor> actor)
    {
        if (_pending.Count > 0) Start(actor, _pending.Dequeue());
        else _idle.Enqueue(actor);
    }

    private void Discard() => TakeFirstReady(timeout: null);

    // The first submission to complete leaves the pool's books and its actor goes back; null when none did in time.
    private ObjectRef? TakeFirstReady(TimeSpan? timeout)
    {
        var running = _inFlight.Keys.ToList();
        // Only completion matters here: typed views of the refs let Ray.Wait take results of any type together.
        var views = running.ConvertAll(r => new ObjectRef<byte>(r.Entry));
        var ready = Ray.Wait(views, 1, timeout).Ready;
        if (ready.Count == 0) return null;
        var future = running[views.IndexOf(ready[0])];
        var (index, actor) = _inFlight[future];
        _inFlight.Remove(future);
        _byIndex.Remove(index);
        _nextReturnIndex = Math.Max(_nextReturnIndex, index + 1);
        Return(actor);
        return future;
    }

    private static ObjectRef<T> Typed<T>(ObjectRef future) =>
        future as ObjectRef<T> ?? throw new InvalidCastException(
            $"A result of this pool is a {future.GetType().Name}, not an ObjectRef<{typeof(T).Name}>: ask for the type the function returns.");
}
