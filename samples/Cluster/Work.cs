using System;
using RayGen;

namespace ClusterSample;

/// <summary>The sample's tasks: each answer says where it was computed, so the output shows the cluster at work.</summary>
public static partial class Work
{
    /// <summary>A node's job host hands its silo address to its workers; in a local runtime there is none.</summary>
    public static string Here => Environment.GetEnvironmentVariable("RAYGEN_NODE_ADDRESS") ?? "this machine (local runtime)";

    [Remote]
    public static string WhereAmI() => $"{Here}, pid {Environment.ProcessId}";

    [Remote]
    public static int Add(int x, int y) => x + y;

    /// <summary>Large enough to be held on its node and pulled in chunks rather than sent inline.</summary>
    [Remote]
    public static (int[] Values, string MadeOn) MakeArray(int count)
    {
        var values = new int[count];
        for (var i = 0; i < values.Length; i++) values[i] = i % 1000;
        return (values, Here);
    }

    [Remote]
    public static (long Sum, string MadeOn, string SummedOn) Sum((int[] Values, string MadeOn) made)
    {
        long sum = 0;
        foreach (var v in made.Values) sum += v;
        return (sum, made.MadeOn, Here);
    }
}

/// <summary>An actor lives on one node; every call reaches that one instance, in order.</summary>
[Remote]
public partial class Counter
{
    private int _n;

    public Counter(int start) => _n = start;

    public int Increment() => ++_n;

    public string Where() => Work.Here;
}
