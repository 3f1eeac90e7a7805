using MemoryPack;

namespace RayGen.Protocol;

/// <summary>Worker -> driver: one item a streaming run produced, in order; sent while the run goes on.</summary>
[MemoryPackable]
internal sealed partial class StreamItemFrame : IFrame
{
    public long RunId { get; set; }

    /// <summary>The item's place in the stream; a retried run yields from 0 again and the driver drops what it has.</summary>
    public long Index { get; set; }

    public Payload Value { get; set; }

    /// <summary>The refs serialized into the item: the driver's copy of it holds them (Ray's containment).</summary>
    public ObjectId[]? Contained { get; set; }
}

/// <summary>
/// Driver -> worker: how many items of a streaming run were consumed, and its backpressure bound (0: none). The
/// first one answers item 0; a run yields nothing past item 0 before it knows its bound.
/// </summary>
[MemoryPackable]
internal sealed partial class StreamAckFrame : IFrame
{
    public long RunId { get; set; }
    public long Consumed { get; set; }
    public int Bound { get; set; }
}

/// <summary>Worker -> driver: code in the worker asks for the next item of a stream (named by its producer's result id).</summary>
[MemoryPackable]
internal sealed partial class StreamNextFrame : IFrame
{
    public long RequestId { get; set; }
    public ObjectId Stream { get; set; }
}

/// <summary>Driver -> worker: the next item's id, or the end of the stream.</summary>
[MemoryPackable]
internal sealed partial class StreamNextReplyFrame : IFrame
{
    public long RequestId { get; set; }
    public ObjectId Item { get; set; }
    public bool End { get; set; }
}
