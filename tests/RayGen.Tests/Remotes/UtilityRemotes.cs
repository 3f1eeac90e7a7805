using System;
using System.IO;

namespace RayGen.Tests.Remotes;

/// <summary>An actor for pool tests: a running total, and a plain function of its input.</summary>
[Remote]
public partial class PoolWorker
{
    private int _total;

    public int Add(int x) => _total += x;

    public int Square(int x) => x * x;

    public int Total() => _total;
}

/// <summary>Tasks that use a queue handed to them.</summary>
public static partial class QueueTasks
{
    [Remote]
    public static bool PutInto(RayQueue<string> queue, string item)
    {
        queue.Put(item);
        return true;
    }

    /// <summary>Marks <paramref name="started"/>, then puts (blocking while the queue is full).</summary>
    [Remote]
    public static bool MarkThenPut(RayQueue<string> queue, string item, string started)
    {
        File.WriteAllText(started, "putting");
        queue.Put(item);
        return true;
    }

    [Remote]
    public static string TakeFrom(RayQueue<string> queue) => queue.Get(timeout: TimeSpan.FromSeconds(20));
}
