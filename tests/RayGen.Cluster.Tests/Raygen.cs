using System;
using System.Globalization;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using NUnit.Framework;

namespace RayGen.Cluster.Tests;

/// <summary>What one run of the raygen tool did.</summary>
public sealed record ToolResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";

    /// <summary>The value of a <c>name: value</c> line.</summary>
    public string Line(string name) =>
        Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(name + ": ", StringComparison.Ordinal))?[(name.Length + 2)..]
        ?? throw new AssertionException($"no '{name}:' line in\n{this}");
}

/// <summary>Runs the raygen tool as a user would, with this suite's own state folder.</summary>
public static class Raygen
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    public static string ToolPath { get; } = Path.GetFullPath(typeof(Raygen).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RaygenTool").Value!);

    public static ToolResult Run(string stateFolder, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ToolPath);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["RAYGEN_STATE_DIR"] = stateFolder;
        start.Environment.Remove("RAYGEN_ADDRESS");
        start.Environment.Remove("RAYGEN_TOKEN");
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"raygen {string.Join(' ', arguments)} did not finish within {CommandTimeout}");
        }

        // start returns once its node is ready; the node keeps no pipe of ours open, so reading to the end finishes.
        return new ToolResult(process.ExitCode, output.Result, error.Result);
    }

    public static ToolResult Succeed(string stateFolder, params string[] arguments)
    {
        var result = Run(stateFolder, arguments);
        Assert.That(result.ExitCode, Is.Zero, $"raygen {string.Join(' ', arguments)}\n{result}\n{Logs(stateFolder)}");
        return result;
    }

    /// <summary>
    /// Starts a head on loopback (a free port) in a fresh state folder named after <paramref name="fixture"/>, with
    /// the extra flags; returns the folder, the address and the token it printed.
    /// </summary>
    public static (string State, string Address, string Token) StartHead(string fixture, params string[] flags)
    {
        var state = Path.Combine(Path.GetTempPath(), $"raygen-{fixture}-{Guid.NewGuid():N}");
        var head = Succeed(state, ["start", "--head", "--port", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--node-ip-address", "127.0.0.1", .. flags]);
        return (state, head.Line("address"), head.Line("token"));
    }

    /// <summary>
    /// A fixture's end: the driver shut down, the nodes' logs shown when a test failed, every node stopped, and the
    /// socket folders of nodes killed with SIGKILL (which clean up nothing) removed.
    /// </summary>
    public static void StopCluster(string? state)
    {
        Ray.Shutdown();
        if (state is null) return;
        if (TestContext.CurrentContext.Result.FailCount > 0) TestContext.Progress.WriteLine(Logs(state));
        Run(state, "stop");
        RayGen.Protocol.SessionDirectory.RemoveDeadSessions();
    }

    public static int FreePort()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>The job host processes the cluster's nodes run now (children of node processes started with --job-host).</summary>
    /// <summary>How to start the cluster tests' child driver (tests/RayGen.Cluster.TestDriver) from a folder (default: beside the tests).</summary>
    public static ProcessStartInfo TestDriver(string address, string token, string mode, IEnumerable<string> rest, string? folder = null)
    {
        folder ??= Path.GetDirectoryName(typeof(Raygen).Assembly.Location)!;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(folder, "RayGen.Cluster.TestDriver.dll"));
        start.ArgumentList.Add(mode);
        start.ArgumentList.Add(address);
        start.ArgumentList.Add(token);
        foreach (var arg in rest) start.ArgumentList.Add(arg);
        return start;
    }

    /// <summary>The first line the driver prints that starts with the prefix (a failure after 90 s without one).</summary>
    public static string ReadUntil(Process driver, string prefix)
    {
        var seen = new List<string>();
        var reading = System.Threading.Tasks.Task.Run(() =>
        {
            string? line;
            while ((line = driver.StandardOutput.ReadLine()) is not null)
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal)) return line;
                lock (seen) seen.Add(line);
            }

            return null;
        });
        if (!reading.Wait(TimeSpan.FromSeconds(90)) || reading.Result is null)
        {
            lock (seen) Assert.Fail($"the test driver never printed {prefix}:\n{string.Join('\n', seen)}");
        }

        return reading.Result!;
    }

    public static List<int> JobHosts(string state)
    {
        var nodes = NodePids(state).ToHashSet();
        var hosts = new List<int>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            try
            {
                if (!File.ReadAllText(Path.Combine(dir, "cmdline")).Contains("--job-host", StringComparison.Ordinal)) continue;
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                if (nodes.Contains(parent) && IsRunning(pid)) hosts.Add(pid);
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
        }

        return hosts;
    }

    /// <summary>The nodes' logs, for a failure's message.</summary>
    public static string Logs(string stateFolder)
    {
        var logs = Path.Combine(stateFolder, "logs");
        if (!Directory.Exists(logs)) return "(no node logs)";
        var text = new StringBuilder();
        foreach (var file in Directory.GetFiles(logs))
        {
            text.AppendLine($"--- {Path.GetFileName(file)}");
            text.AppendLine(File.ReadAllText(file));
        }

        return text.ToString();
    }

    /// <summary>The pids of the node processes the state folder records.</summary>
    public static IReadOnlyList<int> NodePids(string stateFolder)
    {
        var nodes = Path.Combine(stateFolder, "nodes");
        return Directory.Exists(nodes)
            ? Directory.GetFiles(nodes, "*.json").Select(f => int.Parse(Path.GetFileNameWithoutExtension(f), System.Globalization.CultureInfo.InvariantCulture)).ToList()
            : [];
    }

    /// <summary>Whether a process runs (a zombie waiting to be reaped does not).</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault() != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
