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

    /// <summary>Marks <paramref name="startedFile"/> as soon as it runs, so a test knows the call is in flight.</summary>
    public async Task<Span> StartThenSlowAsync(string startedFile, int ms)
    {
        System.IO.File.WriteAllText(startedFile, "started");
        return await SlowAsync(ms);
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

    public async Task<int> WaitForCancelAsync(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return _n;
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
