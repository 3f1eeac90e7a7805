using System;
using System.Threading.Tasks;
using RayGen.Driver;

namespace RayGen;

/// <summary>The running runtime, as returned by <see cref="Ray.Init(RayOptions?)"/>. Disposing it is <see cref="Ray.Shutdown"/>.</summary>
public sealed class RayRuntime : IDisposable, IAsyncDisposable
{
    internal RayRuntime(DriverRuntime core) => Core = core;

    /// <summary>A runtime handed to the program is always a driver's: a worker's code reaches its runtime through <see cref="Ray"/> only.</summary>
    internal DriverRuntime Core { get; }

    /// <summary>The options it was started with.</summary>
    public RayOptions Options => Core.Options;

    /// <summary>Where remote work runs.</summary>
    public RayMode Mode => Core.Options.Mode;

    /// <summary>The CPUs it schedules.</summary>
    public double NumCpus => Core.TotalCpus;

    /// <summary>
    /// Where the dashboard listens (<c>http://127.0.0.1:8265/</c>), with the port actually bound when
    /// <see cref="RayOptions.DashboardPort"/> is 0; null when no dashboard is served.
    /// </summary>
    public string? DashboardUrl => Core.Dashboard?.DashboardUrl;

    /// <summary>The Prometheus endpoint (<c>http://127.0.0.1:8080/metrics</c>); null when <see cref="RayOptions.MetricsPort"/> is not set.</summary>
    public string? MetricsUrl => Core.Dashboard?.MetricsUrl;

    /// <summary>Stops the runtime (<see cref="Ray.Shutdown"/>), if it is still the running one.</summary>
    public void Dispose() => Ray.ShutdownIfCurrent(this);

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
