using System.Collections.Concurrent;
using System.ComponentModel;

namespace RayGen.Internal;

/// <summary>
/// Function id -> descriptor, filled by generated module initializers when an assembly loads, so a worker
/// finds any remote function by id without reflection.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class RemoteRegistry
{
    private static readonly ConcurrentDictionary<string, RemoteFunction> s_functions = new();

    /// <summary>Adds a function; called by generated code.</summary>
    public static void Register(RemoteFunction function) => s_functions[function.Id] = function;

    /// <summary>Finds a function by id.</summary>
    public static bool TryGet(string id, out RemoteFunction function) => s_functions.TryGetValue(id, out function!);

    /// <summary>Every registered function; workers load the assemblies these come from.</summary>
    internal static System.Collections.Generic.ICollection<RemoteFunction> All => s_functions.Values;

    /// <summary>The files of the assemblies the registered functions come from: what a worker (or a node's job host) loads.</summary>
    internal static string[] AssemblyPaths()
    {
        var paths = new System.Collections.Generic.HashSet<string>(System.StringComparer.Ordinal);
        foreach (var function in s_functions.Values)
        {
            var assembly = function.Invoker.Method.DeclaringType?.Assembly;
            if (assembly is { IsDynamic: false, Location.Length: > 0 }) paths.Add(assembly.Location);
        }

        return [.. paths];
    }

    /// <summary>How many functions are registered.</summary>
    public static int Count => s_functions.Count;
}
