using System;
using System.IO;
using System.Linq;
using RayGen.Cluster.Shipping;
using RayGen.Internal;

namespace RayGen.Cluster.Driver;

/// <summary>
/// What a driver ships to the nodes that run its work: the folder of its application (its deps.json, so every
/// dependency resolves on the node as it does here), named by content hash, and which files in it start a job host.
/// </summary>
internal sealed class AppShipment
{
    private AppShipment(string folder, AppManifest manifest, string depsFile, string runtimeConfig)
    {
        Folder = folder;
        Manifest = manifest;
        DepsFile = depsFile;
        RuntimeConfig = runtimeConfig;
    }

    public string Folder { get; }
    public AppManifest Manifest { get; }

    /// <summary>The application's deps.json, relative to <see cref="Folder"/>.</summary>
    public string DepsFile { get; }

    /// <summary>The application's runtimeconfig.json, relative to <see cref="Folder"/>.</summary>
    public string RuntimeConfig { get; }

    /// <summary>Describes this process's application; throws a <see cref="RayException"/> naming what is missing.</summary>
    public static AppShipment OfThisApplication()
    {
        var deps = RayGen.Driver.WorkerLauncher.FindDepsFile()
                   ?? throw new RayException("Running work on a cluster needs the application's .deps.json (the driver ships its folder to the nodes); this host has none.");
        var folder = Path.GetDirectoryName(Path.GetFullPath(deps))!;
        var runtimeConfig = RayGen.Driver.WorkerLauncher.RuntimeConfigBeside(deps)
            ?? throw new RayException($"Running work on a cluster needs the runtimeconfig.json named after {Path.GetFileName(deps)} in {folder}; it is missing.");
        if (!File.Exists(Path.Combine(folder, "RayGen.Worker.dll")))
            throw new RayException($"Running work on a cluster needs RayGen.Worker.dll in the application's folder {folder} (the RayGen package copies it there); it is missing.");
        return new AppShipment(folder, AppManifest.Of(folder), Path.GetFileName(deps), Path.GetFileName(runtimeConfig));
    }

    /// <summary>The assemblies of the registered functions, relative to the folder; one outside it cannot run on a node.</summary>
    public string[] Assemblies() => RemoteRegistry.AssemblyPaths().Select(path =>
    {
        var relative = Path.GetRelativePath(Folder, path);
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
            throw new RayException($"The assembly {path} registers remote functions but lies outside the application's folder {Folder}, so it is not shipped to the nodes.");
        return relative.Replace('\\', '/');
    }).ToArray();
}
