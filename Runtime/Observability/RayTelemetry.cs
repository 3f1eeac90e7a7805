using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading;

namespace RayGen.Observability;

/// <summary>What the observable instruments read: the running driver's state, measured when a listener collects.</summary>
internal interface IRuntimeGauges
{
    /// <summary>Tasks by Ray state name (<c>RUNNING</c>, <c>FINISHED</c>...).</summary>
    IEnumerable<KeyValuePair<string, long>> TaskCounts();

    /// <summary>Actors by Ray state name (<c>ALIVE</c>, <c>DEAD</c>...).</summary>
    IEnumerable<KeyValuePair<string, long>> ActorCounts();

    /// <summary>Worker processes by type (<c>task</c>, <c>actor</c>).</summary>
    IEnumerable<KeyValuePair<string, long>> WorkerCounts();

    /// <summary>Bytes in shared memory, bytes spilled to disk, the store's capacity, objects held; null without a store (in process).</summary>
    (long Used, long Spilled, long Capacity, long Objects)? ObjectStore();
}

/// <summary>
/// RayGen's <see cref="Meter"/> and <see cref="ActivitySource"/>, both named <c>"RayGen"</c>, made once per process
/// (as the BCL's own sources are): instruments outlive runtimes, and the observable ones read whichever runtime is
/// attached now. Names follow Ray's metrics (<c>ray_tasks</c>, <c>ray_actors</c>...) so dashboards carry over.
/// </summary>
internal static class RayTelemetry
{
    public const string Name = "RayGen";

    private static readonly string? s_version = typeof(RayTelemetry).Assembly.GetName().Version?.ToString();

    public static readonly ActivitySource Source = new(Name, s_version);

    public static readonly Meter Meter = new(Name, s_version);

    public static readonly Histogram<double> SubmitLatency = Meter.CreateHistogram<double>(
        "ray_task_submit_latency", "s", "Time a submission (task, actor call or actor creation) takes to hand its task to the owner; " +
        "sampled: the first of every 16 submits on each thread (exact counts: ray_tasks).");

    /// <summary>
    /// One submit in this many is timed into <see cref="SubmitLatency"/>. Timing every one cost an in-process task (~350 ns)
    /// a second clock read and a Record; the histogram's shape needs far fewer, and ray_tasks counts every task exactly.
    /// </summary>
    public const int SubmitSampleEvery = 16;

    [ThreadStatic]
    private static uint t_submits;

    /// <summary>Whether this submit is one of the sample (the first of every <see cref="SubmitSampleEvery"/> on this thread).</summary>
    public static bool SampleSubmit() => (t_submits++ & (SubmitSampleEvery - 1)) == 0;

    public static readonly Histogram<double> GetLatency = Meter.CreateHistogram<double>(
        "ray_get_latency", "s", "Time a blocking or awaited Get waits for its value (or values).");

    private static IRuntimeGauges? s_gauges;

    static RayTelemetry()
    {
        Meter.CreateObservableGauge("ray_tasks", static () => Tagged(Gauges?.TaskCounts(), "State"), "{task}",
            "Tasks and actor calls by state (PENDING_ARGS_AVAIL, PENDING_NODE_ASSIGNMENT, SUBMITTED_TO_WORKER, RUNNING, FINISHED, FAILED).");
        Meter.CreateObservableGauge("ray_actors", static () => Tagged(Gauges?.ActorCounts(), "State"), "{actor}",
            "Actors by state (DEPENDENCIES_UNREADY, PENDING_CREATION, ALIVE, RESTARTING, DEAD).");
        Meter.CreateObservableGauge("ray_workers", static () => Tagged(Gauges?.WorkerCounts(), "Type"), "{process}",
            "Worker processes alive, by type (task, actor).");
        Meter.CreateObservableGauge("ray_object_store_memory", static () => StoreBytes(), "By",
            "Bytes of objects in the object store, by Location (MMAP_SHM: shared memory, SPILLED: on disk).");
        Meter.CreateObservableGauge("ray_object_store_capacity", static () => StoreFigure(s => s.Capacity), "By",
            "The shared-memory object store's capacity (RayOptions.ObjectStoreMemory).");
        Meter.CreateObservableGauge("ray_object_store_available_memory", static () => StoreFigure(s => Math.Max(0, s.Capacity - s.Used)), "By",
            "Bytes of the shared-memory object store not in use.");
        Meter.CreateObservableGauge("ray_object_store_num_local_objects", static () => StoreFigure(s => s.Objects), "{object}",
            "Objects held in the shared-memory store (values of 100 KiB or more).");
    }

    private static IRuntimeGauges? Gauges => Volatile.Read(ref s_gauges);

    /// <summary>Makes <paramref name="gauges"/> what the observable instruments read (the driver's runtime, at Init).</summary>
    public static void Attach(IRuntimeGauges gauges) => Volatile.Write(ref s_gauges, gauges);

    /// <summary>Stops reading <paramref name="gauges"/> (its runtime shut down), unless another runtime took its place.</summary>
    public static void Detach(IRuntimeGauges gauges) => Interlocked.CompareExchange(ref s_gauges, null, gauges);

    private static IEnumerable<Measurement<long>> Tagged(IEnumerable<KeyValuePair<string, long>>? counts, string tag)
    {
        if (counts is null) yield break;
        foreach (var (key, count) in counts) yield return new Measurement<long>(count, new KeyValuePair<string, object?>(tag, key));
    }

    private static IEnumerable<Measurement<long>> StoreBytes()
    {
        if (Gauges?.ObjectStore() is not { } store) yield break;
        yield return new Measurement<long>(store.Used, new KeyValuePair<string, object?>("Location", "MMAP_SHM"));
        yield return new Measurement<long>(store.Spilled, new KeyValuePair<string, object?>("Location", "SPILLED"));
    }

    private static IEnumerable<Measurement<long>> StoreFigure(Func<(long Used, long Spilled, long Capacity, long Objects), long> pick)
    {
        if (Gauges?.ObjectStore() is not { } store) yield break;
        yield return new Measurement<long>(pick(store));
    }

    private static readonly DateTime s_anchorUtc = DateTime.UtcNow;
    private static readonly long s_anchorTimestamp = Stopwatch.GetTimestamp();

    /// <summary>The UTC time of a <see cref="Stopwatch.GetTimestamp"/> reading of this machine (any process: one monotonic clock).</summary>
    public static DateTime ToUtc(long timestamp) =>
        s_anchorUtc.AddTicks((long)((timestamp - s_anchorTimestamp) * (TimeSpan.TicksPerSecond / (double)Stopwatch.Frequency)));

    /// <summary>Seconds between two <see cref="Stopwatch.GetTimestamp"/> readings.</summary>
    public static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;
}
