using System;
using Microsoft.Extensions.Logging;
using RayGen.Observability;
using RayGen.Store;

namespace RayGen.Core;

/// <summary>
/// The one interface of a runtime, whichever role it plays: <c>DriverRuntime</c> owns every task and object
/// (scheduling, retries, actors, the store); <c>WorkerRuntime</c>, in a worker process, forwards each of these
/// to its driver, as Ray's core worker does. The public API and the generated stubs see only this.
/// </summary>
internal abstract partial class RuntimeCore : IObjectHost
{
    private static volatile RuntimeCore? s_current;
    private volatile bool _shutDown;

    protected RuntimeCore(RayOptions options, IObjectOwnership ownership)
    {
        Options = options;
        Objects = new ObjectDirectory(this, Random.Shared.NextInt64(1, long.MaxValue), ownership);
        LoggerFactory = options.LoggerFactory ?? ConsoleLoggerFactory.Instance;
        Logger = LoggerFactory.CreateLogger("RayGen");
        WarningSink = message => Logger.Log(LogLevel.Warning, default, message, null, static (m, _) => m);
    }

    /// <summary>Where this runtime's logs go: RayOptions.LoggerFactory, or a console logger at Warning.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The runtime's own logger (category "RayGen").</summary>
    public ILogger Logger { get; }

    public RayOptions Options { get; }

    public ObjectDirectory Objects { get; }

    /// <summary>This process's shared-memory store; null in process, where values stay on the heap.</summary>
    public abstract SharedStore? Store { get; }

    /// <inheritdoc />
    public abstract bool ResultsAreLocal { get; }

    /// <summary>Receives runtime warnings (infeasible requests and the like); the runtime's logger unless a test swaps it.</summary>
    public Action<string> WarningSink { get; set; }

    /// <summary>The process's current runtime, which refs and handles read from bytes belong to; null when none runs.</summary>
    public static RuntimeCore? Current => s_current;

    /// <summary>Makes <paramref name="runtime"/> (or none) the process's current one.</summary>
    public static void SetCurrent(RuntimeCore? runtime)
    {
        s_current = runtime;
        ObjectDirectory.Current = runtime?.Objects;
    }

    /// <summary>The current runtime, or an error that says Ray.Init() was not called.</summary>
    public static RuntimeCore CurrentOrThrow(string action) =>
        s_current ?? throw new RayException($"Cannot {action}: RayGen is not initialized. Call Ray.Init() first.");

    /// <summary>Stores a value (Ray.Put) and returns its entry.</summary>
    public abstract ObjectEntry Put<T>(T value);

    /// <summary>Adds an argument passed by value to a task being built (serialized now, so later changes are not seen).</summary>
    public abstract void AddArgument<T>(TaskSpec task, T value, string usage);

    /// <summary>Submits a task or an actor call; its result entry completes when it finishes.</summary>
    public abstract ObjectEntry Submit(TaskSpec task);

    /// <inheritdoc />
    public abstract void Cancel(ObjectEntry entry, bool force);

    /// <summary>Creates an actor through <paramref name="constructor"/>; the address is usable at once.</summary>
    public abstract ActorAddress CreateActor(TaskSpec constructor, Type actorType);

    /// <summary>Finds a live actor by name; throws <see cref="RayException"/> when none has it or its type differs.</summary>
    public abstract ActorAddress GetActor(string name, Type actorType);

    /// <summary>The actor a handle read from bytes names.</summary>
    public abstract ActorAddress ActorById(long id, Type actorType);

    /// <summary>Ends an actor (Ray.Kill); with <paramref name="noRestart"/> false it may restart as after a crash.</summary>
    public abstract void KillActor(ActorAddress actor, bool noRestart);

    /// <summary>Runs a blocking wait the way this role must (lending a task's resources, or telling the driver).</summary>
    protected abstract bool BlockUntil(Func<TimeSpan, bool> wait, TimeSpan timeout);

    /// <summary>Sends whatever this process deferred, since what a caller waits for may sit in it.</summary>
    internal virtual void FlushPendingSends()
    {
    }

    /// <summary>Stops the runtime: pending work fails with a clear error. Called once.</summary>
    protected abstract void OnShutdown();

    public void Shutdown()
    {
        if (_shutDown) return;
        _shutDown = true;
        OnShutdown();
    }

    public void ThrowIfShutDown(string action)
    {
        if (_shutDown) throw new RayException($"Cannot {action}: the RayGen runtime was shut down. Call Ray.Init() to start a new one.");
    }
}
