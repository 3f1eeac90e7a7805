using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using MemoryPack;

namespace RayGen.Tests.Remotes;

[MemoryPackable]
public partial class Point
{
    public int X { get; set; }
    public int Y { get; set; }
}

/// <summary>Not serializable on purpose: no [MemoryPackable].</summary>
public class Plain
{
    public int X { get; set; }
}

/// <summary>Start and end of a run, in UTC ticks, so overlap can be measured across processes too.</summary>
[MemoryPackable]
public partial record struct Span(long Start, long End);

// Side effects go through files, not statics, so the same tasks prove the same things in worker processes.
public static partial class TestTasks
{
    [Remote]
    public static int Add(int x, int y) => x + y;

    [Remote]
    public static async Task<string> ConcatAsync(string a, string b)
    {
        await Task.Yield();
        return a + b;
    }

    [Remote]
    public static ValueTask<int> LengthAsync(string s) => new(s.Length);

    [Remote]
    public static void Touch(string path) => File.WriteAllText(path, "ran");

    [Remote]
    public static int TouchAfter(int input, string path)
    {
        File.WriteAllText(path, "ran");
        return input;
    }

    [Remote]
    public static int Throw(string message) => throw new InvalidOperationException(message);

    [Remote]
    public static int[] Mutate(int[] data)
    {
        data[0] = 99;
        return data;
    }

    [Remote]
    public static Point Mirror(Point p) => new() { X = p.Y, Y = p.X };

    [Remote]
    public static Span Sleep(int ms)
    {
        var start = DateTime.UtcNow.Ticks;
        Thread.Sleep(ms);
        return new Span(start, DateTime.UtcNow.Ticks);
    }

    [Remote]
    public static async Task<int> WaitForCancelAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return 0;
    }

    /// <summary>
    /// Awaits cancellation; marks <paramref name="started"/> once it is suspended in that await (so a test knows the
    /// token's callback is registered) and <paramref name="observed"/> when the token ends the await.
    /// </summary>
    [Remote]
    public static async Task<int> AwaitCancellationAsync(string started, string observed, CancellationToken cancellationToken)
    {
        try
        {
            await Signals.MarkWhenSuspended(Task.Delay(Timeout.Infinite, cancellationToken), started);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            File.WriteAllText(observed, "cancelled");
            throw;
        }

        return 0;
    }

    /// <summary>Marks <paramref name="started"/>, then holds its CPU until <paramref name="gate"/> exists, deaf to its token.</summary>
    [Remote]
    public static int MarkThenHoldUntil(string started, string gate)
    {
        File.WriteAllText(started, "holding");
        return HoldUntil(gate);
    }

    /// <summary>Blocks until <paramref name="gate"/> exists (a file), so a test controls when a CPU frees up.</summary>
    [Remote]
    public static int HoldUntil(string gate)
    {
        Signals.WaitForFile(gate, TimeSpan.FromSeconds(30));
        return 1;
    }

    /// <summary>Marks <paramref name="mine"/> and waits for <paramref name="other"/>: two of these meet only if they run at the same time.</summary>
    [Remote]
    public static bool Rendezvous(string mine, string other)
    {
        File.WriteAllText(mine, "here");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(other))
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(5);
        }

        return true;
    }

    /// <summary>Throws until it has run <paramref name="failures"/> times (counted in a file), then returns the attempt number.</summary>
    [Remote(RetryExceptions = true, MaxRetries = 2)]
    public static int Flaky(string counterFile, int failures)
    {
        var attempt = File.Exists(counterFile) ? int.Parse(File.ReadAllText(counterFile)) + 1 : 1;
        File.WriteAllText(counterFile, attempt.ToString());
        if (attempt <= failures) throw new IOException($"attempt {attempt} failed");
        return attempt;
    }

    [Remote]
    public static int Fib(int n) => n < 2 ? n : Remote.Fib(n - 1).Get() + Remote.Fib(n - 2).Get();

    [Remote]
    public static int SumOfRef(ObjectRef<int[]> data)
    {
        var sum = 0;
        foreach (var x in data.Get()) sum += x;
        return sum;
    }

    [Remote]
    public static int TakesPlain(Plain p) => p.X;

    [Remote]
    public static Plain ReturnsPlain(int x) => new() { X = x };

    [Remote]
    public static int DriveCounter(ActorHandle<Counter> counter, int times)
    {
        var last = 0;
        for (var i = 0; i < times; i++) last = counter.Increment().Get();
        return last;
    }
}
