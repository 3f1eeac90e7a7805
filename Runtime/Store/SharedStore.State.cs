using System.Collections.Generic;
using System.Threading;

namespace RayGen.Store;

// What observability reads of the store: its figures (metrics) and the objects it holds (the State API).
internal sealed partial class SharedStore
{
    /// <summary>Bytes in shared memory, bytes spilled, the capacity, and the objects tracked now.</summary>
    internal (long Used, long Spilled, long Capacity, long Objects) Figures()
    {
        long objects;
        lock (_objects) objects = _objects.Count;
        return (Interlocked.Read(ref _used), SpillUsed, _capacity, objects);
    }

    /// <summary>The objects this store tracks now (freed ones left out).</summary>
    internal List<SharedObject> ObjectsSnapshot()
    {
        var list = new List<SharedObject>();
        lock (_objects)
        {
            foreach (var shared in _objects)
            {
                if (!shared.IsFreed) list.Add(shared);
            }
        }

        return list;
    }
}
