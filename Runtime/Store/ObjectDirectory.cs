using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using RayGen.Protocol;

namespace RayGen.Store;

/// <summary>
/// Mints entries and finds them again by id. Only refs that were serialized (passed inside a value, put in
/// the store) are indexed: a ref held as an object needs no lookup, which keeps submit and Get free of it.
/// </summary>
internal sealed class ObjectDirectory
{
    private readonly ConcurrentDictionary<ObjectId, ObjectEntry> _exported = new();
    private readonly IObjectHost _host;
    private readonly IObjectOwnership _ownership;

    public ObjectDirectory(IObjectHost host, long owner, IObjectOwnership ownership)
    {
        _host = host;
        _ownership = ownership;
        Owner = owner;
    }

    public long Owner { get; }

    private static volatile ObjectDirectory? s_current;
    [ThreadStatic] private static ObjectDirectory? t_reading;

    /// <summary>The directory of the process's current runtime (set by the core when one starts or stops).</summary>
    public static ObjectDirectory? Current
    {
        get => s_current;
        set => s_current = value;
    }

    /// <summary>
    /// The directory a ref read from bytes now belongs to: the one whose value is being read (see
    /// <see cref="BeginReading"/>), so two runtimes in one process never resolve each other's ids; else the current one.
    /// </summary>
    public static ObjectDirectory Reading(string action) =>
        t_reading ?? s_current ?? throw new RayException($"Cannot {action}: RayGen is not initialized. Call Ray.Init() first.");

    /// <summary>Makes refs read on this thread resolve in this directory until the returned scope ends.</summary>
    public ReadingScope BeginReading()
    {
        var outer = t_reading;
        t_reading = this;
        return new ReadingScope(outer);
    }

    public readonly struct ReadingScope(ObjectDirectory? outer) : IDisposable
    {
        public void Dispose() => t_reading = outer;
    }

    public ObjectEntry NewEntry() => new(ObjectId.Next(Owner), _host);

    /// <summary>An entry for an id minted elsewhere (a worker's put or nested submit, or a ref read from bytes).</summary>
    public ObjectEntry NewEntry(ObjectId id) => new(id, _host);

    // Refs serialized into a value the driver holds: found by id while that value (which holds them) lives.
    private readonly ConcurrentDictionary<ObjectId, WeakReference<ObjectEntry>> _contained = new();
    private int _pruneAt = 1024;

    public ObjectId Export(ObjectEntry entry)
    {
        if (_ownership.CollectsIntoValue)
        {
            Containment.Add(entry);
            // A borrower's ref travels with the value it is in (the owner's copy of the value holds it); the borrower holds it meanwhile.
            if (_ownership.IndexesContained) Index(entry);
            return entry.Id;
        }

        if (!entry.Escaped)
        {
            // Its id now sits in some value's bytes and may be read back at any time: keep it for the session.
            bool first;
            lock (entry)
            {
                first = !entry.Escaped;
                entry.Escaped = true;
                _exported[entry.Id] = entry;
            }

            if (first) _ownership.OnEscaped(entry.Id);
        }

        return entry.Id;
    }

    private void Prune()
    {
        foreach (var (id, weak) in _contained)
        {
            if (!weak.TryGetTarget(out _)) _contained.TryRemove(new KeyValuePair<ObjectId, WeakReference<ObjectEntry>>(id, weak));
        }

        _pruneAt = Math.Max(1024, _contained.Count * 2);
    }

    private readonly ConcurrentDictionary<object, HashSet<ObjectId>> _borrows = new(ReferenceEqualityComparer.Instance);

    /// <summary>Driver: <paramref name="borrower"/> (a worker's connection) holds a ref to the entry; the directory keeps it until released.</summary>
    public void Borrow(object borrower, ObjectEntry entry)
    {
        var set = _borrows.GetOrAdd(borrower, static _ => new HashSet<ObjectId>());
        lock (set)
        {
            if (!set.Add(entry.Id)) return;
        }

        lock (entry)
        {
            entry.Borrowers++;
            _exported[entry.Id] = entry;
        }
    }

    /// <summary>Driver: the borrower let the object go; with no borrower left and its id never serialized, only local refs keep it.</summary>
    public void Release(object borrower, ObjectId id)
    {
        if (!_borrows.TryGetValue(borrower, out var set)) return;
        lock (set)
        {
            if (!set.Remove(id)) return;
        }

        if (!_exported.TryGetValue(id, out var entry)) return;
        bool unreachable;
        lock (entry)
        {
            if (--entry.Borrowers != 0 || entry.Escaped) return;
            _exported.TryRemove(new KeyValuePair<ObjectId, ObjectEntry>(id, entry));
            unreachable = entry.FreedWithLastBorrow && !entry.Exposed && !entry.Indexed;
        }

        // A worker's put that no path in this process ever handed out: nothing reaches it now, so its file is freed
        // (and given back to its writer) at once rather than at the next collection and sweep.
        if (unreachable) entry.Shared?.TryFree();
    }

    /// <summary>Driver: a worker is gone, and with it every ref it held.</summary>
    public void ReleaseAll(object borrower)
    {
        if (!_borrows.TryGetValue(borrower, out var set)) return;
        ObjectId[] ids;
        lock (set) ids = new List<ObjectId>(set).ToArray();
        foreach (var id in ids) Release(borrower, id);
        _borrows.TryRemove(borrower, out _);
    }

    /// <summary>Creates the entry of an object a worker minted the id of (its Put or nested submit), findable by that id.</summary>
    public ObjectEntry Adopt(ObjectId id)
    {
        if (_exported.TryGetValue(id, out var known))
        {
            Expose(known);
            return known;
        }

        return _exported.GetOrAdd(id, static (id, host) => new ObjectEntry(id, host), _host);
    }

    /// <summary>
    /// Driver: the entry of a ref a worker reported inside its result. A worker's puts and submits reach the driver
    /// before the result that holds their refs (one connection, in order), and a ref a worker read is borrowed
    /// while it holds it, so the driver knows every ref a worker can report; an id it does not know was freed or
    /// never existed, and gets an entry failed as lost rather than one that would never complete.
    /// </summary>
    public ObjectEntry FindReported(ObjectId id)
    {
        if (!_exported.TryGetValue(id, out var entry) && !(_contained.TryGetValue(id, out var weak) && weak.TryGetTarget(out entry)))
        {
            entry = NewEntry(id);
            entry.TrySetError(ErrorInfo.Of(ErrorKind.ObjectLost,
                $"Object {id} was reported inside a worker's value, but this driver does not know it (freed, or never put)."));
        }

        // Once the worker lets it go, the value holding it is what keeps it: findable by id while that lives.
        Expose(entry);
        Index(entry);
        return entry;
    }

    /// <summary>
    /// Driver of a cluster: the entry of an object a node made that a run's value refers to (found, or made pending
    /// for its value to come). As a ref a worker reported inside a value, the value is what keeps it: findable by id
    /// while that lives.
    /// </summary>
    public ObjectEntry AdoptContained(ObjectId id, out bool fresh)
    {
        fresh = false;
        if (!_exported.TryGetValue(id, out var entry) && !(_contained.TryGetValue(id, out var weak) && weak.TryGetTarget(out entry)))
        {
            entry = NewEntry(id);
            fresh = true;
        }

        Expose(entry);
        Index(entry);
        return entry;
    }

    private void Index(ObjectEntry entry)
    {
        if (entry.Indexed) return;
        entry.Indexed = true;
        _contained[entry.Id] = new WeakReference<ObjectEntry>(entry);
        if (_contained.Count > _pruneAt) Prune();
    }

    // Under the entry's lock, which Release reads it under.
    private static void Expose(ObjectEntry entry)
    {
        lock (entry) entry.Exposed = true;
    }

    /// <summary>
    /// For a cluster node's job host: completes an entry of an object another runtime (the driver) owns, whose ref
    /// reached code here. Null elsewhere: an unknown id is then a lost object.
    /// </summary>
    public Action<ObjectEntry>? FetchForeign { get; set; }

    public ObjectEntry Import(ObjectId id)
    {
        if (_exported.TryGetValue(id, out var entry) || (_contained.TryGetValue(id, out var weak) && weak.TryGetTarget(out entry)))
        {
            Expose(entry);
            return entry;
        }

        if (FetchForeign is { } fetch && id.Owner != Owner)
        {
            // The first import asks for the value once; later ones (another worker, the same ref again) share the entry.
            var fresh = new ObjectEntry(id, _host) { Foreign = true };
            entry = _exported.GetOrAdd(id, fresh);
            if (ReferenceEquals(entry, fresh)) fetch(entry);
            Expose(entry);
            return entry;
        }

        return _ownership.ImportUnknown(this, id);
    }

    public void Clear()
    {
        _exported.Clear();
        _contained.Clear();
        _borrows.Clear();
    }
}
