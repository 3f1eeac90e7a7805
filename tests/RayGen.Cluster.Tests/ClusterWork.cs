using System;
using System.Linq;
using System.Threading;

namespace RayGen.Cluster.Tests;

/// <summary>What the cluster tests run on the nodes: each answer names the node (and process) that made it.</summary>
public static partial class ClusterWork
{
    /// <summary>The node this code runs on (a node's job host hands its address to its workers), or "driver".</summary>
    public static string Node => Environment.GetEnvironmentVariable("RAYGEN_NODE_ADDRESS") ?? "driver";

    [Remote]
    public static string WhereAmI() => $"{Node}|{Environment.ProcessId}";

    [Remote]
    public static int Add(int x, int y) => x + y;

    /// <summary>What a task on a node sees of its cluster: how many nodes are alive, and the CPUs in all.</summary>
    [Remote]
    public static string ClusterSeenFromATask() => $"{Ray.Nodes().Count(n => n.IsAlive)}|{Ray.ClusterResources()["CPU"]}|{Ray.AvailableResources().ContainsKey("CPU")}";

    /// <summary>Ray.RuntimeContext where it runs, as <c>NODE|JOB|ACTOR</c>.</summary>
    [Remote]
    public static string Context() => Describe(Ray.RuntimeContext);

    public static string Describe(RuntimeContext context) => $"{context.NodeId}|{context.JobId}|{context.ActorId}";

    [Remote]
    public static string Say(string line)
    {
        Console.WriteLine(line);
        return Node;
    }

    /// <summary>A value past the inline limit, so the driver pulls it from the node in chunks.</summary>
    [Remote]
    public static byte[] Pattern(int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < bytes.Length; i++) bytes[i] = (byte)(i * 31 + 7);
        return bytes;
    }

    /// <summary>The bytes in reverse order: a large value made from another.</summary>
    [Remote]
    public static byte[] Reverse(byte[] bytes)
    {
        var reversed = (byte[])bytes.Clone();
        Array.Reverse(reversed);
        return reversed;
    }

    /// <summary>Puts a small and a large value where it runs and returns their refs, for the driver to read.</summary>
    [Remote]
    public static ObjectRef<byte[]>[] PutHere(int smallLength, int largeLength)
    {
        var small = new byte[smallLength];
        var large = new byte[largeLength];
        for (var i = 0; i < small.Length; i++) small[i] = (byte)(i * 31 + 7);
        for (var i = 0; i < large.Length; i++) large[i] = (byte)(i * 31 + 7);
        return [Ray.Put(small), Ray.Put(large)];
    }

    [Remote]
    public static long Sum(byte[] bytes)
    {
        long sum = 0;
        foreach (var b in bytes) sum += b;
        return sum;
    }

    /// <summary>Where it ran and the sum of the bytes, as <c>NODE|SUM</c>.</summary>
    [Remote]
    public static string SumWhere(byte[] bytes) => $"{Node}|{Sum(bytes)}";

    [Remote]
    public static int Fail(string message) => throw new InvalidOperationException(message);

    [Remote]
    public static string Here() => Node;

    /// <summary>
    /// Submits three nested tasks from wherever it runs: one that fits there, one asking for a GPU, one pinned to
    /// <paramref name="pinTo"/>; returns <c>HERE|FITS|GPU|PINNED</c>, the node each ran on.
    /// </summary>
    [Remote]
    public static string Nested(string pinTo)
    {
        var fits = Remote.Here();
        var gpu = Remote.With(new RemoteOptions { NumGpus = 1 }).Here();
        var pinned = Remote.With(new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(pinTo, soft: false) }).Here();
        return $"{Node}|{fits.Get()}|{gpu.Get()}|{pinned.Get()}";
    }

    /// <summary>Reads the ref it was handed (the ref itself, not its value) where it runs.</summary>
    [Remote]
    public static string ReadRef(ObjectRef<int> value) => $"{Node}|{value.Get()}";

    /// <summary>Sums the refs it was handed inside an array (refs within a value).</summary>
    [Remote]
    public static int SumRefs(ObjectRef<int>[] values)
    {
        var sum = 0;
        foreach (var value in values) sum += value.Get();
        return sum;
    }

    /// <summary>Sums the bytes of the values whose refs it was handed inside an array, where it runs, as <c>NODE|SUM</c>.</summary>
    [Remote]
    public static string SumBytesOfRefs(ObjectRef<byte[]>[] values)
    {
        long sum = 0;
        foreach (var value in values) sum += Sum(value.Get());
        return $"{Node}|{sum}";
    }

    /// <summary>Kills the counter it was handed (Ray.Kill from a node, of the driver's actor).</summary>
    [Remote]
    public static string KillCounter(ActorHandle<NodeCounter> counter)
    {
        Ray.Kill(counter);
        return Node;
    }

    /// <summary>Calls the counter it was handed <paramref name="times"/> times; returns where it ran and the last count.</summary>
    [Remote]
    public static string CallCounter(ActorHandle<NodeCounter> counter, int times)
    {
        var last = 0;
        for (var i = 0; i < times; i++) last = counter.Increment().Get();
        return $"{Node}|{last}";
    }

    /// <summary>Holds its CPU until the gate file appears, so tests see where concurrent work went.</summary>
    [Remote]
    public static string HoldUntil(string gateFile)
    {
        while (!System.IO.File.Exists(gateFile)) Thread.Sleep(20);
        return Node;
    }
}

/// <summary>An actor whose state proves that every call reached the same instance.</summary>
[Remote]
public partial class NodeCounter(int start)
{
    private int _count = start;

    public int Increment() => ++_count;

    public string Where() => ClusterWork.Node;

    public string Context() => ClusterWork.Context();
}

public static partial class ClusterWork
{
    /// <summary>Writes where it runs into <paramref name="markFile"/>, then holds until <paramref name="gateFile"/> exists.</summary>
    [Remote]
    public static string MarkThenHold(string markFile, string gateFile)
    {
        MarkThenWait(markFile, Node, gateFile);
        return Node;
    }
}

public static partial class ClusterWork
{
    /// <summary>Writes its process id into <paramref name="markFile"/>, then holds until <paramref name="gateFile"/> exists.</summary>
    [Remote]
    public static string MarkPidThenHold(string markFile, string gateFile)
    {
        MarkThenWait(markFile, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), gateFile);
        return Node;
    }

    /// <summary>Writes its process id into <paramref name="markFile"/>, then waits for its token; on cancel writes <c>.seen</c> and ends as cancelled.</summary>
    [Remote]
    public static string WaitForCancel(string markFile, CancellationToken token)
    {
        System.IO.File.WriteAllText(markFile + ".tmp", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        System.IO.File.Move(markFile + ".tmp", markFile, overwrite: true);
        token.WaitHandle.WaitOne(TimeSpan.FromSeconds(60));
        if (token.IsCancellationRequested) System.IO.File.WriteAllText(markFile + ".seen", "");
        token.ThrowIfCancellationRequested();
        return Node;
    }

    /// <summary>Writes <paramref name="text"/> into the mark file whole (a test reads it as soon as it exists), then waits for the gate.</summary>
    private static void MarkThenWait(string markFile, string text, string gateFile)
    {
        System.IO.File.WriteAllText(markFile + ".tmp", text);
        System.IO.File.Move(markFile + ".tmp", markFile, overwrite: true);
        while (!System.IO.File.Exists(gateFile)) Thread.Sleep(20);
    }
}
