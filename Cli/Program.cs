using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using RayGen.Cluster;
using RayGen.Cluster.Driver;
using RayGen.Cluster.Nodes;
using RayGen.Cluster.Security;
using RayGen.Cli.Commands;

namespace RayGen.Cli;

/// <summary>
/// The <c>raygen</c> command: start, status, stop (and <c>node</c>, the background node process it starts); list and
/// summary read a running driver's dashboard API.
/// </summary>
internal static class Program
{
    private const string ReadyPrefix = "RAYGEN-READY ";
    private const string TokenVariable = "RAYGEN_NODE_TOKEN";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(40);

    private const string Usage = """
        usage:
          raygen start --head [--port 6380] [--token TOKEN] [--num-cpus N] [--num-gpus N]
                       [--resources name=amount,...] [--object-store-memory BYTES]
                       [--node-ip-address IP] [--failure-timeout SECONDS] [--block]
          raygen start --address HEAD_HOST:PORT --token TOKEN [same resource flags] [--block]
          raygen status [--address HOST:PORT --token TOKEN]
          raygen stop
          raygen list tasks|actors|objects|nodes [--state STATE] [--name TEXT] [--limit N] [--address URL] [--token TOKEN]
          raygen summary tasks                   [--name TEXT] [--address URL] [--token TOKEN]

        list/summary --address: a running driver's dashboard (RayOptions.DashboardPort), http://127.0.0.1:8265 by default.
        """;

    public static async Task<int> Main(string[] args)
    {
        try
        {
            return args switch
            {
                [] or ["help"] or ["--help"] or ["-h"] => PrintUsage(),
                ["start", .. var rest] => await StartAsync(StartOptions.Parse(rest)),
                ["node", .. var rest] => await RunNodeAsync(StartOptions.Parse(rest, tokenInEnvironment: true), background: true),
                ["status", .. var rest] => await StatusAsync(rest),
                ["stop", .. var rest] => Stop(rest),
                ["list", .. var rest] => ListCommand.Run(rest, Console.Out, Console.Error),
                ["summary", .. var rest] => SummaryCommand.Run(rest, Console.Out, Console.Error),
                _ => throw new UsageException($"unknown command '{args[0]}'."),
            };
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"raygen: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        catch (ClusterConnectException e)
        {
            Console.Error.WriteLine($"raygen: {e.Message}");
            return 1;
        }
    }

    private static int PrintUsage()
    {
        Console.WriteLine(Usage);
        return 0;
    }

    private static async Task<int> StartAsync(StartOptions options)
    {
        if (options.Head)
        {
            var running = ClusterState.ReadClusterFile();
            if (running is not null && IsNodeProcess(running.HeadPid))
                throw new ClusterConnectException($"A head node of this user already runs on this machine (pid {running.HeadPid}, {running.Address}): raygen stop it first.");
        }

        var token = options.Token ?? (options.Head ? NewToken() : throw new UsageException("--token is required"));
        if (options.Block) return await RunNodeAsync(options, background: false, token);

        // The node runs in a process of its own, started from this one; it says when it has joined.
        var start = NodeProcessStart(options.NodeArguments.Where((a, i) => a != "--token" && (i == 0 || options.NodeArguments[i - 1] != "--token")));
        start.Environment[TokenVariable] = token;
        using var node = Process.Start(start) ?? throw new ClusterConnectException("The node process could not be started.");
        node.StandardInput.Close();
        var errors = node.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        while (true)
        {
            string? line;
            try
            {
                line = await node.StandardOutput.ReadLineAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                node.Kill(entireProcessTree: true);
                Console.Error.WriteLine($"raygen: the node did not {(options.Head ? "start" : "join")} within {ReadyTimeout.TotalSeconds:0} s; it was stopped. Its log is in {ClusterState.LogsFolder}.");
                return 1;
            }

            if (line is null)
            {
                await node.WaitForExitAsync();
                var message = (await errors).Trim();
                Console.Error.WriteLine($"raygen: the node {(options.Head ? "did not start" : "did not join")}: {(message.Length > 0 ? message : $"it exited with code {node.ExitCode}")}");
                return 1;
            }

            if (!line.StartsWith(ReadyPrefix, StringComparison.Ordinal)) continue;
            var ready = JsonSerializer.Deserialize<NodeRecord>(line[ReadyPrefix.Length..])!;
            PrintStarted(ready, options.Head ? ready.Address : options.Address!, token);
            return 0;
        }
    }

    private static ProcessStartInfo NodeProcessStart(IEnumerable<string> nodeArguments)
    {
        var process = Environment.ProcessPath ?? throw new ClusterConnectException("Cannot tell which program is running raygen.");
        var start = new ProcessStartInfo(process)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Run as `dotnet raygen.dll`: start the same way; as the tool's own executable: start that.
        if (Path.GetFileNameWithoutExtension(process) == "dotnet") start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.ArgumentList.Add("node");
        foreach (var argument in nodeArguments) start.ArgumentList.Add(argument);
        return start;
    }

    private static void PrintStarted(NodeRecord node, string headAddress, string token)
    {
        if (node.IsHead)
        {
            Console.WriteLine($"RayGen head node started at {node.Address} (node {node.NodeId}).");
            Console.WriteLine();
            Console.WriteLine("Connect a driver (package RayGen.Cluster):");
            Console.WriteLine($"    Ray.Init(new RayOptions {{ Address = \"{node.Address}\", Token = \"{token}\" }});");
            Console.WriteLine("    on this machine also: Ray.Init(new RayOptions { Address = \"auto\" });");
            Console.WriteLine("Add a node (on this or another machine):");
            Console.WriteLine($"    raygen start --address {node.Address} --token {token}");
        }
        else
        {
            Console.WriteLine($"RayGen node {node.NodeId} at {node.Address} joined the cluster at {headAddress}.");
        }

        Console.WriteLine("See the cluster: raygen status    Stop this machine's nodes: raygen stop");
        Console.WriteLine($"address: {headAddress}");
        Console.WriteLine($"token: {token}");
    }

    private static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Runs a node until SIGTERM or Ctrl+C: in the background (the process `start` left) or in the foreground (--block).</summary>
    private static async Task<int> RunNodeAsync(StartOptions options, bool background, string? token = null)
    {
        token ??= Environment.GetEnvironmentVariable(TokenVariable) ?? options.Token
            ?? throw new UsageException("The node was given no token.");
        if (background && !OperatingSystem.IsWindows()) Native.SetSid();
        ClusterState.EnsureFolders();
        var logPath = Path.Combine(ClusterState.LogsFolder, $"node-{Environment.ProcessId}.log");
        var logStream = new FileStream(logPath, new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite });
        var log = new StreamWriter(logStream, new UTF8Encoding(false)) { AutoFlush = true };
        using var logs = new FileLoggerProvider(background ? log : TextWriter.Synchronized(Console.Error), LogLevel.Warning);

        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stopping.TrySetResult();
        }

        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context => context.Cancel = true);

        NodeHost host;
        try
        {
            host = await NodeHost.StartAsync(new NodeSettings
            {
                IsHead = options.Head,
                HeadAddress = options.Address,
                Port = options.Port,
                Token = token,
                NumCpus = options.NumCpus,
                NumGpus = options.NumGpus,
                Resources = options.Resources,
                ObjectStoreMemory = options.ObjectStoreMemory,
                NodeIpAddress = options.NodeIpAddress,
                FailureTimeout = options.FailureTimeout,
            }, logs, CancellationToken.None);
        }
        catch (Exception e) when (e is ClusterConnectException or RayException or ArgumentException)
        {
            log.WriteLine($"{DateTime.UtcNow:O} the node did not start: {e}");
            Console.Error.WriteLine(e.Message);
            await log.DisposeAsync();
            File.Delete(logPath);
            return 1;
        }

        var record = new NodeRecord(Environment.ProcessId, host.Identity.Details.NodeId, host.Address, options.Head, logPath);
        ClusterState.WriteNode(record);
        if (options.Head) ClusterState.WriteClusterFile(new ClusterFile(host.Address, token, Environment.ProcessId));

        if (background)
        {
            Console.Out.WriteLine(ReadyPrefix + JsonSerializer.Serialize(record));
            Console.Out.Flush();
            // `start` stops reading once the node is ready: from here on everything this process (and a worker it
            // starts) writes to stdout or stderr goes to the node's log instead of a closed pipe.
            if (!OperatingSystem.IsWindows())
            {
                var fd = (int)logStream.SafeFileHandle.DangerousGetHandle();
                Native.Dup2(fd, 1);
                Native.Dup2(fd, 2);
            }
        }
        else
        {
            PrintStarted(record, options.Head ? record.Address : options.Address!, token);
            Console.WriteLine("Running in the foreground: Ctrl+C or SIGTERM stops the node.");
        }

        var headLost = host.WatchHeadAsync();
        var exitCode = 0;
        if (await Task.WhenAny(stopping.Task, headLost) == headLost && headLost.Result is { } reason)
        {
            // Written to the node's log (its stdout, in the background) and to a terminal running it with --block.
            Console.Error.WriteLine($"{DateTime.UtcNow:O} {reason}");
            exitCode = 1;
        }

        try
        {
            await host.StopAsync();
        }
        finally
        {
            File.Delete(ClusterState.NodePath(Environment.ProcessId));
            if (options.Head && ClusterState.ReadClusterFile()?.HeadPid == Environment.ProcessId) File.Delete(ClusterState.ClusterFilePath);
            if (!background) Console.WriteLine("The node left the cluster.");
        }

        return exitCode;
    }

    private static async Task<int> StatusAsync(IReadOnlyList<string> args)
    {
        string? address = null, token = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--address" when i + 1 < args.Count:
                    address = args[++i];
                    break;
                case "--token" when i + 1 < args.Count:
                    token = args[++i];
                    break;
                default:
                    throw new UsageException($"raygen status does not know '{args[i]}' (it takes --address HOST:PORT --token TOKEN, or nothing for this machine's cluster).");
            }
        }

        var (resolved, proof) = ClusterClient.Resolve(address ?? "auto", token);
        await using var client = await ClusterClient.ConnectAsync(resolved, proof, CancellationToken.None);
        var nodes = await client.NodesAsync();
        Console.WriteLine($"Cluster at {resolved}: {nodes.Count} node{(nodes.Count == 1 ? "" : "s")}, {nodes.Count(n => n.IsAlive)} alive");
        Console.WriteLine($"{"NODE",-18}{"ADDRESS",-22}{"ROLE",-6}{"STATE",-7}RESOURCES (used/total)");
        foreach (var node in nodes)
        {
            var resources = string.Join(", ", node.Total.OrderBy(kv => Rank(kv.Key)).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv =>
            {
                var used = node.IsAlive ? Format(kv.Value - node.Available.GetValueOrDefault(kv.Key)) : "-";
                return $"{kv.Key} {used}/{Format(kv.Value)}";
            }));
            Console.WriteLine($"{node.NodeId,-18}{node.Address,-22}{(node.IsHead ? "head" : "node"),-6}{(node.IsAlive ? "alive" : "dead"),-7}{resources}");
        }

        return 0;

        static int Rank(string name) => name switch { "CPU" => 0, "GPU" => 1, _ => 2 };
        static string Format(double value) => Math.Round(value, 4).ToString("G", CultureInfo.InvariantCulture);
    }

    private static int Stop(IReadOnlyList<string> args)
    {
        if (args.Count > 0) throw new UsageException($"raygen stop takes no options ('{args[0]}').");
        var nodes = ClusterState.Nodes();
        // Other nodes first: each leaves through the head's membership table, which goes with the head.
        var stopped = StopAll(nodes.Where(n => !n.IsHead).ToList()) + StopAll(nodes.Where(n => n.IsHead).ToList());
        var cluster = ClusterState.ReadClusterFile();
        if (cluster is not null && !IsNodeProcess(cluster.HeadPid)) File.Delete(ClusterState.ClusterFilePath);
        ClusterState.RemoveCodeCache();
        ClusterState.RemoveEmptyFolders();
        Console.WriteLine(stopped == 0 ? "No RayGen node of this user runs on this machine." : $"Stopped {stopped} RayGen node{(stopped == 1 ? "" : "s")}.");
        return 0;
    }

    private static int StopAll(List<NodeRecord> nodes)
    {
        var running = nodes.Where(n => IsNodeProcess(n.Pid)).ToList();
        foreach (var node in running) Native.Kill(node.Pid, Native.SigTerm);
        var deadline = DateTime.UtcNow + StopTimeout;
        foreach (var node in running)
        {
            if (!WaitForExit(node.Pid, deadline))
            {
                Console.Error.WriteLine($"raygen: node {node.NodeId} (pid {node.Pid}) did not leave within {StopTimeout.TotalSeconds:0} s; killing it.");
                Native.Kill(node.Pid, 9);
                WaitForExit(node.Pid, DateTime.UtcNow + TimeSpan.FromSeconds(10));
            }
        }

        foreach (var node in nodes)
        {
            File.Delete(ClusterState.NodePath(node.Pid));
            File.Delete(node.LogFile);
        }

        return running.Count;
    }

    // The node is not this process's child, so there is nothing to wait on but its /proc entry.
    private static bool WaitForExit(int pid, DateTime deadline)
    {
        while (IsRunning(pid))
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(50);
        }

        return true;
    }

    private static bool IsRunning(int pid)
    {
        if (Native.Kill(pid, 0) != 0) return false;
        try
        {
            // A zombie waits for its parent to reap it; it runs nothing any more.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault() != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Whether <paramref name="pid"/> is a running raygen node (a recycled pid is not).</summary>
    private static bool IsNodeProcess(int pid)
    {
        if (pid <= 0 || !IsRunning(pid)) return false;
        try
        {
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            return commandLine.Contains("node") && commandLine.Any(a => a.Contains("raygen", StringComparison.OrdinalIgnoreCase));
        }
        catch (IOException)
        {
            return false;
        }
    }
}
