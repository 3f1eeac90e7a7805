using System;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using MemoryPack;
using NUnit.Framework;
using RayGen.Protocol;
using RayGen.Store;
using RayGen.Core;
using RayGen.Driver;
using RayGen.InWorker;
using RayGen.WorkerHost;

namespace RayGen.Process.Tests;

[TestFixture]
[NonParallelizable]
public class TransportTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [TearDown]
    public void TearDown()
    {
        Ray.Shutdown();
        ProcessTestSupport.KillLeftoverWorkers();
    }

    [Test]
    public void The_session_directory_is_private_to_its_user()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var mode = System.IO.File.GetUnixFileMode(ProcessTestSupport.Backend(ray).Session.Path);
        Assert.That(mode, Is.EqualTo(System.IO.UnixFileMode.UserRead | System.IO.UnixFileMode.UserWrite | System.IO.UnixFileMode.UserExecute));
    }

    [Test]
    public void Large_values_cross_through_private_files_in_shared_memory()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var data = new byte[1 << 20];
        data[0] = 1;
        var stored = Ray.Put(data);
        Assert.That(ReverseLastByte(stored), Is.EqualTo(1));
        // The put value's file stays while its ref lives; the result's file (written by the worker) goes once its ref is collected.
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        var files = System.IO.Directory.GetFiles(System.IO.Path.Combine(ProcessTestSupport.Backend(ray).Session.Path, "objects"));
        Assert.That(files, Has.Length.EqualTo(1));
        Assert.That(System.IO.File.GetUnixFileMode(files[0]), Is.EqualTo(System.IO.UnixFileMode.UserRead | System.IO.UnixFileMode.UserWrite));
        GC.KeepAlive(stored);
    }

    // Not inlined, so that the result's ref is surely unreachable once it returns.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static byte ReverseLastByte(ObjectRef<byte[]> stored) => ProcTasks.Remote.Reverse(stored).Get(Long)[^1];

    [Test]
    public void A_client_with_a_wrong_token_is_rejected_while_work_goes_on()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var log = new LogCapture(ray);
        using var socket = Connect(ray);
        var body = MemoryPackSerializer.Serialize<IFrame>(new HelloFrame { Token = "not the token", WorkerId = 1, Pid = 1 });
        SendFrame(socket, body);
        Assert.That(ReadsEndOfStream(socket), Is.True, "the driver closes the connection");
        Assert.That(log.WaitFor("wrong session token"), Is.True, "no log line names the wrong token");
        Assert.That(ProcTasks.Remote.Pid().Get(Long), Is.Not.EqualTo(Environment.ProcessId));
    }

    [Test]
    public void A_malformed_frame_is_rejected_while_work_goes_on()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var log = new LogCapture(ray);
        using var socket = Connect(ray);
        SendFrame(socket, Encoding.ASCII.GetBytes("\u00ffthis is not a frame at all"));
        Assert.That(ReadsEndOfStream(socket), Is.True, "the driver closes the connection");
        Assert.That(log.WaitFor("could not be decoded"), Is.True, "no log line says the frame could not be decoded");

        using var second = Connect(ray);
        second.Send(new byte[] { 0xff, 0xff, 0xff, 0x7f, 1, 2, 3 }); // announces ~2 GiB, then stops: truncated
        second.Shutdown(SocketShutdown.Send);
        Assert.That(ReadsEndOfStream(second), Is.True);
        Assert.That(ProcTasks.Remote.Pid().Get(Long), Is.Not.EqualTo(Environment.ProcessId));
    }

    [Test]
    public void Many_small_tasks_share_few_writes_and_all_complete()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 2 });
        var refs = new ObjectRef<int>[2000];
        for (var i = 0; i < refs.Length; i++) refs[i] = ProcTasks.Remote.Pid();
        var pids = Ray.Get(refs);
        Assert.That(pids, Has.All.Not.EqualTo(Environment.ProcessId));
    }

    /// <summary>The runtime's warnings; a test waits for the line it expects (written as the connection closes, after the peer saw the close).</summary>
    private sealed class LogCapture
    {
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly SemaphoreSlim _added = new(0);

        public LogCapture(RayRuntime ray) => ray.Core.WarningSink = line =>
        {
            _lines.Enqueue(line);
            _added.Release();
        };

        public bool WaitFor(string part)
        {
            var deadline = DateTime.UtcNow + Long;
            while (true)
            {
                foreach (var line in _lines)
                {
                    if (line.Contains(part, StringComparison.Ordinal)) return true;
                }

                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !_added.Wait(left)) return false;
            }
        }
    }

    private static Socket Connect(RayRuntime ray)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(ProcessTestSupport.Backend(ray).Session.SocketPath));
        socket.ReceiveTimeout = 10_000;
        return socket;
    }

    private static void SendFrame(Socket socket, byte[] body)
    {
        var prefix = BitConverter.GetBytes(body.Length);
        socket.Send(prefix);
        socket.Send(body);
    }

    private static bool ReadsEndOfStream(Socket socket)
    {
        var buffer = new byte[256];
        try
        {
            while (true)
            {
                if (socket.Receive(buffer) == 0) return true;
            }
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode == SocketError.ConnectionReset;
        }
    }
}
