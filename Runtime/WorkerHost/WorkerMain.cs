using System;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Protocol;
using RayGen.Store;
using RayGen.Core;
using RayGen.InWorker;

namespace RayGen.WorkerHost;

/// <summary>
/// The worker process's loop, entered from RayGen.Worker's Main: connect to the driver, present the session
/// token, then run what arrives until the connection closes. A worker never outlives its driver: it exits
/// when the socket closes (the kernel closes it when the driver dies, even by SIGKILL) or the driver's pid is gone.
/// </summary>
internal static class WorkerMain
{
    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == JobHostMain.Verb) return JobHostMain.Run(args);
        if (args.Length < 2 || !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var workerId))
        {
            Console.Error.WriteLine("usage: RayGen.Worker <driver socket> <worker id>  (started by the RayGen driver)");
            return 64;
        }

        var token = Environment.GetEnvironmentVariable(WorkerEnvironment.TokenVariable) ?? "";
        // Processes the user's code starts need not see it.
        Environment.SetEnvironmentVariable(WorkerEnvironment.TokenVariable, null);
        WatchDriverPid();

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(args[0]));
        }
        catch (SocketException)
        {
            // The driver shut down (or died) before this worker got going: nothing to do.
            return 0;
        }

        var connection = new FrameConnection(socket, "the driver", new SendDeferral()) { CorkWhileReading = true };
        var store = new SharedStore(SessionDirectory.ObjectsDirectoryBeside(args[0]), isOwner: false);
        var link = new DriverLink(connection, store);
        store.AfterSweep = link.ReportReleased;
        link.EnableFileReuse();
        var core = new WorkerRuntime(new RayOptions { NumCpus = 0, Mode = RayMode.Processes, LoggerFactory = new ForwardingLoggerFactory(link) }, link, store);
        RuntimeCore.SetCurrent(core);
        var executor = new WorkerExecutor(connection, store);
        link.RunBlocked = executor.OnRunBlocked;
        executor.HostsActor = core.HostActor;
        var closed = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);

        connection.Start(
            (_, frame) =>
            {
                switch (frame)
                {
                    case RunFrame run: executor.Start(run); break;
                    case QueuedRunFrame queued: executor.Queue(queued); break;
                    case FileFreedFrame freed: link.OnFileFreed(freed); break;
                    case CancelRunFrame cancel: executor.Cancel(cancel); break;
                    case ObjectValueFrame value: link.OnObjectValue(value); break;
                    case ActorReplyFrame reply: link.OnActorReply(reply); break;
                    case ClusterInfoReplyFrame info: link.OnClusterInfo(info); break;
                    case LoadAssembliesFrame load: AssemblyLoading.Load(load.Paths); break;
                    case CollectFrame collect: link.OnCollect(collect); break;
                    case StreamAckFrame ack: link.Streams.OnAck(ack); break;
                    case StreamNextReplyFrame next: link.Streams.OnNextReply(next); break;
                    default: connection.Close($"the driver sent a {frame.GetType().Name}, which only workers send"); break;
                }
            },
            (_, error) => closed.TrySetResult(error));
        connection.Send(new HelloFrame { Token = token, WorkerId = workerId, Pid = Environment.ProcessId });

        var error = closed.Task.GetAwaiter().GetResult();
        link.FailAll();
        if (error is not null) Console.Error.WriteLine($"[RayGen] worker {workerId}: {error}");
        Console.Out.Flush();
        // Exit even if user code left foreground threads behind: the driver is gone or done with us.
        Environment.Exit(0);
        return 0;
    }

    private static void WatchDriverPid()
    {
        if (!OperatingSystem.IsLinux() ||
            !int.TryParse(Environment.GetEnvironmentVariable(WorkerEnvironment.DriverPidVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) return;
        var thread = new Thread(() =>
        {
            // A backstop for the socket: if the driver vanished without its socket closing, stop within a second.
            while (Directory.Exists($"/proc/{pid}")) Thread.Sleep(1000);
            Environment.Exit(3);
        }) { IsBackground = true, Name = "RayGen driver watch" };
        thread.Start();
    }
}
