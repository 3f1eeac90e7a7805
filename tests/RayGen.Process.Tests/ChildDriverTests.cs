using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using NUnit.Framework;

namespace RayGen.Process.Tests;

/// <summary>Tests that run a separate driver program (RayGen.Process.TestDriver) and watch its output and its workers.</summary>
[TestFixture]
[NonParallelizable]
public class ChildDriverTests
{
    private static System.Diagnostics.Process StartDriver(string mode)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "RayGen.Process.TestDriver.dll");
        var info = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) != "dotnet") info.FileName = "dotnet";
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add(mode);
        return System.Diagnostics.Process.Start(info)!;
    }

    [Test]
    public void A_workers_console_line_reaches_the_drivers_output_with_its_pid()
    {
        using var driver = StartDriver("print");
        var output = driver.StandardOutput.ReadToEndAsync();
        var errors = driver.StandardError.ReadToEndAsync();
        Assert.That(driver.WaitForExit(60_000), Is.True, "the child driver finishes");
        var text = output.Result;
        var pid = Regex.Match(text, @"driver: worker pid (\d+)").Groups[1].Value;
        Assert.That(pid, Is.Not.Empty, text + errors.Result);
        Assert.That(text, Does.Contain($"(pid={pid}) hello from a worker"));
        Assert.That(driver.ExitCode, Is.Zero, errors.Result);
    }

    [Test]
    public void An_actors_console_line_reaches_the_drivers_output_prefixed_with_its_class_and_pid()
    {
        using var driver = StartDriver("print-actor");
        var output = driver.StandardOutput.ReadToEndAsync();
        var errors = driver.StandardError.ReadToEndAsync();
        Assert.That(driver.WaitForExit(60_000), Is.True, "the child driver finishes");
        var text = output.Result;
        var pid = Regex.Match(text, @"driver: actor pid (\d+)").Groups[1].Value;
        Assert.That(pid, Is.Not.Empty, text + errors.Result);
        Assert.That(text, Does.Contain($"(Shouter pid={pid}) hello from an actor"));
    }

    /// <summary>A child driver that ran tasks, killed with SIGKILL once ready; returns the pids its tasks ran in and its session folder.</summary>
    private static (int[] TaskWorkers, string Session) RunDriverThenKillIt()
    {
        using var driver = StartDriver("hang");
        try
        {
            string? line;
            do line = driver.StandardOutput.ReadLine() ?? throw new AssertionException("the child driver exited early: " + driver.StandardError.ReadToEnd());
            while (!line.StartsWith("driver: worker pids ", StringComparison.Ordinal));
            var taskWorkers = line["driver: worker pids ".Length..].Split(' ').Select(int.Parse).Distinct().ToArray();
            var session = Directory.GetDirectories("/dev/shm", $"raygen-{driver.Id}-*").Single();
            Assert.That(ChildrenOf(driver.Id), Is.SupersetOf(taskWorkers), "the tasks ran in the driver's own worker processes");
            Assert.That(taskWorkers.All(ProcessTestSupport.IsWorkerProcess), Is.True, "they run RayGen.Worker.dll");
            return (taskWorkers, session);
        }
        finally
        {
            driver.Kill(); // SIGKILL: the driver cleans up nothing
            driver.WaitForExit(); // and is reaped: its pid is gone from /proc
        }
    }

    [Test]
    public void A_driver_killed_with_SIGKILL_leaves_no_worker_alive()
    {
        var (workers, _) = RunDriverThenKillIt();
        // Each worker's exit is the event waited for; the limit only detects a worker that never goes.
        var survivors = workers.Where(pid => !ProcessTestSupport.WaitForExit(pid, TimeSpan.FromSeconds(30))).ToArray();
        Assert.That(survivors, Is.Empty, "workers still alive 30 s after their driver died");
    }

    [Test]
    public void The_next_Init_removes_the_session_folder_a_killed_driver_left()
    {
        var (_, session) = RunDriverThenKillIt();
        // On a shared machine another driver's Init may get there first: either way the folder must be gone.
        using (Ray.Init(new RayOptions { NumCpus = 1 }))
        {
            Assert.That(Directory.Exists(session), Is.False);
        }
    }

    private static int[] ChildrenOf(int parent) =>
        Directory.GetDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : -1)
            .Where(pid => pid > 0 && ParentOf(pid) == parent)
            .ToArray();

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
