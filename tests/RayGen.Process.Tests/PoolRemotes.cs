using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;

namespace RayGen.Process.Tests;

/// <summary>Tasks that shape the task-worker pool: nested bursts that grow it, runs that share a worker.</summary>
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
        // No retries: a run lost with a worker would fail the burst, not hide behind a second attempt.
        var half = new RemoteOptions { NumCpus = 0.5, MaxRetries = 0 };
        var children = Enumerable.Range(0, width).Select(_ => ProcTasks.Remote.With(half).SleepThenPid(milliseconds)).ToArray();
        return Ray.Get(children).Append(Environment.ProcessId).Distinct().ToArray();
    }

    /// <summary>
    /// Writes its pid to <paramref name="pidFile"/>, then blocks in Get of a child that can never be placed (it asks
    /// for more CPUs than any runtime in these tests has), so its worker counts as free and takes the next task.
    /// </summary>
    [Remote]
    public static int BlocksInGetForever(string pidFile)
    {
        var never = ProcTasks.Remote.With(new RemoteOptions { NumCpus = 1000 }).Pid();
        WritePid(pidFile);
        return never.Get();
    }

    /// <summary>Writes its pid to <paramref name="pidFile"/>, sleeps, then returns its pid.</summary>
    [Remote]
    public static int MarksPidThenSleeps(string pidFile, int milliseconds)
    {
        WritePid(pidFile);
        Thread.Sleep(milliseconds);
        return Environment.ProcessId;
    }

    /// <summary>Written aside and moved into place, so a reader never sees half a number.</summary>
    private static void WritePid(string path)
    {
        var aside = path + ".tmp";
        File.WriteAllText(aside, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        File.Move(aside, path, overwrite: true);
    }
}
