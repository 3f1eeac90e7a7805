using System;
using System.Globalization;
using System.IO;
using System.Threading;

namespace RayGen.Process.Tests;

/// <summary>
/// Tasks for the pipelining tests (a worker holding runs queued behind the one it runs). They synchronise on files
/// the test can see, never on how long something takes.
/// </summary>
public static partial class LaneTasks
{
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(90);

    /// <summary>Holds the whole runtime's CPU (one) until <paramref name="gate"/> exists, so what is submitted meanwhile queues.</summary>
    [Remote(NumCpus = 1)]
    public static int HoldsEverythingUntil(string gate)
    {
        WaitFor(gate);
        return Environment.ProcessId;
    }

    /// <summary>
    /// Blocks in Get of a child that waits for <paramref name="signal"/>, a file only a task queued behind this one
    /// writes: it finishes only if what waits behind it on its worker is given back and runs elsewhere.
    /// </summary>
    [Remote(NumCpus = 0.5)]
    public static int WaitsForTaskQueuedBehind(string signal) => Remote.WaitsFor(signal).Get();

    [Remote(NumCpus = 0.5)]
    public static int WaitsFor(string signal)
    {
        WaitFor(signal);
        return 7;
    }

    [Remote(NumCpus = 0.5)]
    public static int Writes(string signal)
    {
        File.WriteAllText(signal, "");
        return Environment.ProcessId;
    }

    /// <summary>Appends its pid to <paramref name="pidFile"/> (a line per attempt), then returns it.</summary>
    [Remote(NumCpus = 0.5, MaxRetries = 1)]
    public static int RecordsPid(string pidFile)
    {
        File.AppendAllText(pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        return Environment.ProcessId;
    }

    /// <summary>Appends its pid to <paramref name="pidFile"/>, then waits for <paramref name="gate"/>.</summary>
    [Remote(NumCpus = 0.5)]
    public static int RecordsPidThenWaitsFor(string pidFile, string gate)
    {
        File.AppendAllText(pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        WaitFor(gate);
        return Environment.ProcessId;
    }

    private static void WaitFor(string path)
    {
        var deadline = DateTime.UtcNow + NoHang;
        while (!File.Exists(path))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{path} never appeared");
            Thread.Sleep(5);
        }
    }
}
