using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;

namespace RayGen.Process.Tests;

/// <summary>
/// Tasks that shape the task-worker pool. They synchronise on files the test can see (a pid written, a gate
/// opened, a barrier filled), never on how long something takes.
/// </summary>
public static partial class PoolTasks
{
    /// <summary>How long a gate or barrier is waited for before the task gives up: hang detection, not timing.</summary>
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(90);

    /// <summary>
    /// A nested burst that must run at once: submits <paramref name="width"/> children asking for
    /// <paramref name="childCpus"/> each, which meet at a barrier in <paramref name="barrierDir"/> (none returns
    /// before all of them run), Gets them, and returns the distinct pids of the processes that ran it and them.
    /// While this task blocks in Get its CPU is lent to the children; a worker already running a child is not
    /// free, so the pool has to grow to run them all at once.
    /// </summary>
    [Remote(MaxRetries = 0)]
    public static int[] PidsOfConcurrentChildren(int width, double childCpus, string barrierDir)
    {
        // No retries: a run lost with a worker fails the burst, not hides behind a second attempt.
        var options = new RemoteOptions { NumCpus = childCpus, MaxRetries = 0 };
        var pids = Enumerable.Range(0, width).Select(i => Remote.With(options).MeetThenPid(barrierDir, i, width)).ToArray();
        return Ray.Get(pids).Append(Environment.ProcessId).Distinct().ToArray();
    }

    /// <summary>Enters the barrier as <paramref name="index"/>, waits until all <paramref name="width"/> are in, returns its pid.</summary>
    [Remote]
    public static int MeetThenPid(string barrierDir, int index, int width)
    {
        Directory.CreateDirectory(barrierDir);
        File.WriteAllText(Path.Combine(barrierDir, index.ToString(CultureInfo.InvariantCulture)), "");
        WaitUntil(() => Directory.GetFiles(barrierDir).Length >= width, $"{width} runs at the barrier in {barrierDir}");
        return Environment.ProcessId;
    }

    /// <summary>
    /// Writes its pid to <paramref name="pidFile"/>, then blocks in Get of a child that can never be placed (it asks
    /// for more CPUs than any runtime in these tests has), so its worker counts as free and takes the next task.
    /// </summary>
    [Remote]
    public static int BlocksInGetForever(string pidFile)
    {
        var never = Remote.With(new RemoteOptions { NumCpus = 1000 }).Pid();
        WritePid(pidFile);
        return never.Get();
    }

    /// <summary>Appends its pid to <paramref name="pidFile"/> (one line per attempt), waits for <paramref name="gate"/>, returns its pid.</summary>
    [Remote]
    public static int RecordsPidThenWaitsFor(string pidFile, string gate)
    {
        File.AppendAllText(pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        WaitUntil(() => File.Exists(gate), gate);
        return Environment.ProcessId;
    }

    [Remote]
    public static int Pid() => Environment.ProcessId;

    /// <summary>Written aside and moved into place, so a reader never sees half a line.</summary>
    private static void WritePid(string path)
    {
        var aside = path + ".tmp";
        File.WriteAllText(aside, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        File.Move(aside, path, overwrite: true);
    }

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + NoHang;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"gave up waiting for {what}");
            Thread.Sleep(5);
        }
    }
}

/// <summary>An actor whose only job is to live in a worker of its own.</summary>
[Remote]
public partial class PoolActor
{
    public PoolActor()
    {
    }

    public int Pid() => Environment.ProcessId;
}
