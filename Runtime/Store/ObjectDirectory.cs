using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using RayGen.Protocol;
using RayGen.Core;
using RayGen.Driver;
using RayGen.InWorker;
using RayGen.WorkerHost;

namespace RayGen.Store;

/// <summary>
/// Mints entries and finds them again by id. Only refs that were serialized (passed inside a value, put in
/// the store) are indexed: a ref held as an object needs no lookup, which keeps submit and Get free of it.
/// </summary>
internal sealed class ObjectDirectory
{
    private readonly ConcurrentDictionary<ObjectId, ObjectEntry> _exported = new();
    private readonly RuntimeCore _runtime;

    public ObjectDirectory(RuntimeCore runtime, long owner)
    {
        _runtime = runtime;
        Owner = owner;
    }

    public long Owner { get; }

    public ObjectEntry NewEntry() => new(ObjectId.Next(Owner), _runtime);

    // Refs serialized into a value the driver holds: found by id while that value (which holds them) lives.
    private readonly ConcurrentDictionary<ObjectId, WeakReference<ObjectEntry>> _contained = new();
    private int _pruneAt = 1024;

    public ObjectId Export(ObjectEntry entry)
    {
        if (_runtime.Driver is null ? Containment.IsOpen : Containment.IsForwarded)
        {
            Containment.Add(entry);
            // A worker's ref travels with the value it is in (the driver's copy of the value holds it); the worker holds it meanwhile.
            if (_runtime.Driver is not null) return entry.Id;
            Index(entry);
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

            if (first) _runtime.Driver?.Escape(entry.Id);
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
        lock (entry)
        {
            if (--entry.Borrowers == 0 && !entry.Escaped) _exported.TryRemove(new KeyValuePair<ObjectId, ObjectEntry>(id, entry));
        }
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
    public ObjectEntry Adopt(ObjectId id) => _exported.GetOrAdd(id, static (id, runtime) => new ObjectEntry(id, runtime), _runtime);

    /// <summary>Driver: the entry of a ref a worker reported inside its result; adopted when the frame that makes it known (a put) is still on its way.</summary>
    public ObjectEntry FindOrAdopt(ObjectId id)
    {
        var entry = _contained.TryGetValue(id, out var weak) && weak.TryGetTarget(out var found) && !_exported.ContainsKey(id) ? found : Adopt(id);
        // Once the worker lets it go, the value holding it is what keeps it: findable by id while that lives.
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

    public ObjectEntry Import(ObjectId id)
    {
        if (_exported.TryGetValue(id, out var entry)) return entry;
        if (_contained.TryGetValue(id, out var weak) && weak.TryGetTarget(out entry)) return entry;
        // In a worker every object belongs to the driver: a ref read here waits for the value the driver sends,
        // and is held weakly so that the driver hears when the worker lets it go.
        if (_runtime.Driver is { } driver) return driver.Import(id);

        var lost = new ObjectEntry(id, _runtime);
        lost.TrySetError(ErrorInfo.Of(ErrorKind.ObjectLost,
            $"Object {id} is not known to this runtime: it belongs to a runtime that has shut down, or was freed."));
        return lost;
    }

    public void Clear()
    {
        _exported.Clear();
        _contained.Clear();
        _borrows.Clear();
    }
}
