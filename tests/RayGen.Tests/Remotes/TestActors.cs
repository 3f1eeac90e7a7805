using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace RayGen.Tests.Remotes;

[Remote]
public partial class Counter
{
    private int _n;

    public Counter(int start) => _n = start;

    public int Increment() => ++_n;

    public int Read() => _n;

    public int Fail(string message) => throw new ArgumentException(message);

    public async Task<Span> SlowAsync(int ms)
    {
        var start = DateTime.UtcNow.Ticks;
        await Task.Delay(ms);
        return new Span(start, DateTime.UtcNow.Ticks);
    }

    /// <summary>Marks <paramref name="mine"/> and awaits <paramref name="other"/>: two calls meet only if they overlap.</summary>
    public async Task<bool> RendezvousAsync(string mine, string other)
    {
        System.IO.File.WriteAllText(mine, "here");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!System.IO.File.Exists(other))
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(5);
        }

        return true;
    }

    /// <summary>Marks <paramref name="started"/> once parked awaiting its token, and <paramref name="observed"/> when the token ends that await.</summary>
    public async Task<int> AwaitCancellationAsync(string started, string observed, CancellationToken cancellationToken)
    {
        try
        {
            await Signals.MarkWhenSuspended(Task.Delay(Timeout.Infinite, cancellationToken), started);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            System.IO.File.WriteAllText(observed, "cancelled");
            throw;
        }

        return _n;
    }

    /// <summary>Holds the actor (one call at a time) until <paramref name="gate"/> exists.</summary>
    public int HoldUntil(string gate)
    {
        Signals.WaitForFile(gate, TimeSpan.FromSeconds(30));
        return _n;
    }

    /// <summary>Appends a line to <paramref name="starts"/> each time it starts, holds until <paramref name="gate"/> exists, and returns how many times it started.</summary>
    public int CountStartsThenHoldUntil(string starts, string gate)
    {
        System.IO.File.AppendAllText(starts, "started\n");
        Signals.WaitForFile(gate, TimeSpan.FromSeconds(30));
        return System.IO.File.ReadAllLines(starts).Length;
    }
}

[Remote]
public partial class Recorder
{
    private readonly List<int> _seen = new();

    public void Append(int value) => _seen.Add(value);

    public List<int> Seen() => _seen;
}

[Remote]
public partial class Broken
{
    public Broken(string reason) => throw new InvalidOperationException(reason);

    public int Anything() => 1;
}
