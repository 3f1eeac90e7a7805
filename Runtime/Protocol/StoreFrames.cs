using MemoryPack;

namespace RayGen.Protocol;

/// <summary>Worker -> driver: the worker's last refs to these objects were collected; it no longer borrows them.</summary>
[MemoryPackable]
internal sealed partial class ReleaseFrame : IFrame
{
    public ObjectId[] Ids { get; set; } = System.Array.Empty<ObjectId>();
}

/// <summary>Worker -> driver: the worker serialized this ref into some value's bytes, so the id may be read anywhere later: keep it.</summary>
[MemoryPackable]
internal sealed partial class EscapeFrame : IFrame
{
    public ObjectId Id { get; set; }
}

/// <summary>Driver -> worker: the store is under pressure (or a test asks): collect, report released refs, then answer.</summary>
[MemoryPackable]
internal sealed partial class CollectFrame : IFrame
{
    public long RequestId { get; set; }
}

/// <summary>Worker -> driver: the answer to a <see cref="CollectFrame"/>, sent after the releases it caused.</summary>
[MemoryPackable]
internal sealed partial class CollectedFrame : IFrame
{
    public long RequestId { get; set; }
}
