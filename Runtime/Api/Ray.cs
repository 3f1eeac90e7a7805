using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.Extensions.Logging;
using RayGen.Core;
using RayGen.Driver;

namespace RayGen;

/// <summary>The entry point: start and stop the runtime, put and get values, wait, cancel, and find actors.</summary>
public static partial class Ray
{
    private static readonly object s_gate = new();

    /// <summary>Whether a runtime is running in this process.</summary>
    public static bool IsInitialized => RuntimeCore.Current is not null;

    /// <summary>Starts the runtime. Only one runs at a time; dispose it (or call <see cref="Shutdown"/>) before starting another.</summary>
    /// <exception cref="RayException">
    /// A runtime is already running; or an address is given (<see cref="RayOptions.Address"/> or
    /// <c>RAYGEN_ADDRESS</c>) and the <c>RayGen.Cluster</c> package is not referenced, the address does not answer,
    /// or the token is wrong.
    /// </exception>
    public static RayRuntime Init(RayOptions? options = null)
    {
        lock (s_gate)
        {
            if (RuntimeCore.Current is not null)
                throw new RayException("Ray.Init() was called while a runtime is already running; call Ray.Shutdown() (or dispose the RayRuntime) first.");
            options ??= new RayOptions();
            var cluster = ConnectToCluster(options);
            DriverRuntime core;
            try
            {
                core = new DriverRuntime(options, cluster);
            }
            catch
            {
                cluster?.Dispose();
                throw;
            }

            RuntimeCore.SetCurrent(core);
            return new RayRuntime(core);
        }
    }

    /// <summary>Stops the runtime: pending refs fail with a clear error, actors end. Does nothing when none runs.</summary>
    public static void Shutdown()
    {
        RuntimeCore? runtime;
        lock (s_gate)
        {
            runtime = RuntimeCore.Current;
            RuntimeCore.SetCurrent(null);
        }

        runtime?.Shutdown();
    }

    internal static void ShutdownIfCurrent(RayRuntime runtime)
    {
        lock (s_gate)
        {
            if (!ReferenceEquals(RuntimeCore.Current, runtime.Core)) return;
            RuntimeCore.SetCurrent(null);
        }

        runtime.Core.Shutdown();
    }

    internal static RuntimeCore CurrentCore(string action) => RuntimeCore.CurrentOrThrow(action);

    /// <summary>Stores a value in the object store and returns a ref to it. The value is serialized now.</summary>
    public static ObjectRef<T> Put<T>(T value)
    {
        var core = CurrentCore("put a value");
        return new ObjectRef<T>(core.Put(value));
    }

    /// <summary>Blocks until the value is ready and returns it.</summary>
    public static T Get<T>(ObjectRef<T> reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        CurrentCore("get a value");
        return reference.Get();
    }

    /// <summary>Blocks until the value is ready or the timeout passed.</summary>
    /// <exception cref="GetTimeoutException">The timeout passed first.</exception>
    public static T Get<T>(ObjectRef<T> reference, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(reference);
        CurrentCore("get a value");
        return reference.Get(timeout);
    }

    /// <summary>Gets every value, in order; throws as soon as one of them failed, without waiting for the rest.</summary>
    public static T[] Get<T>(IEnumerable<ObjectRef<T>> references) => Get(references, Timeout.InfiniteTimeSpan);

    /// <summary>Gets every value, in order, within <paramref name="timeout"/>.</summary>
    public static T[] Get<T>(IEnumerable<ObjectRef<T>> references, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(references);
        var list = references as IReadOnlyList<ObjectRef<T>> ?? references.ToList();
        return CurrentCore("get values").GetMany(list, timeout);
    }

    /// <summary>
    /// Waits until <paramref name="numReturns"/> of the refs are ready (finished or failed) or the timeout
    /// passed. Both lists keep the input order; at most <paramref name="numReturns"/> refs are returned ready.
    /// </summary>
    /// <exception cref="ArgumentException">numReturns is out of range, or a ref appears twice.</exception>
    public static (IReadOnlyList<ObjectRef<T>> Ready, IReadOnlyList<ObjectRef<T>> NotReady) Wait<T>(
        IReadOnlyList<ObjectRef<T>> references, int numReturns = 1, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(references);
        var core = CurrentCore("wait for refs");
        if (numReturns < 1 || numReturns > references.Count)
            throw new ArgumentOutOfRangeException(nameof(numReturns), numReturns,
                $"numReturns must be between 1 and the number of refs ({references.Count}).");
        var seen = new HashSet<ObjectRef>(ReferenceEqualityComparer.Instance);
        foreach (var r in references)
        {
            if (r is null) throw new ArgumentException("Wait was given a null ref.", nameof(references));
            if (!seen.Add(r)) throw new ArgumentException($"Wait requires distinct refs; {r} appears twice.", nameof(references));
        }

        if (timeout is { } t && t < TimeSpan.Zero && t != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(timeout), "timeout must be non-negative.");
        return core.Wait(references, numReturns, timeout);
    }

    /// <summary>
    /// Cancels the task that produces <paramref name="reference"/>: a queued task never runs; a running one
    /// sees its <see cref="CancellationToken"/> signalled; with <paramref name="force"/> its worker is killed.
    /// <c>Get</c> then throws <see cref="RayTaskCanceledException"/>. A finished task is left as it is.
    /// </summary>
    public static void Cancel(ObjectRef reference, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(reference);
        CurrentCore("cancel a task");
        reference.Entry.Host.Cancel(reference.Entry, force);
    }

    /// <summary>
    /// Stops the producer of <paramref name="stream"/>: a queued one never runs; a running one sees its
    /// <see cref="CancellationToken"/> signalled and is asked for no more items. The items it yielded stay readable;
    /// then the stream ends with an item whose <c>Get</c> throws <see cref="RayTaskCanceledException"/>.
    /// </summary>
    public static void Cancel<T>(ObjectRefStream<T> stream, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        CurrentCore("cancel a stream");
        stream.Entry.Host.Cancel(stream.Entry, force);
    }

    /// <summary>Ends an actor for good, whatever its MaxRestarts: calls in flight and later calls throw <see cref="ActorDiedException"/>.</summary>
    public static void Kill<TActor>(ActorHandle<TActor> actor) where TActor : class => Kill(actor, noRestart: true);

    /// <summary>
    /// Ends an actor. With <paramref name="noRestart"/> false the actor dies as if its process had crashed:
    /// it restarts when its MaxRestarts allow (Ray's <c>ray.kill(actor, no_restart=False)</c>).
    /// </summary>
    public static void Kill<TActor>(ActorHandle<TActor> actor, bool noRestart) where TActor : class
    {
        ArgumentNullException.ThrowIfNull(actor);
        CurrentCore("kill an actor").KillActor(actor.State, noRestart);
    }

    /// <summary>The runtime's state as rows: tasks, actors, objects, nodes, workers (Ray's State API).</summary>
    public static RayState State => RayState.Instance;


    /// <summary>
    /// Writes the tasks and actor calls that ran since Init (the last 100,000) as a Chrome trace (a JSON array of
    /// <c>"ph": "X"</c> events, <c>ts</c>/<c>dur</c> in µs, <c>pid</c> the worker's process id): open it in
    /// chrome://tracing or https://ui.perfetto.dev, as Ray's <c>ray timeline</c>.
    /// </summary>
    public static void Timeline(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (CurrentCore("write a timeline") is not DriverRuntime driver)
            throw new RayException("Cannot write a timeline in a worker: Ray.Timeline reads the driver's runtime. Call it from the driver.");
        driver.State.WriteTimeline(path);
    }

    /// <summary>
    /// A logger for code that runs remotely (or anywhere): in the driver it writes to <see cref="RayOptions.LoggerFactory"/>;
    /// in a worker process its lines travel to the driver and are written there. A line written inside a task or actor
    /// call carries a scope with <c>TaskId</c>, <c>FunctionName</c>, <c>WorkerPid</c> (and <c>ActorId</c>). The logger
    /// binds to whichever runtime is current when it writes, so it can be kept in a static field.
    /// </summary>
    public static ILogger<T> GetLogger<T>() => new TypedLogger<T>(new RemoteLogger(TypeCategory(typeof(T))));

    /// <inheritdoc cref="GetLogger{T}"/>
    public static ILogger GetLogger(string categoryName)
    {
        ArgumentNullException.ThrowIfNull(categoryName);
        return new RemoteLogger(categoryName);
    }

    // As Microsoft.Extensions.Logging names a type's category: its full name, nested types with '.', no generic arity.
    private static string TypeCategory(Type type)
    {
        var name = (type.FullName ?? type.Name).Replace('+', '.');
        var tick = name.IndexOf('`');
        return tick < 0 ? name : name[..tick];
    }

    private sealed class TypedLogger<T>(ILogger inner) : ILogger<T>
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            inner.Log(logLevel, eventId, state, exception, formatter);
    }

    /// <summary>Finds a live actor by the name it was created with.</summary>
    /// <exception cref="RayException">No actor has that name, or it is not a <typeparamref name="TActor"/>.</exception>
    public static ActorHandle<TActor> GetActor<TActor>(string name) where TActor : class
    {
        ArgumentNullException.ThrowIfNull(name);
        return new ActorHandle<TActor>(CurrentCore("find an actor").GetActor(name, typeof(TActor)));
    }
}
