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
    /// How long a task worker beyond the NumCpus kept at all times may stay idle before it is retired
    /// (Ray's idle_worker_killing_time_threshold_ms, 1 s). Internal so tests can shorten it.
    /// </summary>
    internal TimeSpan IdleWorkerTimeout { get; init; } = TimeSpan.FromSeconds(1);
}
