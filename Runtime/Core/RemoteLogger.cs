using System;
using Microsoft.Extensions.Logging;
using RayGen.Observability;

namespace RayGen.Core;

/// <summary>
/// The logger <c>Ray.GetLogger</c> hands out: it writes through the current runtime's factory (the driver's
/// <c>RayOptions.LoggerFactory</c>; in a worker, a factory that forwards to the driver), so it may be made once, in a
/// static field, before any runtime runs. A line written inside a task carries the task in its scope.
/// </summary>
internal sealed class RemoteLogger : ILogger
{
    private readonly string _category;
    private Bound? _bound;

    public RemoteLogger(string category) => _category = category;

    private sealed record Bound(RuntimeCore Runtime, ILogger Logger);

    private ILogger? Inner()
    {
        if (RuntimeCore.Current is not { } runtime) return null;
        var bound = _bound;
        if (bound?.Runtime != runtime) _bound = bound = new Bound(runtime, runtime.LoggerFactory.CreateLogger(_category));
        return bound.Logger;
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => Inner()?.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => Inner()?.IsEnabled(logLevel) ?? false;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (Inner() is not { } inner || !inner.IsEnabled(logLevel)) return;
        // In a worker process TaskContext is not set: the driver adds the scope there, from the run the line came with.
        if (TaskContext.Current is not { } task)
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
            return;
        }

        using (inner.BeginScope(ScopeOf(task, Environment.ProcessId)))
            inner.Log(logLevel, eventId, state, exception, formatter);
    }

    public static TaskLogScope ScopeOf(TaskSpec task, int pid) =>
        new(TaskObserver.IdText(task.Result.Id), task.Function.DisplayName, pid,
            task.Actor is { } actor ? TaskObserver.ActorIdText(actor.Id) : task.CreatesActor is { } created ? TaskObserver.ActorIdText(created.Id) : null);
}
