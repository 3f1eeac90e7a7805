using System;
using System.IO;
using Microsoft.Extensions.Logging;

namespace RayGen.Cluster.Nodes;

/// <summary>Writes log lines to one writer (a background node's log file, or stderr with --block).</summary>
internal sealed class FileLoggerProvider(TextWriter writer, LogLevel minimum) : ILoggerProvider
{
    private readonly object _gate = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    // The writer belongs to whoever made the provider (it flushes every line anyway).
    public void Dispose()
    {
    }

    private void Write(LogLevel level, string category, string message, Exception? exception)
    {
        lock (_gate)
        {
            writer.WriteLine($"{DateTime.UtcNow:O} {level} {category}: {message}");
            if (exception is not null) writer.WriteLine(exception);
            writer.Flush();
        }
    }

    private sealed class Logger(FileLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider.Minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) provider.Write(logLevel, category, formatter(state, exception), exception);
        }
    }

    internal LogLevel Minimum => minimum;
}
