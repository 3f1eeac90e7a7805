
namespace RayGen.Core;

/// <summary>
/// Resources the scheduler granted, and the task that holds them now. When a finished task hands its resources
/// straight to the next task of its class, only <see cref="Current"/> changes, with no lock; the scheduler lists
/// the slots (under its lock) so that shutdown can find every running task.
/// </summary>
internal sealed class RunSlot
{
    public RunSlot(TaskSpec task) => Current = task;

    /// <summary>Where the resources came from: the runtime's pool, or a placement group's bundle.</summary>
    public ResourcePool? Pool;

    public volatile TaskSpec? Current;

    public RunSlot? Previous;

    public RunSlot? Next;
}
