using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Threading;
using RayGen.Benchmarks.Shared;

namespace RayGen.Benchmarks.Cluster;

/// <summary>
/// `cluster [--seconds S] [--json FILE]`: tasks, actor calls and a large result across nodes. The benchmark starts
/// a loopback cluster itself (a head and one node, through the raygen tool, in a state folder of its own), connects
/// as a driver and pins every run to the node that is not the head (group "cluster"), so each figure includes the whole path a
/// driver on another machine pays: driver -> head's gateway -> node's silo -> job host -> worker, and back through
/// the driver's observer (large values: pulled in 4 MiB chunks through the gateway). Group "head" repeats two of
/// them pinned to the head, whose silo is the gateway, to show what the hop between silos adds. The baselines are raw loopback
/// TCP between two sockets of this process, measured in the same run.
/// </summary>
internal static class ClusterBench
{
    private const int Burst = 1000;
    private const int TransferBytes = 64 * 1024 * 1024;
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(2);

    public static int Run(string[] args)
    {
        var roundSeconds = TimeitSettings.Ray.RoundSeconds;
        string? json = null;
        var nodeCpus = Environment.ProcessorCount;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds" when i + 1 < args.Length: roundSeconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--json" when i + 1 < args.Length: json = args[++i]; break;
                case "--node-cpus" when i + 1 < args.Length: nodeCpus = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}; usage: cluster [--seconds S] [--json FILE] [--node-cpus N]");
                    return 64;
            }
        }

        var settings = TimeitSettings.Ray with { RoundSeconds = roundSeconds };
        var started = DateTime.UtcNow;
        Console.WriteLine($"RayGen across nodes: loopback cluster (head + 1 node), timeit 1 s warm-up + {settings.Rounds} x {roundSeconds:0.##} s, " +
                          $"node --num-cpus {nodeCpus}, machine {Environment.ProcessorCount} cores, load {Load()}");

        var results = new List<BenchResult>();
        results.AddRange(TcpBaselines(settings));

        using var cluster = LocalCluster.Start(nodeCpus);
        results.AddRange(MeasureCluster(cluster, settings));

        Print(results);
        if (json is not null)
        {
            var meta = new Dictionary<string, object?>
            {
                ["started_utc"] = started.ToString("O", CultureInfo.InvariantCulture),
                ["mode"] = "cluster",
                ["machine_cores"] = Environment.ProcessorCount,
                ["node_cpus"] = nodeCpus,
                ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
                ["runtime"] = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
                ["load_at_end"] = Load(),
            };
            File.WriteAllText(json, Timeit.ToJson(results, meta));
            Console.WriteLine($"wrote {json}");
        }

        return 0;
    }

    /// <summary>Which same-run baselines each figure is held against.</summary>
    private static readonly (string Metric, string Baseline)[] Baselines =
    {
        ("cluster_tasks_async", "tcp_pingpong_8b_sync"),
        ("cluster_tasks_async", "tcp_pingpong_8b_1000_in_flight"),
        ("cluster_tasks_sync", "tcp_pingpong_8b_sync"),
        ("cluster_actor_calls_async", "tcp_pingpong_8b_sync"),
        ("cluster_actor_calls_async", "tcp_pingpong_8b_1000_in_flight"),
        ("cluster_actor_calls_sync", "tcp_pingpong_8b_sync"),
        ("cluster_object_transfer_GBps", "tcp_bulk_64MiB"),
        ("cluster_node_to_node_GBps", "tcp_bulk_64MiB"),
    };

    private static void Print(List<BenchResult> results)
    {
        Console.WriteLine();
        Console.WriteLine($"{"group",-8} {"metric",-30} {"mean",12} {"sd",10}  baseline (ratio)");
        foreach (var r in results)
        {
            var against = string.Join("; ", Baselines.Where(b => b.Metric == r.Name)
                .Select(b => results.FirstOrDefault(x => x.Name == b.Baseline) is { } baseline ? $"{b.Baseline} {Ratio(r.Mean / baseline.Mean)}" : null)
                .Where(s => s is not null));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Group,-8} {r.Name,-30} {Timeit.Format(r.Mean),12} {Timeit.Format(r.Sd),10}  {against}"));
        }
    }

    // Cluster figures are far below loopback's; a fixed two decimals would print most of them as 0.00x.
    private static string Ratio(double ratio) => ratio >= 0.1
        ? ratio.ToString("0.00", CultureInfo.InvariantCulture) + "x"
        : ratio.ToString("0.0000", CultureInfo.InvariantCulture) + "x (1/" + (1 / ratio).ToString("N0", CultureInfo.InvariantCulture) + ")";

    private static List<BenchResult> MeasureCluster(LocalCluster cluster, TimeitSettings settings)
    {
        using var ray = Ray.Init(new RayOptions { Address = cluster.Address, Token = cluster.Token });
        var node = Ray.Nodes().Single(n => !n.IsHead && n.IsAlive);
        var pin = new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(node.NodeId, soft: false) };
        var where = ClusterTasks.Remote.With(pin).NodeAddress().Get();
        Console.WriteLine($"driver pid {Environment.ProcessId}; head {cluster.Address}; runs pinned to node {node.NodeId} at {where}");

        var results = new List<BenchResult>();
        var tasks = new ObjectRef<byte[]>[Burst];
        results.Add(Timeit.Run("cluster_tasks_async", "cluster", () =>
        {
            for (var i = 0; i < tasks.Length; i++) tasks[i] = ClusterTasks.Remote.With(pin).SmallValue();
            Ray.Get(tasks);
        }, Burst, settings));
        results.Add(Timeit.Run("cluster_tasks_sync", "cluster", () => ClusterTasks.Remote.With(pin).SmallValue().Get(), 1, settings));

        var actor = ClusterActor.Remote.With(pin).New();
        if (ClusterTasks.Remote.With(pin).NodeAddress().Get() != where) throw new InvalidOperationException("the pinned node changed");
        actor.SmallValue().Get();
        results.Add(Timeit.Run("cluster_actor_calls_async", "cluster", () =>
        {
            for (var i = 0; i < tasks.Length; i++) tasks[i] = actor.SmallValue();
            Ray.Get(tasks);
        }, Burst, settings));
        results.Add(Timeit.Run("cluster_actor_calls_sync", "cluster", () => actor.SmallValue().Get(), 1, settings));

        var first = ClusterTasks.Remote.With(pin).Blob(TransferBytes).Get();
        if (first.Length != TransferBytes || first[12345] != ClusterTasks.Fill) throw new InvalidOperationException("the transferred value is not the node's");
        results.Add(Timeit.Run("cluster_object_transfer_GBps", "cluster", () => ClusterTasks.Remote.With(pin).Blob(TransferBytes).Get(),
            TransferBytes / 1e9, settings, "GB per second"));

        // The same on the head, whose silo is the driver's gateway: what the node-to-head hop adds shows in the difference.
        var onHead = new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(Ray.Nodes().Single(n => n.IsHead).NodeId, soft: false) };
        ClusterTasks.Remote.With(onHead).Blob(TransferBytes).Get();
        results.Add(Timeit.Run("cluster_tasks_sync", "head", () => ClusterTasks.Remote.With(onHead).SmallValue().Get(), 1, settings));
        results.Add(Timeit.Run("cluster_object_transfer_GBps", "head", () => ClusterTasks.Remote.With(onHead).Blob(TransferBytes).Get(),
            TransferBytes / 1e9, settings, "GB per second"));

        // Node to node: a value made on the head (which keeps it) taken as the argument of a task on the other node,
        // whose node pulls it from the head's; the driver only sends the run.
        var held = ClusterTasks.Remote.With(onHead).Blob(TransferBytes);
        held.Get();
        if (ClusterTasks.Remote.With(pin).Length(held).Get() != TransferBytes) throw new InvalidOperationException("the node-to-node value lost bytes");
        results.Add(Timeit.Run("cluster_node_to_node_GBps", "cluster", () => ClusterTasks.Remote.With(pin).Length(held).Get(),
            TransferBytes / 1e9, settings, "GB per second"));
        GC.KeepAlive(held);
        return results;
    }

    /// <summary>
    /// What one TCP connection on loopback does with nothing on top: an 8-byte ping-pong (one blocking round trip, and
    /// 1,000 in flight) and a 64 MiB copy from one pre-touched buffer to another, acknowledged by one byte.
    /// </summary>
    private static List<BenchResult> TcpBaselines(TimeitSettings settings)
    {
        var (client, server) = TcpPair();
        using var c = client;
        using var s = server;
        var echo = new Thread(() => Echo(server)) { IsBackground = true, Name = "tcp echo" };
        echo.Start();
        var one = new byte[8];
        var many = new byte[8 * Burst];
        var results = new List<BenchResult>
        {
            Timeit.Run("tcp_pingpong_8b_sync", "limit", () => RoundTrip(client, one), 1, settings),
            Timeit.Run("tcp_pingpong_8b_1000_in_flight", "limit", () => RoundTrip(client, many), Burst, settings),
        };
        client.Shutdown(SocketShutdown.Both);
        echo.Join();

        var (sender, receiver) = TcpPair();
        using var tx = sender;
        using var rx = receiver;
        var source = new byte[TransferBytes];
        Array.Fill(source, (byte)1);
        var sink = new Thread(() => Sink(receiver)) { IsBackground = true, Name = "tcp sink" };
        sink.Start();
        var ack = new byte[1];
        results.Add(Timeit.Run("tcp_bulk_64MiB", "limit", () =>
        {
            sender.Send(source);
            ReceiveExactly(sender, ack);
        }, TransferBytes / 1e9, settings, "GB per second"));
        sender.Shutdown(SocketShutdown.Both);
        sink.Join();
        return results;
    }

    private static (Socket Client, Socket Server) TcpPair()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.Connect(listener.LocalEndPoint!);
        var server = listener.Accept();
        // As Orleans' connections are: without it a small reply waits for the delayed ACK.
        server.NoDelay = true;
        return (client, server);
    }

    private static void RoundTrip(Socket socket, byte[] message)
    {
        socket.Send(message);
        ReceiveExactly(socket, message);
    }

    private static void Echo(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        var pending = 0;
        while (true)
        {
            var n = socket.Receive(buffer.AsSpan(pending));
            if (n == 0) return;
            pending += n;
            // Whole 8-byte messages go back as they come; a partial one waits for its tail.
            var whole = pending / 8 * 8;
            socket.Send(buffer.AsSpan(0, whole));
            buffer.AsSpan(whole, pending - whole).CopyTo(buffer);
            pending -= whole;
        }
    }

    /// <summary>Reads whole 64 MiB values into one pre-touched buffer (as the driver's copy lands in one array) and acknowledges each.</summary>
    private static void Sink(Socket socket)
    {
        var target = new byte[TransferBytes];
        Array.Fill(target, (byte)0);
        var ack = new byte[1];
        while (true)
        {
            var offset = 0;
            while (offset < target.Length)
            {
                var n = socket.Receive(target.AsSpan(offset));
                if (n == 0) return;
                offset += n;
            }

            socket.Send(ack);
        }
    }

    private static void ReceiveExactly(Socket socket, Span<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            var n = socket.Receive(buffer);
            if (n == 0) throw new IOException("the peer closed the socket");
            buffer = buffer[n..];
        }
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>
    /// A head and one node on loopback, started with the raygen tool built beside this project, in a fresh state
    /// folder; disposing it runs raygen stop with that folder, so nothing outlives the benchmark (Ctrl+C included).
    /// </summary>
    private sealed class LocalCluster : IDisposable
    {
        private readonly string _state;
        private readonly ConsoleCancelEventHandler _onCancel;
        private int _stopped;

        private LocalCluster(string state)
        {
            _state = state;
            _onCancel = (_, _) => Dispose();
            Console.CancelKeyPress += _onCancel;
        }

        public string Address { get; private set; } = "";
        public string Token { get; private set; } = "";

        public static LocalCluster Start(int nodeCpus)
        {
            var cluster = new LocalCluster(Path.Combine(Path.GetTempPath(), $"raygen-bench-cluster-{Environment.ProcessId}-{Guid.NewGuid():N}"));
            try
            {
                // The head takes no work here (every run is pinned to the node), so one CPU is all it announces.
                var head = cluster.Tool("start", "--head", "--port", FreePort().ToString(CultureInfo.InvariantCulture),
                    "--node-ip-address", "127.0.0.1", "--num-cpus", "1");
                cluster.Address = Line(head, "address");
                cluster.Token = Line(head, "token");
                cluster.Tool("start", "--address", cluster.Address, "--token", cluster.Token,
                    "--num-cpus", nodeCpus.ToString(CultureInfo.InvariantCulture));
                return cluster;
            }
            catch
            {
                cluster.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
            Console.CancelKeyPress -= _onCancel;
            try
            {
                // A driver still connected would see its nodes vanish; end it first.
                Ray.Shutdown();
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"driver shutdown: {e.Message}");
            }

            if (!Directory.Exists(_state)) return;
            try
            {
                Console.WriteLine(Tool("stop").Trim());
                // raygen stop removes the shipped applications and the folder once no node is left; whatever a failed
                // stop left (logs) goes with the folder, which no later start uses.
                if (Directory.Exists(_state)) Directory.Delete(_state, recursive: true);
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"raygen stop failed ({e.Message}); node logs in {_state}/logs");
            }
        }

        private string Tool(params string[] arguments)
        {
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.ArgumentList.Add(ToolPath());
            foreach (var a in arguments) info.ArgumentList.Add(a);
            info.Environment["RAYGEN_STATE_DIR"] = _state;
            info.Environment.Remove("RAYGEN_ADDRESS");
            info.Environment.Remove("RAYGEN_TOKEN");
            using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the raygen tool");
            process.StandardInput.Close();
            // A started node keeps none of our pipes open, so reading to the end finishes when the command does.
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(ToolTimeout))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"raygen {string.Join(' ', arguments)} did not finish within {ToolTimeout}");
            }

            if (process.ExitCode != 0)
                throw new InvalidOperationException($"raygen {string.Join(' ', arguments)} exited with {process.ExitCode}: {output.Result}{error.Result}");
            return output.Result;
        }

        /// <summary>RAYGEN_CLI names another build of the tool; by default the one this project's build made.</summary>
        private static string ToolPath()
        {
            var path = Environment.GetEnvironmentVariable("RAYGEN_CLI") ?? typeof(LocalCluster).Assembly
                .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RaygenTool").Value!;
            path = Path.GetFullPath(path);
            if (!File.Exists(path)) throw new FileNotFoundException($"The raygen tool is not built at {path}: dotnet build -c Release Cli", path);
            return path;
        }

        private static string Line(string output, string name) =>
            output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(name + ": ", StringComparison.Ordinal))?[(name.Length + 2)..]
            ?? throw new InvalidOperationException($"raygen start printed no '{name}:' line:\n{output}");

        private static int FreePort()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }
    }
}

/// <summary>What the benchmark runs on the node: ray_perf.py's small value (b"ok"), and one large value.</summary>
public static partial class ClusterTasks
{
    internal const byte Fill = 0x5a;

    private static readonly byte[] Ok = "ok"u8.ToArray();

    [Remote]
    public static byte[] SmallValue() => Ok;

    // Kept per worker process, so the figure is the transfer, not this body's allocating and faulting in 64 MiB each call.
    private static byte[]? s_blob;

    [Remote]
    public static string NodeAddress() => Environment.GetEnvironmentVariable("RAYGEN_NODE_ADDRESS") ?? "driver";

    /// <summary>Takes a value (the whole of it reaches this task's worker) and answers with its length only.</summary>
    [Remote]
    public static int Length(byte[] value) => value.Length;

    [Remote]
    public static byte[] Blob(int length)
    {
        var blob = s_blob;
        if (blob is null || blob.Length != length)
        {
            blob = new byte[length];
            Array.Fill(blob, Fill);
            s_blob = blob;
        }

        return blob;
    }
}

/// <summary>ray_perf.py's actor: a call that returns the small value.</summary>
[Remote]
public partial class ClusterActor
{
    private static readonly byte[] Ok = "ok"u8.ToArray();

    public byte[] SmallValue() => Ok;
}
