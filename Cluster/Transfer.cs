using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RayGen.Cluster;

/// <summary>
/// How the cluster keeps every engine message small: queued items leave in batches bounded by bytes, and a large
/// value moves as chunks, a few in flight at once. Both directions (driver to node, node to driver) use these.
/// </summary>
internal static class Transfer
{
    /// <summary>
    /// Removes from the head of <paramref name="queue"/> the items that fit in <paramref name="limit"/> bytes (at least
    /// one, however large: its size was checked when it was queued) and returns them in order. The caller locks.
    /// </summary>
    public static List<T> TakeBatch<T>(List<T> queue, Func<T, long> weight, long limit)
    {
        var batch = new List<T>();
        long bytes = 0;
        var i = 0;
        for (; i < queue.Count; i++)
        {
            var size = weight(queue[i]);
            if (batch.Count > 0 && bytes + size > limit) break;
            batch.Add(queue[i]);
            bytes += size;
        }

        queue.RemoveRange(0, i);
        return batch;
    }

    /// <summary>
    /// Runs <paramref name="move"/> (offset, count) once for every chunk of a value of <paramref name="length"/> bytes,
    /// <paramref name="inFlight"/> at a time: one at a time would leave the link idle for a round trip per chunk.
    /// </summary>
    public static Task InChunksAsync(long length, int chunkBytes, int inFlight, Func<long, int, Task> move)
    {
        var chunks = (int)((length + chunkBytes - 1) / chunkBytes);
        var next = -1;
        async Task Worker()
        {
            for (int index; (index = Interlocked.Increment(ref next)) < chunks;)
            {
                var offset = (long)index * chunkBytes;
                await move(offset, (int)Math.Min(chunkBytes, length - offset));
            }
        }

        return Task.WhenAll(Enumerable.Range(0, Math.Min(inFlight, chunks)).Select(_ => Worker()));
    }
}
