using System;
using System.IO;
using System.Net.Sockets;
using System.Threading;
using NUnit.Framework;
using RayGen.Internal;
using RayGen.Protocol;

namespace RayGen.Process.Tests;

[TestFixture]
public class FrameConnectionTests
{
    /// <summary>Hang detection, never a speed claim.</summary>
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(30);

    [Test]
    public void A_handler_running_long_inline_is_overtaken_so_later_frames_are_read_meanwhile()
    {
        var (sender, receiver) = Pair();
        using var s = sender;
        using var r = receiver;
        using var second = new ManualResetEventSlim();
        using var firstDone = new ManualResetEventSlim();
        var firstSawSecond = false;
        r.Start((connection, frame) =>
        {
            var name = ((LoadAssembliesFrame)frame).Paths[0];
            if (name == "second")
            {
                second.Set();
                return;
            }

            // The first handler runs inline and waits for the frame behind it: only a takeover can read that one.
            connection.AllowTakeover();
            firstSawSecond = second.Wait(TimeSpan.FromSeconds(10));
            firstDone.Set();
        }, (_, _) => { });

        sender.Send(new LoadAssembliesFrame { Paths = new[] { "first" } });
        sender.Send(new LoadAssembliesFrame { Paths = new[] { "second" } });

        Assert.That(firstDone.Wait(TimeSpan.FromSeconds(30)), Is.True, "the first handler never ended");
        Assert.That(firstSawSecond, Is.True, "the frame behind a long inline handler was not read while it ran");
    }

    [Test]
    public void Frames_after_an_overtaken_handler_keep_their_order()
    {
        const int frames = 200;
        var blockers = new[] { 0, 50, 100, 150 };
        var (sender, receiver) = Pair();
        using var s = sender;
        using var r = receiver;
        var seen = new System.Collections.Concurrent.ConcurrentQueue<int>();
        var handled = new ManualResetEventSlim[frames];
        var release = new ManualResetEventSlim[frames];
        for (var i = 0; i < frames; i++)
        {
            handled[i] = new ManualResetEventSlim();
            release[i] = new ManualResetEventSlim();
        }

        using var all = new CountdownEvent(frames);
        r.Start((connection, frame) =>
        {
            var n = int.Parse(((LoadAssembliesFrame)frame).Paths[0], System.Globalization.CultureInfo.InvariantCulture);
            // It records itself first: the order of the records is the order the handlers started in.
            seen.Enqueue(n);
            handled[n].Set();
            if (Array.IndexOf(blockers, n) >= 0)
            {
                // Blocked until the test releases it: the frames behind it can only be handled through a takeover.
                connection.AllowTakeover();
                release[n].Wait(NoHang);
            }

            all.Signal();
        }, (_, _) => { });

        for (var i = 0; i < frames; i++) sender.Send(new LoadAssembliesFrame { Paths = new[] { i.ToString(System.Globalization.CultureInfo.InvariantCulture) } });

        try
        {
            foreach (var n in blockers)
            {
                Assert.That(handled[n + 1].Wait(NoHang), Is.True, $"precondition: frame {n + 1} was handled while handler {n} was still blocked");
                release[n].Set();
            }

            Assert.That(all.Wait(NoHang), Is.True, "precondition: every frame was handled");
            Assert.That(seen, Is.EqualTo(System.Linq.Enumerable.Range(0, frames)));
        }
        finally
        {
            foreach (var e in release) e.Set();
        }

        foreach (var e in handled) e.Dispose();
    }

    [Test]
    public void Replies_to_frames_read_together_leave_in_one_write_when_corked()
    {
        var (raw, server) = RawPair();
        using var peer = raw;
        using var worker = new FrameConnection(server, "worker") { CorkWhileReading = true };
        using var replied = new CountdownEvent(10);
        worker.Start((connection, frame) =>
        {
            connection.AllowTakeover(); // as the worker runs a task inline
            connection.Send(new LoadAssembliesFrame { Paths = ((LoadAssembliesFrame)frame).Paths });
            replied.Signal();
        }, (_, _) => { });

        // Ten frames in one write: the worker reads them together, so its ten replies are one batch.
        var batch = new System.Collections.Generic.List<byte>();
        for (var i = 0; i < 10; i++)
        {
            var body = MemoryPack.MemoryPackSerializer.Serialize<IFrame>(new LoadAssembliesFrame { Paths = new[] { i.ToString() } });
            batch.AddRange(BitConverter.GetBytes(body.Length));
            batch.AddRange(body);
        }

        peer.Send(batch.ToArray());
        Assert.That(replied.Wait(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(ReadFrames(peer, 10), Is.EqualTo(10));

        Assert.That(worker.Writes, Is.EqualTo(1));
    }

    /// <summary>Reads from a raw socket until <paramref name="count"/> whole frames have arrived; returns how many did.</summary>
    internal static int ReadFrames(Socket peer, int count)
    {
        var buffer = new byte[64 * 1024];
        var received = 0;
        var frames = 0;
        while (frames < count)
        {
            var n = peer.Receive(buffer.AsSpan(received));
            if (n == 0) break;
            received += n;
            frames = CountFrames(buffer.AsSpan(0, received));
        }

        return frames;
    }

    private static int CountFrames(ReadOnlySpan<byte> bytes)
    {
        var count = 0;
        while (bytes.Length >= 4)
        {
            var length = BitConverter.ToInt32(bytes);
            if (bytes.Length < 4 + length) break;
            bytes = bytes[(4 + length)..];
            count++;
        }

        return count;
    }

    internal static (Socket Raw, Socket Server) RawPair()
    {
        var path = Path.Combine(Path.GetTempPath(), $"raygen-conn-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(path));
        var server = listener.Accept();
        File.Delete(path);
        return (client, server);
    }

    private static (FrameConnection Sender, FrameConnection Receiver) Pair()
    {
        var (client, server) = RawPair();
        return (new FrameConnection(client, "sender"), new FrameConnection(server, "receiver"));
    }
}

[TestFixture]
public class ParkerTests
{
    [Test]
    public void An_unpark_before_the_park_lets_it_return_at_once()
    {
        // A park without a timeout returns only through the permit the unpark left; the wait bound only detects a hang.
        var returned = System.Threading.Tasks.Task.Run(() =>
        {
            var parker = Parker.Current;
            parker.Unpark();
            parker.Park(Timeout.InfiniteTimeSpan);
        }).Wait(TimeSpan.FromSeconds(30));
        Assert.That(returned, Is.True, "the park consumed the permit instead of waiting for another unpark");
    }

    [Test]
    public void A_park_without_an_unpark_returns_when_its_timeout_passes()
    {
        var parker = Parker.Current;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        parker.Park(TimeSpan.FromMilliseconds(100));
        Assert.That(watch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(90)));
    }

    [Test]
    public void An_unpark_from_another_thread_wakes_the_parked_one()
    {
        Parker? parker = null;
        var woke = new ManualResetEventSlim();
        var ready = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            parker = Parker.Current;
            ready.Set();
            parker.Park(System.Threading.Timeout.InfiniteTimeSpan);
            woke.Set();
        }) { IsBackground = true };
        thread.Start();
        ready.Wait();

        parker!.Unpark();

        Assert.That(woke.Wait(TimeSpan.FromSeconds(10)), Is.True);
    }
}
