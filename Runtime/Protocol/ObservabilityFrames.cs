using MemoryPack;

namespace RayGen.Protocol;

/// <summary>
/// Worker -> driver: one line a worker's code logged (through <c>Ray.GetLogger</c>); the driver writes it to its own
/// logger factory, in the scope of the run it came from. Formatted in the worker: a state object cannot cross.
/// </summary>
[MemoryPackable]
internal sealed partial class LogFrame : IFrame
{
    /// <summary>The run the line was written in; 0 outside any run.</summary>
    public long RunId { get; set; }

    public string Category { get; set; } = "";
    public int Level { get; set; }
    public int EventId { get; set; }
    public string? EventName { get; set; }
    public string Message { get; set; } = "";

    /// <summary>The logged exception's type (full name), message and stack trace; null when none was logged.</summary>
    public ErrorInfo? Exception { get; set; }
}
