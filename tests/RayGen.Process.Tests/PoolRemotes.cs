using System;
using System.Linq;

namespace RayGen.Process.Tests;

/// <summary>Tasks that shape the task-worker pool: nested bursts that grow it.</summary>
public static partial class PoolTasks
{
    /// <summary>
    /// A nested burst: submits <paramref name="width"/> children that ask for half a CPU each and sleep, Gets them all,
    /// and returns the distinct pids of the processes that ran it and them. More runs fit the CPUs than there are
    /// workers, so the pool grows (whole-CPU tasks never outnumber the workers with a free slot).
    /// </summary>
    [Remote]
    public static int[] PidsOfFanOut(int width, int milliseconds)
    {
        var half = new RemoteOptions { NumCpus = 0.5 };
        var children = Enumerable.Range(0, width).Select(_ => ProcTasks.Remote.With(half).SleepThenPid(milliseconds)).ToArray();
        return Ray.Get(children).Append(Environment.ProcessId).Distinct().ToArray();
    }
}
