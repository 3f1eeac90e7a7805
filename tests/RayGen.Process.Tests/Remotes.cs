using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace RayGen.Process.Tests;

public static partial class ProcTasks
{
    [Remote]
    public static int Pid() => Environment.ProcessId;

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

    /// <summary>Kills its own process the first time (a marker file remembers), returns 42 after.</summary>
    [Remote]
    public static int CrashOnce(string marker)
    {
        if (!File.Exists(marker))
        {
            File.WriteAllText(marker, "crashed");
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

    [Remote]
    public static int WaitForAny()
    {
        var slow = Remote.SleepThenPid(3000);
        var fast = Remote.SleepThenPid(10);
        var (ready, _) = Ray.Wait(new[] { slow, fast }, numReturns: 1, timeout: TimeSpan.FromSeconds(20));
        return ready.Count == 1 && ready[0] == fast ? 1 : 0;
    }

    [Remote]
    public static async Task<int> WaitsForCancel(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return 0;
    }

    [Remote]
    public static int SleepsForever()
    {
        Thread.Sleep(Timeout.Infinite);
        return 0;
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
