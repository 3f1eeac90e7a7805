using System;
using System.Collections.Generic;
using Microsoft.Extensions.Logging;

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
    /// Where the runtime's own messages (warnings, a worker's errors) and the logs of remote code (<c>Ray.GetLogger</c>)
    /// go. Null (the default): a console logger that writes Warning and above to stderr. The runtime does not dispose it.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// Shows a progress bar on the console while a <c>Ray.Get</c> or <c>Ray.Wait</c> of many refs waits (off by default;
    /// never shown when the output is redirected, see <see cref="System.Console.IsOutputRedirected"/>).
    /// </summary>
    public bool ShowProgress { get; init; }

    /// <summary>
    /// Serves the dashboard (a live page, and a JSON API under <c>/api/</c>: tasks, actors, objects, nodes, workers, the
    /// task summary, the timeline, workers' logs) at <c>http://127.0.0.1:PORT/</c>, as Ray's dashboard on 8265. Null (the
    /// default): no dashboard. 0 takes a free port; <see cref="RayRuntime.DashboardUrl"/> says which. It needs the ASP.NET
    /// Core runtime (Microsoft.AspNetCore.App), which the .NET SDK installs; a plain console application works as is.
    /// </summary>
    public int? DashboardPort { get; init; }

    /// <summary>
    /// Serves the <c>"RayGen"</c> meter's instruments as Prometheus text at <c>http://127.0.0.1:PORT/metrics</c>. Null
    /// (the default): not served. 0 takes a free port; <see cref="RayRuntime.MetricsUrl"/> says which.
    /// </summary>
    public int? MetricsPort { get; init; }

    /// <summary>
    /// The IP address the dashboard and the metrics endpoint bind to: <c>127.0.0.1</c> by default, so only this machine
    /// reaches them. Any other address (<c>0.0.0.0</c> for every interface) needs <see cref="Token"/>, which every request
    /// must then present; <c>Ray.Init</c> refuses to serve it without one.
    /// </summary>
    public string DashboardHost { get; init; } = "127.0.0.1";

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
    /// the cluster, never sent. A dashboard or metrics endpoint bound to a non-loopback <see cref="DashboardHost"/>
    /// asks it of every request too (an <c>Authorization: Bearer TOKEN</c> header, or <c>?token=TOKEN</c> once in a browser).
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
