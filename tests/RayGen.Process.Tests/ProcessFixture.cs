using System;
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

    public static System.Diagnostics.Stopwatch Time() => System.Diagnostics.Stopwatch.StartNew();

    /// <summary>
    /// Whether <paramref name="pid"/> is a live RayGen worker: a process whose command line runs RayGen.Worker.dll
    /// (a stronger proof than "not the driver's pid", which any other process, or a pid reused, would pass).
    /// </summary>
    public static bool IsWorkerProcess(int pid)
    {
        try
        {
            var args = System.IO.File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            return args.Any(a => System.IO.Path.GetFileName(a) == "RayGen.Worker.dll");
        }
        catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The pids of the workers the runtime knows of now (its own list, not a scan of processes).</summary>
    public static int[] WorkerPids(RayRuntime runtime) => Backend(runtime).Workers.Select(w => w.Pid).Where(p => p > 0).ToArray();

    /// <summary>Waits for <paramref name="pid"/> to exit (the event, polled; not a sleep); false if it still runs after <paramref name="limit"/>.</summary>
    public static bool WaitForExit(int pid, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (Runs(pid))
        {
            if (DateTime.UtcNow > deadline) return false;
            System.Threading.Thread.Sleep(10);
        }

        return true;
    }

    /// <summary>Whether <paramref name="pid"/> is a process that has not ended (a zombie waiting to be reaped has ended).</summary>
    private static bool Runs(int pid)
    {
        try
        {
            var stat = System.IO.File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Waits until a file a task writes exists; fails the test if it never appears.</summary>
    public static string WaitForFile(string path)
    {
        WaitUntil(() => System.IO.File.Exists(path) && new System.IO.FileInfo(path).Length > 0, $"{System.IO.Path.GetFileName(path)} to appear", TimeSpan.FromSeconds(30));
        return System.IO.File.ReadAllText(path);
    }

    /// <summary>Polls <paramref name="condition"/> (an event: a file, a count) until it holds; fails the test, naming <paramref name="what"/>, after <paramref name="limit"/> (a hang, not a speed claim).</summary>
    public static void WaitUntil(Func<bool> condition, string what, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"gave up waiting for {what}");
            System.Threading.Thread.Sleep(5);
        }
    }

    /// <summary>Waits until <paramref name="file"/> holds <paramref name="count"/> whole pids, one per line, and returns them; fails the test after <paramref name="limit"/>.</summary>
    public static int[] WaitForPids(string file, int count, TimeSpan limit)
    {
        WaitUntil(() => ReadPids(file).Length >= count, $"{System.IO.Path.GetFileName(file)} to get {count} pid(s)", limit);
        return ReadPids(file);
    }

    private static int[] ReadPids(string file)
    {
        if (!System.IO.File.Exists(file)) return Array.Empty<int>();
        string text;
        try
        {
            text = System.IO.File.ReadAllText(file);
        }
        catch (System.IO.IOException)
        {
            return Array.Empty<int>(); // being written
        }

        // A line counts once its newline is there (an append may be seen half done).
        var complete = text[..(text.LastIndexOf('\n') + 1)];
        return complete.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => int.Parse(line, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>A fresh, empty folder for one test's files, under <paramref name="what"/> in the temporary folder; <see cref="DeleteScratchFolder"/> removes it.</summary>
    public static string NewScratchFolder(string what)
    {
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), what, Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Removes a folder made by <see cref="NewScratchFolder"/>, leaving it be if something still holds a file there.</summary>
    public static void DeleteScratchFolder(string folder)
    {
        try { System.IO.Directory.Delete(folder, recursive: true); } catch (System.IO.IOException) { }
    }

    /// <summary>A fresh path in the temporary folder for a task to mark; the caller deletes it.</summary>
    public static string ScratchPath(string what) => System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"raygen-test-{what}-{Guid.NewGuid():N}");

    public static void AssertNoChildren() =>
        Assert.That(System.IO.Directory.GetDirectories("/proc").Count(d => ParentPid(int.TryParse(System.IO.Path.GetFileName(d), out var p) ? p : -1) == Environment.ProcessId), Is.Zero);
}
