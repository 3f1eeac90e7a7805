using System;
using System.Collections.Concurrent;

namespace RayGen.Data.Execution;

/// <summary>Row and function types travel by assembly-qualified name; a worker resolves each once.</summary>
internal static class TypeNames
{
    private static readonly ConcurrentDictionary<string, Type> s_types = new(StringComparer.Ordinal);

    public static string Of(Type type) => type.AssemblyQualifiedName ?? throw new ArgumentException($"{type} has no assembly-qualified name.");

    public static Type Resolve(string name) => s_types.GetOrAdd(name, static n =>
        Type.GetType(n, throwOnError: false) ?? throw new InvalidOperationException($"The type {n} cannot be loaded in this process (pid {Environment.ProcessId})."));
}
