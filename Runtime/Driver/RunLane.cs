using System.Collections.Generic;
using RayGen.Core;

namespace RayGen.Driver;

/// <summary>
/// Task runs of one scheduling class sent to one worker in a row (pipelining). The first holds the resources the
/// scheduler granted; the others hold nothing and wait on the worker (<see cref="Protocol.QueuedRunFrame"/>), each
/// inheriting the resources when the run ahead ends. So NumCpus still bounds what runs at once, while a worker
/// has its next tasks at hand when one ends: results and new runs travel in batches, a wake-up each.
/// </summary>
/// <remarks>
/// Guarded by its own lock (taken before a worker's, never inside it). A lane closes, and takes no more runs,
/// when its running run blocks or runs long (the worker gives back what waits behind it) or its worker leaves;
/// it ends when its last run ends, and the resources go back to the scheduler with that run.
/// </remarks>
internal sealed class RunLane
{
    public RunLane(TaskClass taskClass, WorkerRun first)
    {
        Class = taskClass;
        Runs.Add(first);
    }

    public TaskClass Class { get; }

    /// <summary>The lane's runs in the order the worker runs them; the first holds the resources.</summary>
    public List<WorkerRun> Runs { get; } = new(RunPipeline.Depth);

    /// <summary>No more runs join: the running one blocked or ran long, or the worker is leaving.</summary>
    public bool Closed { get; set; }
}
