using System;
using System.IO;
using Microsoft.Extensions.Logging;

namespace RayGen.Observability;

/// <summary>
/// The logger factory a runtime uses when <c>RayOptions.LoggerFactory</c> is not set: Warning and above to stderr, one
/// line each, as RayGen printed its warnings before it logged (<c>[RayGen] warning: ...</c>). RayGen's own, so the
/// package needs only the logging abstractions, not a logging implementation.
/// </summary>
internal sealed class ConsoleLoggerFactory : ILoggerFactory
{
    public static readonly ConsoleLoggerFactory Instance = new(LogLevel.Warning, () => Console.Error);

    private readonly LogLevel _minimum;
    private readonly Func<TextWriter> _output;

    public ConsoleLoggerFactory(LogLevel minimum, Func<TextWriter> output)
    {
        _minimum = minimum;
        _output = output;
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void AddProvider(ILoggerProvider provider) =>
        throw new NotSupportedException("RayGen's default console logger takes no providers; set RayOptions.LoggerFactory to your own factory instead.");

    public void Dispose()
    {
    }

    private sealed class Logger(ConsoleLoggerFactory factory) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= factory._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var line = $"[RayGen] {Label(logLevel)}: {formatter(state, exception)}";
            if (exception is not null) line += Environment.NewLine + exception;
            factory._output().WriteLine(line);
        }

        private static string Label(LogLevel level) => level switch
        {
            LogLevel.Trace => "trace",
            LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warning",
            LogLevel.Error => "error",
            _ => "critical",
        };
    }
}
