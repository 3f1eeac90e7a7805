using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.Extensions.Logging;

namespace RayGen.Tests;

/// <summary>One line a logger wrote, with the scopes open around it.</summary>
public sealed record LogLine(string Category, LogLevel Level, string Message, Exception? Exception, IReadOnlyList<object> Scopes)
{
    /// <summary>A field of the scopes (as structured providers read them), or null.</summary>
    public object? ScopeValue(string key) =>
        Scopes.OfType<IEnumerable<KeyValuePair<string, object?>>>().SelectMany(s => s).FirstOrDefault(p => p.Key == key).Value;
}

/// <summary>A logger factory that keeps every line in memory (a test's window on RayOptions.LoggerFactory).</summary>
public sealed class InMemoryLoggerFactory : ILoggerFactory
{
    private readonly AsyncLocal<ScopeNode?> _scopes = new();

    public ConcurrentQueue<LogLine> Lines { get; } = new();

    public LogLevel Minimum { get; init; } = LogLevel.Trace;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private sealed record ScopeNode(object State, ScopeNode? Parent);

    private sealed class Logger(InMemoryLoggerFactory factory, string category) : ILogger
    {
        public IDisposable BeginScope<TState>(TState state) where TState : notnull
        {
            var node = new ScopeNode(state, factory._scopes.Value);
            factory._scopes.Value = node;
            return new Pop(factory, node.Parent);
        }

        public bool IsEnabled(LogLevel logLevel) => logLevel >= factory.Minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var scopes = new List<object>();
            for (var node = factory._scopes.Value; node is not null; node = node.Parent) scopes.Add(node.State);
            factory.Lines.Enqueue(new LogLine(category, logLevel, formatter(state, exception), exception, scopes));
        }
    }

    private sealed class Pop(InMemoryLoggerFactory factory, ScopeNode? parent) : IDisposable
    {
        public void Dispose() => factory._scopes.Value = parent;
    }
}
