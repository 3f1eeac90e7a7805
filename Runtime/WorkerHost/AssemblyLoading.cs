using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace RayGen.WorkerHost;

/// <summary>
/// Loads the assemblies that hold remote functions and runs their module initializers, which register the
/// functions; a worker then finds every function by id, with no reflection at call time.
/// </summary>
internal static class AssemblyLoading
{
    private static readonly HashSet<string> s_loaded = new(StringComparer.Ordinal);

    public static void Load(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            lock (s_loaded)
            {
                if (!s_loaded.Add(path)) continue;
            }

            try
            {
                var assembly = LoadOne(path);
                RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
            }
            catch (Exception e) when (e is IOException or BadImageFormatException or FileLoadException or TypeInitializationException)
            {
                Console.Error.WriteLine($"[RayGen] worker could not load {path}: {e.Message}");
            }
        }
    }

    private static Assembly LoadOne(string path)
    {
        // By name first: an assembly the app's deps.json lists must load once, in the default context, as it does in the driver.
        var name = AssemblyName.GetAssemblyName(path);
        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyName(name);
        }
        catch (FileNotFoundException)
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
        }
    }
}
