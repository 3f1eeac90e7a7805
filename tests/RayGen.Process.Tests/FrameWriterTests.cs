using System;
using System.Net.Sockets;
using System.Threading;
using NUnit.Framework;
using RayGen.Protocol;

namespace RayGen.Process.Tests;

[TestFixture]
public class FrameWriterTests
{
    [Test]
    public void Frames_held_back_leave_together_in_one_write_when_their_deferral_is_flushed()
    {
        var deferral = new SendDeferral();
        var (peer, server) = FrameConnectionTests.RawPair();
        using var p = peer;
        using var owner = new FrameConnection(server, "owner", deferral);
        // A writer of its own: FrameConnection.Send would also ask the watchdog for a tick, which could flush early.
        var writer = new FrameWriter(server, owner, deferral, CancellationToken.None);

        for (var i = 0; i < 10; i++)
            Assert.That(writer.Send(Frame(i), defer: true), Is.EqualTo(SendResult.Deferred));
        Assert.That(writer.Writes, Is.Zero, "a held-back frame was written before the flush");

        deferral.FlushAll();

        Assert.That(writer.Writes, Is.EqualTo(1));
        Assert.That(FrameConnectionTests.ReadFrames(peer, 10), Is.EqualTo(10));
    }

    [Test]
    public void Flushing_one_deferral_leaves_the_frames_of_another_alone()
    {
        // As two runtimes in one process: each has its deferral, and one's wait must not write the other's frames.
        var first = new SendDeferral();
        var second = new SendDeferral();
        var (firstPeer, firstServer) = FrameConnectionTests.RawPair();
        var (secondPeer, secondServer) = FrameConnectionTests.RawPair();
        using var fp = firstPeer;
        using var sp = secondPeer;
        using var firstOwner = new FrameConnection(firstServer, "first", first);
        using var secondOwner = new FrameConnection(secondServer, "second", second);
        var firstWriter = new FrameWriter(firstServer, firstOwner, first, CancellationToken.None);
        var secondWriter = new FrameWriter(secondServer, secondOwner, second, CancellationToken.None);
        firstWriter.Send(Frame(1), defer: true);
        secondWriter.Send(Frame(2), defer: true);

        first.FlushAll();

        Assert.That(firstWriter.Writes, Is.EqualTo(1));
        Assert.That(secondWriter.Writes, Is.Zero, "the other deferral's frame was written");
        second.FlushAll();
        Assert.That(secondWriter.Writes, Is.EqualTo(1));
    }

    [Test]
    public void A_frame_not_held_back_is_written_at_once()
    {
        var (peer, server) = FrameConnectionTests.RawPair();
        using var p = peer;
        using var owner = new FrameConnection(server, "owner");
        var writer = new FrameWriter(server, owner, owner.Deferral, CancellationToken.None);

        Assert.That(writer.Send(Frame(1), defer: false), Is.EqualTo(SendResult.Queued));

        Assert.That(writer.Writes, Is.EqualTo(1));
        Assert.That(FrameConnectionTests.ReadFrames(peer, 1), Is.EqualTo(1));
    }

    [Test]
    public void A_send_on_a_closed_connection_is_refused()
    {
        var (peer, server) = FrameConnectionTests.RawPair();
        using var p = peer;
        var connection = new FrameConnection(server, "closed");
        connection.Close();

        Assert.That(connection.Send(Frame(1)), Is.False);
    }

    [Test]
    public void A_deferred_send_nobody_flushes_is_written_by_the_watchdog()
    {
        var (peer, server) = FrameConnectionTests.RawPair();
        using var p = peer;
        using var connection = new FrameConnection(server, "fire and forget", new SendDeferral()) { DeferSends = true };
        peer.ReceiveTimeout = 10_000;

        Assert.That(connection.Send(Frame(1)), Is.True);

        // Nothing flushes the deferral here: only the watchdog's tick can write the frame.
        Assert.That(FrameConnectionTests.ReadFrames(peer, 1), Is.EqualTo(1));
    }

    private static LoadAssembliesFrame Frame(int n) => new() { Paths = new[] { n.ToString(System.Globalization.CultureInfo.InvariantCulture) } };
}
