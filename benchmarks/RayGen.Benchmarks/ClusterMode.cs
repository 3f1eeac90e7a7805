using System;
using System.Diagnostics;
using System.IO;

namespace RayGen.Benchmarks;

/// <summary>
/// `cluster [...]`: runs benchmarks/RayGen.Benchmarks.Cluster, the driver of a loopback cluster it starts and stops
/// itself. That is a program of its own (RayGen.Cluster's Orleans and this project's BenchmarkDotNet need different
/// Roslyn versions); it is built every time, so the figures never come from a stale build of the runtime or the tool.
/// </summary>
internal static class ClusterMode
{
    private const string Project = "RayGen.Benchmarks.Cluster";

    public static int Run(string[] args)
    {
        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "RayGen.sln"))) root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar));
        if (root is null)
        {
            Console.Error.WriteLine($"the RayGen repository (RayGen.sln) is not above the harness, so {Project} cannot be found");
            return 1;
        }

        var dir = Path.Combine(root, "benchmarks", Project);
        Console.WriteLine($"building {Project} (Release)...");
        using (var build = Process.Start(new ProcessStartInfo("dotnet", $"build -c Release \"{dir}\" -v q -nologo") { UseShellExecute = false })!)
        {
            build.WaitForExit();
            if (build.ExitCode != 0) return build.ExitCode;
        }

        var dll = Path.Combine(dir, "bin", "Release", "net10.0", Project + ".dll");
        // Output and Ctrl+C go straight to the child, which stops its cluster on either way out.
        using var child = ChildProcess.StartDll(dll, args, redirect: false);
        child.WaitForExit();
        return child.ExitCode;
    }
}
