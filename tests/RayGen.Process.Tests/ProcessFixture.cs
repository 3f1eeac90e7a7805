using System;
using System.Diagnostics;
using System.Linq;
using NUnit.Framework;
using RayGen.Core;
using RayGen.Driver;
using RayGen.Store;

// Process mode relies on Unix sockets, /proc and /dev/shm; these tests target Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace RayGen.Process.Tests;

/// <summary>Helpers shared by the process-mode tests.</summary>
internal static class ProcessTestSupport
{
    public static ProcessBackend Backend(RayRuntime runtime) =>
        runtime.Core.Backend as ProcessBackend ?? throw new InvalidOperationException("not process mode");

    /// <summary>The shared-memory store of the runtime running in this test process.</summary>
    public static SharedStore CurrentStore =>
        RuntimeCore.Current?.Store ?? throw new InvalidOperationException("no runtime with a shared-memory store is running");

    public static bool IsAlive(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Kills this test process's leftover children, so one failing test cannot leak workers into the next.</summary>
    public static void KillLeftoverWorkers()
    {
        foreach (var p in System.Diagnostics.Process.GetProcessesByName("dotnet"))
        {
            try
            {
                if (ParentPid(p.Id) == Environment.ProcessId) p.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
            }
            finally
            {
                p.Dispose();
            }
        }
    }

    private static int ParentPid(int pid)
    {
        try
        {
            var stat = System.IO.File.ReadAllText($"/proc/{pid}/stat");
            var afterName = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(afterName[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is System.IO.IOException or FormatException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    public static Stopwatch Time() => Stopwatch.StartNew();

    public static void AssertNoChildren() =>
        Assert.That(System.IO.Directory.GetDirectories("/proc").Count(d => ParentPid(int.TryParse(System.IO.Path.GetFileName(d), out var p) ? p : -1) == Environment.ProcessId), Is.Zero);
}
