using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RayGen.Process.Tests;

public static partial class ProcTasks
{
    [Remote]
    public static int Pid() => Environment.ProcessId;

    /// <summary>What a task sees of its cluster: the nodes as <c>ID|ALIVE|CPU</c>, and the CPU totals, free and in all.</summary>
    [Remote]
    public static string[] ClusterSeenFromATask() =>
    [
        .. Ray.Nodes().Select(n => $"{n.NodeId}|{n.IsAlive}|{n.Resources.GetValueOrDefault("CPU")}"),
        $"total {Ray.ClusterResources()["CPU"]}",
        $"free {Ray.AvailableResources()["CPU"]}",
    ];

    [Remote]
    public static int SleepThenPid(int milliseconds)
    {
        Thread.Sleep(milliseconds);
        return Environment.ProcessId;
    }

    [Remote]
    public static byte[] Reverse(byte[] data)
    {
        var copy = (byte[])data.Clone();
        Array.Reverse(copy);
        return copy;
    }

    [Remote]
    public static int Throws(string message) => throw new InvalidOperationException(message);

    [Remote]
    public static int[] ThrowsArray(string message) => throw new InvalidOperationException(message);

    /// <summary>Kills its own process the first time (a marker file remembers, holding the pid that crashed), returns 42 after.</summary>
    [Remote]
    public static int CrashOnce(string marker)
    {
        if (!File.Exists(marker))
        {
            Mark(marker, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Environment.FailFast("crashing on purpose");
        }

        return 42;
    }

    [Remote]
    public static int Fib(int n)
    {
        if (n < 2) return n;
        var a = Remote.Fib(n - 1);
        var b = Remote.Fib(n - 2);
        return a.Get() + b.Get();
    }

    [Remote]
    public static long SumOfPut(int count)
    {
        var data = Ray.Put(Enumerable.Range(0, count).ToArray());
        return Remote.Sum(data).Get();
    }

    [Remote]
    public static long Sum(int[] values) => values.Sum(v => (long)v);

    [Remote]
    public static double SumDoubles(double[] values)
    {
        var sum = 0.0;
        foreach (var v in values) sum += v;
        return sum;
    }

    /// <summary>In a worker: Wait on a ref that never finishes and one that has, for one; true if it returns exactly the finished one.</summary>
    [Remote]
    public static bool WaitReturnsTheFinishedRef()
    {
        var done = Remote.Pid();
        done.Get();
        var pending = Remote.WaitsForCancel();
        var (ready, notReady) = Ray.Wait(new[] { pending, done }, numReturns: 1, timeout: TimeSpan.FromSeconds(20));
        Ray.Cancel(pending);
        return ready.Count == 1 && ready[0] == done && notReady.Count == 1 && notReady[0] == pending;
    }

    [Remote]
    public static async Task<int> WaitsForCancel(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return 0;
    }

    /// <summary>Writes its pid to <paramref name="started"/>, awaits its token, and marks <paramref name="observed"/> when the token ends the await.</summary>
    [Remote]
    public static async Task<int> PidThenAwaitCancellation(string started, string observed, CancellationToken cancellationToken)
    {
        Mark(started, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Mark(observed, "cancelled");
            throw;
        }

        return 0;
    }

    /// <summary>Writes its pid to <paramref name="started"/>, then sleeps for ever, deaf to cancellation.</summary>
    [Remote]
    public static int PidThenSleepForever(string started)
    {
        Mark(started, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }

    /// <summary>Marks <paramref name="mine"/> and waits for <paramref name="other"/>; returns its pid if the two met (they ran at once), else -1.</summary>
    [Remote]
    public static int RendezvousThenPid(string mine, string other)
    {
        Mark(mine, "here");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!File.Exists(other))
        {
            if (DateTime.UtcNow > deadline) return -1;
            Thread.Sleep(5);
        }

        return Environment.ProcessId;
    }

    /// <summary>Writes a whole file at once (aside, then moved into place), so a reader never sees part of it.</summary>
    private static void Mark(string path, string text)
    {
        var aside = path + ".tmp";
        File.WriteAllText(aside, text);
        File.Move(aside, path, overwrite: true);
    }

}

public static partial class ActorUsers
{
    [Remote]
    public static int CountOn(ActorHandle<PidActor> actor) => actor.Count().Get();

    [Remote]
    public static ActorHandle<PidActor> Create(int start, string name)
    {
        var actor = PidActor.Remote.With(new RemoteOptions { Name = name }).New(start);
        actor.Count().Get();
        return actor;
    }

    [Remote]
    public static int CountByName(string name) => Ray.GetActor<PidActor>(name).Count().Get();

    [Remote]
    public static string NewWithTakenName(string name)
    {
        try
        {
            PidActor.Remote.With(new RemoteOptions { Name = name }).New(0);
            return "created";
        }
        catch (RayException e)
        {
            return e.Message;
        }
    }

    [Remote]
    public static bool KillIt(ActorHandle<PidActor> actor)
    {
        Ray.Kill(actor);
        return true;
    }
}

[Remote]
public partial class PidActor
{
    private int _calls;

    public PidActor(int start) => _calls = start;

    public int Pid() => Environment.ProcessId;

    public int Count() => ++_calls;

    public int Die()
    {
        Environment.FailFast("actor exits on purpose");
        return 0;
    }
}
