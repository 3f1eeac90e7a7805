using System.Collections.Concurrent;

namespace RayGen.Core;

/// <summary>
/// One scheduling class (Ray's term): the tasks that ask for the same resources, in submit order. The queue is
/// lock-free so that a submit and a thread handing its CPU to the next task need not take the scheduler's lock.
/// </summary>
internal sealed class TaskClass
{
    public TaskClass(ResourceRequest request, bool feasible, BundleTarget? target = null)
    {
        Request = request;
        Feasible = feasible;
        Target = target;
    }

    /// <summary>For tasks scheduled into a placement group: the group and bundle whose resources they use; null for the runtime's pool.</summary>
    public BundleTarget? Target { get; }

    public ResourceRequest Request { get; }

    /// <summary>False when the request exceeds the runtime's totals: its tasks wait until cancelled, and none of them ever runs.</summary>
    public bool Feasible { get; }

    public ConcurrentQueue<TaskSpec> Queue { get; } = new();
}
