using System.Collections.Generic;

namespace RayGen.Cluster.Nodes;

/// <summary>
/// The run keys a job host was handed lately, so a batch the driver sends again (its first try timed out, yet
/// arrived) runs once: an actor call run twice would change the actor's state twice. Bounded: a resend comes
/// within seconds, long before this many newer runs.
/// </summary>
internal sealed class RecentKeys(int capacity)
{
    private readonly HashSet<long> _keys = new();
    private readonly Queue<long> _order = new();

    /// <summary>Adds the key; false when it was seen already (a duplicate to skip).</summary>
    public bool Add(long key)
    {
        lock (_keys)
        {
            if (!_keys.Add(key)) return false;
            _order.Enqueue(key);
            if (_order.Count > capacity) _keys.Remove(_order.Dequeue());
            return true;
        }
    }
}
