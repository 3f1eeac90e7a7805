using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Sockets;
using System.Threading.Tasks;
using RayGen.Core;
using RayGen.Driver;
using RayGen.Protocol;

namespace RayGen.WorkerHost;

/// <summary>
/// A job host: one per driver on each cluster node that runs its work, started by the node from the driver's
/// shipped application (<c>RayGen.Worker.dll --job-host</c> with the application's deps.json), so it loads that
/// build's assemblies and no other. It runs a runtime of its own with the node's resources, whose workers are
/// started from the same folder; the node's agent hands it the driver's runs and relays their results back.
/// </summary>
/// <remarks>
/// A process per job, as Ray keeps workers per job: two drivers with different builds of one program never share a
/// process, and the node's own process (the <c>raygen</c> tool) loads no application code. Work that code running
/// here submits (nested tasks) is owned here and runs on this node.
/// </remarks>
internal static class JobHostMain
{
    public const string Verb = "--job-host";

    /// <summary>args: <c>--job-host SOCKET CPUS GPUS RESOURCES</c> (RESOURCES: <c>name=amount,...</c> or <c>-</c>).</summary>
    public static int Run(string[] args)
    {
        if (args.Length < 5 || !double.TryParse(args[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var cpus) ||
            !double.TryParse(args[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var gpus))
        {
            Console.Error.WriteLine("usage: RayGen.Worker --job-host <node socket> <cpus> <gpus> <resources|->  (started by a RayGen node)");
            return 64;
        }

        var token = Environment.GetEnvironmentVariable(WorkerEnvironment.TokenVariable) ?? "";
        Environment.SetEnvironmentVariable(WorkerEnvironment.TokenVariable, null);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(args[1]));
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"[RayGen] job host: the node's socket {args[1]} did not answer: {e.Message}");
            return 0;
        }

        var runtime = new DriverRuntime(new RayOptions
        {
            NumCpus = cpus,
            NumGpus = gpus,
            Resources = ParseResources(args[4]),
            Mode = RayMode.Processes,
        });
        RuntimeCore.SetCurrent(runtime);
        var connection = new FrameConnection(socket, "the node");
        var runs = new JobRuns(runtime, connection);
        var forwards = new JobForwards(connection, runtime.Owner.Scheduler.Pool, WorkerEnvironment.Read(WorkerEnvironment.NodeIdVariable) ?? "");
        runtime.Owner.Actors.ForwardForeignActors(JobForwards.FirstOwnActorId, JobForwards.DriverActorIdLimit, forwards);
        runtime.Owner.NestedSpill = forwards;
        runtime.Objects.FetchForeign = forwards.Fetch;
        var view = new NodeClusterView(connection);
        runtime.NodeView = view;
        var closed = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Start(
            (_, frame) =>
            {
                switch (frame)
                {
                    case LoadAssembliesFrame load: AssemblyLoading.Load(load.Paths); break;
                    case JobRunFrame run: runs.Start(run); break;
                    case JobKillActorFrame kill: runs.Kill(kill); break;
                    case JobForwardResultFrame answer: forwards.OnResult(answer); break;
                    case JobCancelFrame cancel: runs.Cancel(cancel); break;
                    case ClusterInfoReplyFrame info: view.OnReply(info); break;
                    default: connection.Close($"the node sent a {frame.GetType().Name}, which a job host does not take"); break;
                }
            },
            (_, error) => closed.TrySetResult(error));
        connection.Send(new HelloFrame { Token = token, Pid = Environment.ProcessId });
        using var usage = new System.Threading.Timer(_ => ReportUsage(runtime, connection), null, UsagePeriod, UsagePeriod);

        var error = closed.Task.GetAwaiter().GetResult();
        if (error is not null) Console.Error.WriteLine($"[RayGen] job host: {error}");
        RuntimeCore.SetCurrent(null);
        runtime.Shutdown();
        Console.Out.Flush();
        Environment.Exit(0);
        return 0;
    }

    // Often enough that a node's free figures follow its work within a second; a frame only when they changed.
    private static readonly TimeSpan UsagePeriod = TimeSpan.FromMilliseconds(250);
    private static Dictionary<string, double>? s_lastUsage;

    private static void ReportUsage(DriverRuntime runtime, FrameConnection node)
    {
        var total = runtime.Owner.Scheduler.Resources(free: false);
        var free = runtime.Owner.Scheduler.Resources(free: true);
        var used = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, amount) in total)
        {
            var held = amount - free.GetValueOrDefault(name);
            if (held > 1e-9) used[name] = held;
        }

        if (s_lastUsage is { } last && last.Count == used.Count && last.All(kv => used.TryGetValue(kv.Key, out var v) && Math.Abs(v - kv.Value) < 1e-9)) return;
        s_lastUsage = used;
        node.Send(new JobUsageFrame { Used = used });
    }

    internal static Dictionary<string, double>? ParseResources(string text)
    {
        if (text is "-" or "") return null;
        var resources = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            resources[pair[..eq]] = double.Parse(pair[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture);
        }

        return resources;
    }
}
