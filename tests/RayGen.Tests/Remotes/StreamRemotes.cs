using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace RayGen.Tests.Remotes;

// Side effects go through files, so the same producers prove the same things in worker processes.
public static partial class StreamRemotes
{
    /// <summary>Yields 0, then waits for <paramref name="gate"/> (the consumer writes it once it read item 0), then yields the rest.</summary>
    [Remote]
    public static IEnumerable<int> CountAfterGate(int count, string gate)
    {
        yield return 0;
        if (!Signals.WaitForFile(gate, TimeSpan.FromSeconds(20)))
            throw new TimeoutException("the consumer never read item 0 while the producer ran");
        for (var i = 1; i < count; i++) yield return i;
    }

    [Remote]
    public static async IAsyncEnumerable<int> CountAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return i;
        }
    }

    /// <summary>Records in <paramref name="progress"/> the index of the item it is about to yield: how far ahead it got.</summary>
    [Remote]
    public static IEnumerable<int> CountRecordingProgress(int count, string progress)
    {
        for (var i = 0; i < count; i++)
        {
            WriteAtomically(progress, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            yield return i;
        }
    }

    [Remote]
    public static IEnumerable<int> FailAt(int failAt)
    {
        for (var i = 0; ; i++)
        {
            if (i == failAt) throw new InvalidOperationException($"item {i} cannot be made");
            yield return i;
        }
    }

    /// <summary>Never ends by itself; <paramref name="stopped"/> is written when it stops, whatever stops it.</summary>
    [Remote(StreamBackpressure = 2)]
    public static async IAsyncEnumerable<int> EndlessAsync(string stopped, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            for (var i = 0; ; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await Task.Yield();
                yield return i;
            }
        }
        finally
        {
            File.WriteAllText(stopped, "stopped");
        }
    }

    /// <summary>Never ends by itself and never looks at a token: only the runtime ceasing to ask for items stops it.</summary>
    [Remote(StreamBackpressure = 2)]
    public static IEnumerable<int> Endless(string stopped)
    {
        try
        {
            for (var i = 0; ; i++) yield return i;
        }
        finally
        {
            File.WriteAllText(stopped, "stopped");
        }
    }

    /// <summary>Items of <paramref name="size"/> bytes each: large enough for shared memory in worker mode.</summary>
    [Remote]
    public static IEnumerable<byte[]> Blocks(int count, int size)
    {
        for (var i = 0; i < count; i++)
        {
            var block = new byte[size];
            Array.Fill(block, (byte)i);
            yield return block;
        }
    }

    [Remote]
    public static int Sum(ObjectRefStream<int> stream)
    {
        var sum = 0;
        foreach (var item in stream) sum += item.Get();
        return sum;
    }

    [Remote]
    public static async Task<int> SumAsync(ObjectRefStream<int> stream)
    {
        var sum = 0;
        await foreach (var item in stream) sum += await item;
        return sum;
    }

    /// <summary>A task that starts a stream of its own and consumes it.</summary>
    [Remote]
    public static int SumOfNestedStream(int count)
    {
        var sum = 0;
        foreach (var item in Remote.CountAsync(count)) sum += item.Get();
        return sum;
    }

    private static void WriteAtomically(string path, string text)
    {
        var temporary = path + "." + Guid.NewGuid().ToString("N");
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}

/// <summary>An actor whose methods run synchronously; its state carries over from one stream to the next.</summary>
[Remote]
public partial class SyncStreamActor
{
    private int _next;

    public SyncStreamActor(int start) => _next = start;

    public IEnumerable<int> Take(int count)
    {
        for (var i = 0; i < count; i++) yield return _next++;
    }

    public int Peek() => _next;
}

/// <summary>An actor whose methods await; its state carries over from one stream to the next.</summary>
[Remote]
public partial class AsyncStreamActor
{
    private int _next;

    public AsyncStreamActor(int start) => _next = start;

    public async IAsyncEnumerable<string> TakeAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return $"item {_next++}";
        }
    }

    public async Task<int> PeekAsync()
    {
        await Task.Yield();
        return _next;
    }
}
