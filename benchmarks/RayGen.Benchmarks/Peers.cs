using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Sockets;
using RayGen.Benchmarks.Shared;

namespace RayGen.Benchmarks;

/// <summary>
/// The .NET peers, each a program of its own under benchmarks/Peers: the harness starts its server (an Orleans
/// silo, an Akka.NET actor system with the actor), then its client in a third process, which measures calls over
/// loopback with the same timeit and hands back JSON. Both servers end when their stdin closes.
/// </summary>
internal static class Peers
{
    private sealed record Peer(string Project, string MetricPrefix, Func<int[], string[]> ServerArgs, Func<int[], string, string[]> ClientArgs, int Ports);

    private static readonly Peer[] All =
    {
        new("RayGen.Benchmarks.Orleans", "orleans_grain_calls", p => new[] { "silo", P(p[0]), P(p[1]) }, (p, json) => new[] { "client", P(p[1]), json }, 2),
        new("RayGen.Benchmarks.Akka", "akka_remote_ask", p => new[] { "server", P(p[0]) }, (p, json) => new[] { "client", P(p[0]), json }, 1),
    };

    private static string P(int port) => port.ToString(CultureInfo.InvariantCulture);

    public static IEnumerable<BenchResult> Run(HarnessOptions options, TimeitSettings settings)
    {
        var results = new List<BenchResult>();
        foreach (var peer in All)
        {
            // A filter picks a peer by a part of its metrics' names ("orleans", "ask_sync") or all of them with "peer".
            var wanted = options.Filters.Count == 0 || options.Matches("peer") ||
                         options.Filters.Exists(f => (peer.MetricPrefix + "_sync" + peer.MetricPrefix + "_1000_concurrent").Contains(f, StringComparison.OrdinalIgnoreCase));
            if (!wanted) continue;
            try
            {
                results.AddRange(RunPeer(peer, settings));
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                Console.Error.WriteLine($"peer {peer.Project} did not run: {e.Message}");
            }
        }

        results.RemoveAll(r => !options.Matches(r.Name) && !options.Matches("peer"));
        return results;
    }

    private static List<BenchResult> RunPeer(Peer peer, TimeitSettings settings)
    {
        var dll = Locate(peer.Project);
        var ports = FreePorts(peer.Ports);
        var json = Path.Combine(Path.GetTempPath(), $"raygen-bench-{peer.Project}-{Environment.ProcessId}.json");
        using var server = Start(dll, peer.ServerArgs(ports), redirectStdin: true);
        try
        {
            // The server says "ready" once it listens; a minute covers a cold start on a busy machine.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            string? line;
            do
            {
                var next = server.StandardOutput.ReadLineAsync();
                if (!next.Wait(deadline - DateTime.UtcNow)) throw new TimeoutException($"{peer.Project} server did not get ready within a minute");
                line = next.Result ?? throw new InvalidOperationException($"{peer.Project} server exited before it was ready");
            }
            while (line != "ready");
            _ = server.StandardOutput.ReadToEndAsync();
            var clientArgs = new List<string>(peer.ClientArgs(ports, json))
            {
                settings.WarmupSeconds.ToString(CultureInfo.InvariantCulture),
                settings.Rounds.ToString(CultureInfo.InvariantCulture),
                settings.RoundSeconds.ToString(CultureInfo.InvariantCulture),
            };
            using var client = Start(dll, clientArgs, redirectStdin: false);
            if (!client.WaitForExit(TimeSpan.FromMinutes(3)))
            {
                client.Kill(entireProcessTree: true);
                throw new TimeoutException($"{peer.Project} client did not finish");
            }

            if (client.ExitCode != 0 || !File.Exists(json)) throw new InvalidOperationException($"{peer.Project} client exited with {client.ExitCode}");
            var results = Timeit.FromJson(File.ReadAllText(json));
            return results;
        }
        finally
        {
            try
            {
                server.StandardInput.Close();
            }
            catch (IOException)
            {
            }

            ChildProcess.Stop(server);
            File.Delete(json);
        }
    }

    private static Process Start(string dll, IEnumerable<string> args, bool redirectStdin)
    {
        var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var info = new ProcessStartInfo(dotnet) { UseShellExecute = false, RedirectStandardInput = redirectStdin, RedirectStandardOutput = redirectStdin };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {dll}");
    }

    /// <summary>The peer's build output (Release, as the harness), built on first use when missing.</summary>
    private static string Locate(string project)
    {
        var root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "RayGen.sln"))) root = Path.GetDirectoryName(root.TrimEnd(Path.DirectorySeparatorChar));
        if (root is null) throw new IOException("the RayGen repository (RayGen.sln) is not above the harness, so the peer programs cannot be found");
        var dir = Path.Combine(root, "benchmarks", "Peers", project);
        var dll = Path.Combine(dir, "bin", "Release", "net10.0", project + ".dll");
        if (File.Exists(dll)) return dll;
        Console.WriteLine($"building {project} (Release)...");
        using var build = Process.Start(new ProcessStartInfo("dotnet", $"build -c Release \"{dir}\" -v q -nologo") { UseShellExecute = false })!;
        build.WaitForExit();
        return File.Exists(dll) ? dll : throw new IOException($"{project} did not build; run dotnet build -c Release {dir}");
    }

    private static int[] FreePorts(int count)
    {
        var listeners = new List<TcpListener>();
        var ports = new int[count];
        for (var i = 0; i < count; i++)
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            listeners.Add(l);
            ports[i] = ((IPEndPoint)l.LocalEndpoint).Port;
        }

        foreach (var l in listeners) l.Stop();
        return ports;
    }
}
