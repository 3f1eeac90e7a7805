using System.Collections.Concurrent;

namespace RayGen.Protocol;

/// <summary>
/// The sends a runtime's connections hold back (see <see cref="FrameConnection.DeferSends"/> and
/// <see cref="FrameConnection.CorkWhileReading"/>), flushed together: a burst of submissions then leaves in one
/// write per peer instead of one each. Whoever creates a runtime's connections creates one of these and hands it
/// to all of them, so flushing it writes that runtime's frames and never another runtime's in the same process.
/// </summary>
internal sealed class SendDeferral
{
    // Writers holding deferred frames, in the order they first deferred; each is listed once until flushed.
    private readonly ConcurrentQueue<FrameWriter> _pending = new();

    /// <summary>Writes every frame held back by the connections sharing this deferral (cheap when there are none).</summary>
    public void FlushAll()
    {
        while (_pending.TryDequeue(out var writer)) writer.FlushDeferred();
    }

    /// <summary>Lists a writer that just began holding frames back.</summary>
    internal void Add(FrameWriter writer) => _pending.Enqueue(writer);
}
