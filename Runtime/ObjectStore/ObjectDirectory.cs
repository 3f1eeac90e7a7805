using System.Collections.Concurrent;

namespace RayGen.ObjectStore;

/// <summary>
/// Mints entries and finds them again by id. Only refs that were serialized (passed inside a value, put in
/// the store) are indexed: a ref held as an object needs no lookup, which keeps submit and Get free of it.
/// </summary>
internal sealed class ObjectDirectory
{
    private readonly ConcurrentDictionary<ObjectId, ObjectEntry> _exported = new();
    private readonly Scheduling.RuntimeCore _runtime;

    public ObjectDirectory(Scheduling.RuntimeCore runtime, long owner)
    {
        _runtime = runtime;
        Owner = owner;
    }

    public long Owner { get; }

    public ObjectEntry NewEntry() => new(ObjectId.Next(Owner), _runtime);

    public ObjectId Export(ObjectEntry entry)
    {
        _exported.TryAdd(entry.Id, entry);
        return entry.Id;
    }

    /// <summary>Creates the entry of an object a worker minted the id of (its Put or nested submit), findable by that id.</summary>
    public ObjectEntry Adopt(ObjectId id) => _exported.GetOrAdd(id, static (id, runtime) => new ObjectEntry(id, runtime), _runtime);

    public ObjectEntry Import(ObjectId id)
    {
        if (_exported.TryGetValue(id, out var entry)) return entry;
        if (_runtime.Driver is { } driver)
        {
            // In a worker every object belongs to the driver: a ref read here waits for the value the driver sends.
            var proxy = new ObjectEntry(id, _runtime);
            entry = _exported.GetOrAdd(id, proxy);
            if (ReferenceEquals(entry, proxy)) driver.Subscribe(proxy);
            return entry;
        }

        var lost = new ObjectEntry(id, _runtime);
        lost.TrySetError(ErrorInfo.Of(ErrorKind.ObjectLost,
            $"Object {id} is not known to this runtime: it belongs to a runtime that has shut down, or was freed."));
        return lost;
    }

    public void Clear() => _exported.Clear();
}
