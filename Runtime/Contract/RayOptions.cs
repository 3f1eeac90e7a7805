using System;
using System.Collections.Generic;

namespace RayGen;

/// <summary>Where remote work runs.</summary>
public enum RayMode
{
    /// <summary>Tasks and actors run in worker processes on this machine (the default, as in Ray).</summary>
    Processes = 0,

    /// <summary>Tasks run on the thread pool with the same semantics; values are still serialized. For tests and debugging.</summary>
    InProcess = 1,
}

/// <summary>Options for <see cref="Ray.Init(RayOptions?)"/>.</summary>
public sealed class RayOptions
{
    /// <summary>CPUs the runtime schedules; defaults to the machine's core count.</summary>
    public double? NumCpus { get; init; }

    /// <summary>GPUs the runtime schedules; defaults to 0.</summary>
    public double? NumGpus { get; init; }

    /// <summary>Custom resources (name -> amount) the runtime schedules.</summary>
    public IReadOnlyDictionary<string, double>? Resources { get; init; }

    /// <summary>Where remote work runs; <see cref="RayMode.Processes"/> by default.</summary>
    public RayMode Mode { get; init; } = RayMode.Processes;

    /// <summary>Capacity of the shared-memory object store in bytes; defaults to 30% of RAM.</summary>
    public long? ObjectStoreMemory { get; init; }

    /// <summary>
    /// The cluster to connect to: <c>HOST:PORT</c> of its head node, or <c>"auto"</c> for the cluster started on
    /// this machine with <c>raygen start --head</c>. Null (the default) starts a local runtime, unless the
    /// environment variable <c>RAYGEN_ADDRESS</c> is set, which then counts as the address. Connecting needs the
    /// <c>RayGen.Cluster</c> package.
    /// </summary>
    public string? Address { get; init; }

    /// <summary>
    /// The cluster's token, printed by <c>raygen start --head</c>; defaults to the environment variable
    /// <c>RAYGEN_TOKEN</c>, and for <c>"auto"</c> to the token the head wrote on this machine. It is proven to
    /// the cluster, never sent.
    /// </summary>
    public string? Token { get; init; }

    /// <summary>The namespace named actors are found in; defaults to a fresh one per driver, as in Ray.</summary>
    public string? Namespace { get; init; }

    /// <summary>
    /// How long a task worker beyond the NumCpus kept at all times may stay idle before it is retired
    /// (Ray's idle_worker_killing_time_threshold_ms, 1 s). Internal so tests can shorten it.
    /// </summary>
    internal TimeSpan IdleWorkerTimeout { get; init; } = TimeSpan.FromSeconds(1);
}
