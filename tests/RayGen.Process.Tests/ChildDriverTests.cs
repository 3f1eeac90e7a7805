using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
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
    public void A_driver_killed_with_SIGKILL_leaves_no_worker_alive_after_five_seconds()
    {
        using var driver = StartDriver("hang");
        int[] workers;
        string session;
        try
        {
            var line = "";
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!line.Contains("driver: ready", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
                line = driver.StandardOutput.ReadLine() ?? throw new AssertionException("the child driver exited early: " + driver.StandardError.ReadToEnd());
            workers = ChildrenOf(driver.Id);
            session = Directory.GetDirectories("/dev/shm", $"raygen-{driver.Id}-*").Single();
            Assert.That(workers, Is.Not.Empty);
        }
        finally
        {
            driver.Kill(); // SIGKILL: the driver cleans up nothing
        }

        Thread.Sleep(5000);
        Assert.That(workers.Where(ProcessTestSupport.IsAlive), Is.Empty);

        // The next session removes what the dead one left behind (on a shared machine another driver's Init may get there first).
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
