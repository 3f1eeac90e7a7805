using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using NUnit.Framework;

namespace RayGen.Package.Tests;

/// <summary>What a command printed (stdout and stderr interleaved as they came) and how it ended.</summary>
internal sealed record CommandResult(string Command, int ExitCode, string Output)
{
    /// <summary>
    /// The output for an assertion message, every line indented: CI sums the lines that begin with
    /// "Passed!" or "Failed!", and a nested `dotnet test` prints such a line.
    /// </summary>
    public override string ToString() =>
        $"`{Command}` exited with {ExitCode}:\n" + string.Join("\n", Output.Split('\n').Select(line => "    | " + line.TrimEnd('\r')));
}

/// <summary>Runs the .NET CLI the way a person at a shell does, in a clean environment of our choosing.</summary>
internal static class Dotnet
{
    /// <summary>The dotnet that runs these tests, so the nested commands use the same SDK.</summary>
    public static string Host { get; } = FindHost();

    public static CommandResult Run(string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] arguments) =>
        Execute(Host, workingDirectory, environment, timeout, arguments);

    public static CommandResult Execute(string fileName, string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);

        // `dotnet test` runs us with variables meant for this test host and its MSBuild; a nested build or test
        // run that inherits them talks to the wrong parent. A newcomer's shell has none of them.
        foreach (var key in info.Environment.Keys.ToList())
        {
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) ||
                key.StartsWith("VSTEST_", StringComparison.OrdinalIgnoreCase) ||
                key.StartsWith("TESTINGPLATFORM_", StringComparison.OrdinalIgnoreCase) ||
                key.StartsWith("RAYGEN_", StringComparison.OrdinalIgnoreCase))
            {
                info.Environment.Remove(key);
            }
        }

        foreach (var (key, value) in environment) info.Environment[key] = value;

        var command = Path.GetFileName(fileName) + " " + string.Join(" ", arguments);
        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            // The whole tree: a build leaves compiler and MSBuild children, a Ray driver its workers.
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (output) output.AppendLine($"[killed after {timeout.TotalSeconds:0} s]");
            return new CommandResult(command, -1, Snapshot(output));
        }

        process.WaitForExit(); // drains the redirected streams
        // Where the minutes go, in the test's own output (dotnet test --logger "console;verbosity=detailed").
        TestContext.Out.WriteLine($"{clock.Elapsed.TotalSeconds,6:0.0} s  {command}");
        return new CommandResult(command, process.ExitCode, Snapshot(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output) return output.ToString();
    }

    private static string FindHost()
    {
        var name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath)) return hostPath;
        if (Environment.ProcessPath is { } self && Path.GetFileName(self) == name) return self;
        return name;
    }
}
