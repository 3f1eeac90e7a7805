using System;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Linq;
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
    public void A_large_value_reaches_a_worker_and_its_large_result_comes_back()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var data = new byte[1 << 20];
        data[0] = 1;
        var stored = Ray.Put(data);
        Assert.That(stored.Entry.Shared, Is.Not.Null, "precondition: the value is in shared memory");
        Assert.That(ReverseLastByte(stored), Is.EqualTo(1));
    }

    [Test]
    public void Once_collected_a_workers_result_leaves_shared_memory_and_the_put_value_it_came_from_stays()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var stored = Ray.Put(new byte[1 << 20]);
        ReverseLastByte(stored);
        ProcessTestSupport.CurrentStore.CollectEverywhere();
        var files = System.IO.Directory.GetFiles(ObjectsDir(ray)).Select(System.IO.Path.GetFileName);
        Assert.That(files, Is.EqualTo(new[] { stored.Entry.Shared!.Name }));
    }

    [Test]
    public void The_file_of_a_large_value_is_private_to_its_user()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var stored = Ray.Put(new byte[1 << 20]);
        var path = System.IO.Path.Combine(ObjectsDir(ray), stored.Entry.Shared!.Name);
        Assert.That(System.IO.File.GetUnixFileMode(path), Is.EqualTo(System.IO.UnixFileMode.UserRead | System.IO.UnixFileMode.UserWrite));
    }

    private static string ObjectsDir(RayRuntime ray) => System.IO.Path.Combine(ProcessTestSupport.Backend(ray).Session.Path, "objects");

    // Not inlined, so that the result's ref is surely unreachable once it returns.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static byte ReverseLastByte(ObjectRef<byte[]> stored) => ProcTasks.Remote.Reverse(stored).Get(Long)[^1];

    /// <summary>Connects as a worker would and says hello with a token that is not the session's.</summary>
    private static Socket HelloWithAWrongToken(RayRuntime ray)
    {
        var socket = Connect(ray);
        SendFrame(socket, MemoryPackSerializer.Serialize<IFrame>(new HelloFrame { Token = "not the token", WorkerId = 1, Pid = 1 }));
        return socket;
    }

    [Test]
    public void A_client_with_a_wrong_token_is_disconnected()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        using var socket = HelloWithAWrongToken(ray);
        Assert.That(ReadsEndOfStream(socket), Is.True, "the driver closes the connection");
    }

    [Test]
    public void A_client_with_a_wrong_token_is_logged_as_such()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var log = new LogCapture(ray);
        using var socket = HelloWithAWrongToken(ray);
        Assert.That(log.WaitFor("wrong session token"), Is.True, "a log line names the wrong token");
    }

    [Test]
    public void Work_goes_on_after_a_client_with_a_wrong_token_was_turned_away()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        using var socket = HelloWithAWrongToken(ray);
        Assert.That(ReadsEndOfStream(socket), Is.True, "precondition: the driver closed the connection");
        AssertATaskRunsInAWorker();
    }

    /// <summary>What a misbehaving client sends instead of a hello.</summary>
    public enum Malformed
    {
        /// <summary>A frame of the length it announces whose body is not a frame.</summary>
        Undecodable,

        /// <summary>A length prefix of about 2 GiB, more than a frame may hold, then three bytes and the end of the stream.</summary>
        Oversized,

        /// <summary>A length prefix of 100 bytes, then three bytes and the end of the stream.</summary>
        CutShort,
    }

    private static Socket Send(RayRuntime ray, Malformed what)
    {
        var socket = Connect(ray);
        switch (what)
        {
            case Malformed.Undecodable:
                SendFrame(socket, Encoding.ASCII.GetBytes("\u00ffthis is not a frame at all"));
                break;
            case Malformed.Oversized:
                // The send side stays open: the driver must close on the length prefix alone, not on the end of the stream.
                socket.Send(new byte[] { 0xff, 0xff, 0xff, 0x7f, 1, 2, 3 });
                break;
            case Malformed.CutShort:
                socket.Send(new byte[] { 100, 0, 0, 0, 1, 2, 3 });
                socket.Shutdown(SocketShutdown.Send);
                break;
        }

        return socket;
    }

    [TestCase(Malformed.Undecodable)]
    [TestCase(Malformed.Oversized)]
    [TestCase(Malformed.CutShort)]
    public void A_malformed_frame_closes_its_connection(Malformed what)
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        using var socket = Send(ray, what);
        Assert.That(ReadsEndOfStream(socket), Is.True);
    }

    [Test]
    public void An_undecodable_frame_is_logged_as_such()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var log = new LogCapture(ray);
        using var socket = Send(ray, Malformed.Undecodable);
        Assert.That(log.WaitFor("could not be decoded"), Is.True, "a log line says the frame could not be decoded");
    }

    [Test]
    public void An_oversized_frame_is_logged_with_the_length_it_announced()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var log = new LogCapture(ray);
        using var socket = Send(ray, Malformed.Oversized);
        Assert.That(log.WaitFor("announced 2147483647 bytes"), Is.True, "a log line names the announced length");
    }

    [TestCase(Malformed.Undecodable)]
    [TestCase(Malformed.Oversized)]
    [TestCase(Malformed.CutShort)]
    public void Work_goes_on_after_a_malformed_frame(Malformed what)
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        using var socket = Send(ray, what);
        Assert.That(ReadsEndOfStream(socket), Is.True, "precondition: the driver closed the connection");
        AssertATaskRunsInAWorker();
    }

    /// <summary>A task submitted now completes, in a live RayGen worker process.</summary>
    private static void AssertATaskRunsInAWorker()
    {
        var pid = ProcTasks.Remote.Pid().Get(Long);
        Assert.That(ProcessTestSupport.IsWorkerProcess(pid), Is.True, $"pid {pid} is a RayGen worker");
    }

    // What this checks is that none of a burst is lost. Whether they share writes depends on how results and runs
    // interleave: with one CPU per task, the driver sends each run as a CPU frees up (2001 writes for 2000 tasks,
    // measured), so no bound on writes is claimed here; batching itself is proven in FrameWriterTests and
    // FrameConnectionTests.
    [Test]
    public void Two_thousand_small_tasks_submitted_at_once_all_complete_in_worker_processes()
    {
        // No worker retires meanwhile (its pid would no longer be a live worker's).
        using var ray = Ray.Init(new RayOptions { NumCpus = 2, IdleWorkerTimeout = TimeSpan.FromHours(1) });
        var refs = new ObjectRef<int>[2000];
        for (var i = 0; i < refs.Length; i++) refs[i] = ProcTasks.Remote.Pid();
        var pids = Ray.Get(refs, Long);
        Assert.That(pids.Distinct().Where(pid => !ProcessTestSupport.IsWorkerProcess(pid)), Is.Empty, "pids that are not a live RayGen worker's");
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
