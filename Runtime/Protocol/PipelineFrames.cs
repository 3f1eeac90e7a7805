using MemoryPack;

namespace RayGen.Protocol;

/// <summary>
/// Driver -> worker: a task run sent ahead of its turn. The worker starts it once the run <see cref="After"/> has
/// ended on it (the run ahead holds the CPU it will inherit), one at a time, in the order they came; or gives it
/// back (<see cref="ReturnedRunsFrame"/>) when the run ahead blocks in Get or Wait, or runs long.
/// </summary>
[MemoryPackable]
internal sealed partial class QueuedRunFrame : IFrame
{
    public long After { get; set; }
    public RunFrame Run { get; set; } = null!;
}

/// <summary>
/// Worker -> driver: queued runs the worker gave back without starting them (the run ahead of them blocked or ran
/// long); the driver schedules them again, at no cost to their retries.
/// </summary>
[MemoryPackable]
internal sealed partial class ReturnedRunsFrame : IFrame
{
    public long[] RunIds { get; set; } = System.Array.Empty<long>();
}
