using System;
using Microsoft.Extensions.Logging;
using RayGen.Protocol;

namespace RayGen.InWorker;

/// <summary>
/// A worker's logger factory: every line goes to the driver as a <see cref="LogFrame"/>, formatted here, and the driver
/// writes it through its own factory in the scope of the run it came from. The driver's loggers filter by level and
/// category, so the worker sends every level (a worker cannot ask a factory it does not have).
/// </summary>
internal sealed class ForwardingLoggerFactory : ILoggerFactory
{
    private readonly DriverLink _link;

    public ForwardingLoggerFactory(DriverLink link) => _link = link;

    public ILogger CreateLogger(string categoryName) => new ForwardingLogger(_link, categoryName);

    public void AddProvider(ILoggerProvider provider) =>
        throw new NotSupportedException("A worker's logs go to the driver's RayOptions.LoggerFactory; add providers there.");

    public void Dispose()
    {
    }

    private sealed class ForwardingLogger(DriverLink link, string category) : ILogger
    {
        // Scopes stay in the worker: the driver gives each line the task's scope, and a state object cannot cross.
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.None) return;
            link.Log(new LogFrame
            {
                RunId = WorkerExecutor.CurrentRun,
                Category = category,
                Level = (int)logLevel,
                EventId = eventId.Id,
                EventName = eventId.Name,
                Message = formatter(state, exception),
                Exception = exception is null ? null : ErrorInfo.FromException(exception, null),
            });
        }
    }
}
