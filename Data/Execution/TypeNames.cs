using System;
using System.Collections.Concurrent;
using System.Reflection;

namespace RayGen.Data.Execution;

/// <summary>Row and function types travel by assembly-qualified name; a worker resolves each once.</summary>
internal static class TypeNames
{
    private static readonly ConcurrentDictionary<string, Type> s_types = new(StringComparer.Ordinal);

    public static string Of(Type type) => type.AssemblyQualifiedName ?? throw new ArgumentException($"{type} has no assembly-qualified name.");

    public static Type Resolve(string name) => s_types.GetOrAdd(name, static n =>
        Find(n) ?? throw new InvalidOperationException($"The type {n} cannot be loaded in this process (pid {Environment.ProcessId})."));

    /// <summary>
    /// The type by name: its assembly is found among those already loaded first (a cluster node's job host loads the
    /// application's assemblies by path, where a load by name would miss them), then by name through the deps.json.
    /// </summary>
    public static Type? Find(string name) => Type.GetType(name, static assemblyName =>
        Array.Find(AppDomain.CurrentDomain.GetAssemblies(), a => AssemblyName.ReferenceMatchesDefinition(assemblyName, a.GetName()))
            ?? Assembly.Load(assemblyName), typeResolver: null, throwOnError: false);
}
