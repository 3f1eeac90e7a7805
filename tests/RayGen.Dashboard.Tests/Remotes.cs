using System;
using System.IO;
using System.Threading;

namespace RayGen.Dashboard.Tests;

/// <summary>The work the dashboard is shown: tasks that finish, fail, print or hold until a file says go, and an actor.</summary>
public static partial class DashboardTasks
{
    [Remote]
    public static int Add(int a, int b) => a + b;

    [Remote]
    public static int Echo(int n) => n;

    [Remote]
    public static int Fail(string message) => throw new InvalidOperationException(message);

    [Remote]
    public static int Print(string line)
    {
        Console.WriteLine(line);
        return line.Length;
    }

    /// <summary>Writes <paramref name="started"/>, then holds until <paramref name="gate"/> exists (the test's go).</summary>
    [Remote]
    public static int HoldUntil(string started, string gate)
    {
        File.WriteAllText(started, "started");
        Files.WaitFor(gate);
        return 1;
    }

    [Remote]
    public static byte[] Large(int bytes) => new byte[bytes];
}

[Remote]
public partial class Tally
{
    private int _total;

    public int Add(int n) => _total += n;
}

/// <summary>Files are the events tests and workers synchronise on: both see them alike.</summary>
public static class Files
{
    /// <summary>Hang detection, never a speed claim.</summary>
    public static readonly TimeSpan NoHang = TimeSpan.FromSeconds(30);

    public static void WaitFor(string path)
    {
        var deadline = DateTime.UtcNow + NoHang;
        while (!File.Exists(path))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{path} never appeared");
            Thread.Sleep(5);
        }
    }
}
