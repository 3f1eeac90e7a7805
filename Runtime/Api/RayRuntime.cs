using System;
using System.Threading.Tasks;
using RayGen.Core;
using RayGen.Protocol;
using RayGen.Store;
using RayGen.Driver;
using RayGen.InWorker;

namespace RayGen;

/// <summary>The running runtime, as returned by <see cref="Ray.Init(RayOptions?)"/>. Disposing it is <see cref="Ray.Shutdown"/>.</summary>
public sealed class RayRuntime : IDisposable, IAsyncDisposable
{
    internal RayRuntime(RuntimeCore core) => Core = core;

    internal RuntimeCore Core { get; }

    /// <summary>The options it was started with.</summary>
    public RayOptions Options => Core.Options;

    /// <summary>Where remote work runs.</summary>
    public RayMode Mode => Core.Options.Mode;

    /// <summary>The CPUs it schedules.</summary>
    public double NumCpus => Core.Scheduler.Pool.TotalCpus;

    /// <summary>Stops the runtime (<see cref="Ray.Shutdown"/>), if it is still the running one.</summary>
    public void Dispose() => Ray.ShutdownIfCurrent(this);

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
