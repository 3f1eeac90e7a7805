using MemoryPack;

namespace RayGen.Protocol;

/// <summary>
/// Driver -> worker: a file this worker wrote (a large result or put, handed over) was freed; it is the worker's
/// again to write its next large value into, through the map it kept. The driver still counts its bytes against the
/// store's capacity until the worker says otherwise (<see cref="LentFilesSettledFrame"/>), or puts a value into it
/// that takes the charge over (<see cref="PutFrame.TakesOver"/>).
/// </summary>
[MemoryPackable]
internal sealed partial class FileFreedFrame : IFrame
{
    public string Name { get; set; } = "";
}

/// <summary>
/// Worker -> driver: files the driver gave back (<see cref="FileFreedFrame"/>) that the worker has written a new value
/// into (under a new name, handed over next) or deleted: the driver stops counting them.
/// </summary>
[MemoryPackable]
internal sealed partial class LentFilesSettledFrame : IFrame
{
    public string[] Names { get; set; } = System.Array.Empty<string>();
}

/// <summary>
/// Worker -> driver: about to write a large value, the worker asks the driver to free now what nothing reaches (it has
/// just reported its own releases). The driver collects, gives freed files back, then answers with an
/// <see cref="ActorReplyFrame"/> of the same request id.
/// </summary>
[MemoryPackable]
internal sealed partial class ReclaimFilesFrame : IFrame
{
    public long RequestId { get; set; }
}
