using System;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MemoryPack;
using NUnit.Framework;
using RayGen.Protocol;

namespace RayGen.Process.Tests;

[TestFixture]
public class FrameCodecTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(10);

    [Test]
    public void A_frame_written_reads_back_whole_and_reports_the_bytes_it_took()
    {
        var buffer = new FrameBuffer();
        FrameCodec.Write(buffer, new LoadAssembliesFrame { Paths = new[] { "a" } });

        Assert.That(FrameCodec.TryRead(buffer.Written, out var frame, out var consumed), Is.True);
        Assert.That(((LoadAssembliesFrame)frame).Paths, Is.EqualTo(new[] { "a" }));
        Assert.That(consumed, Is.EqualTo(buffer.Count));
    }

    [Test]
    public void A_frame_whose_bytes_have_not_all_arrived_is_not_read_yet()
    {
        var buffer = new FrameBuffer();
        FrameCodec.Write(buffer, new LoadAssembliesFrame { Paths = new[] { "a" } });

        for (var length = 0; length < buffer.Count; length++)
            Assert.That(FrameCodec.TryRead(buffer.Written[..length], out _, out _), Is.False, $"with {length} of {buffer.Count} bytes");
    }

    [Test]
    public void A_connection_ending_inside_a_frame_closes_with_the_bytes_left_over()
    {
        var error = Receive(peer =>
        {
            peer.Send(Header(100));
            peer.Send(new byte[10]);
            peer.Shutdown(SocketShutdown.Send);
        });

        Assert.That(error, Is.EqualTo("the connection ended inside a frame (14 bytes left over)"));
    }

    [Test]
    public void A_frame_announcing_no_bytes_closes_the_connection_naming_the_length()
    {
        var error = Receive(peer => peer.Send(Header(0)));

        Assert.That(error, Is.EqualTo("a frame announced 0 bytes"));
    }

    [Test]
    public void A_frame_announcing_a_negative_length_closes_the_connection_naming_the_length()
    {
        var error = Receive(peer => peer.Send(Header(-5)));

        Assert.That(error, Is.EqualTo("a frame announced -5 bytes"));
    }

    [Test]
    public void An_oversized_frame_closes_the_connection_before_its_body_arrives()
    {
        // Only the header is sent and the socket stays open: the close cannot be waiting for the body.
        var error = Receive(peer => peer.Send(Header(int.MaxValue)));

        Assert.That(error, Does.Contain($"announced {int.MaxValue} bytes, more than the {FrameCodec.MaxFrameBytes}"));
    }

    [Test]
    public void A_body_that_does_not_decode_closes_the_connection_saying_so()
    {
        var body = new byte[] { 200, 1, 2, 3, 4, 5, 6, 7 }; // a union tag no frame type has
        var error = Receive(peer =>
        {
            peer.Send(Header(body.Length));
            peer.Send(body);
        });

        Assert.That(error, Does.StartWith("a frame could not be decoded"));
    }

    [Test]
    public void A_body_that_decodes_to_no_frame_closes_the_connection_saying_so()
    {
        var error = Receive(peer =>
        {
            peer.Send(Header(1));
            peer.Send(new byte[] { 0xff }); // MemoryPack's null
        });

        Assert.That(error, Is.EqualTo("a frame decoded to nothing"));
    }

    [Test]
    public void A_malformed_frame_closes_only_its_own_connection()
    {
        var deferral = new SendDeferral();
        var (badPeer, badServer) = FrameConnectionTests.RawPair();
        var (goodPeer, goodServer) = FrameConnectionTests.RawPair();
        using var bp = badPeer;
        using var gp = goodPeer;
        using var bad = new FrameConnection(badServer, "bad", deferral);
        using var good = new FrameConnection(goodServer, "good", deferral);
        var badClosed = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var goodClosed = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = new TaskCompletionSource<IFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        bad.Start((_, _) => { }, (_, e) => badClosed.TrySetResult(e));
        good.Start((_, frame) => received.TrySetResult(frame), (_, e) => goodClosed.TrySetResult(e));

        badPeer.Send(Header(0));
        Assert.That(badClosed.Task.Wait(Long), Is.True, "the connection that sent garbage was not closed");
        var body = MemoryPackSerializer.Serialize<IFrame>(new LoadAssembliesFrame { Paths = new[] { "still here" } });
        goodPeer.Send(Header(body.Length));
        goodPeer.Send(body);

        Assert.That(received.Task.Wait(Long), Is.True, "the other connection stopped reading");
        Assert.That(((LoadAssembliesFrame)received.Task.Result).Paths, Is.EqualTo(new[] { "still here" }));
        Assert.That(good.IsClosed, Is.False);
    }

    private static byte[] Header(int length)
    {
        var header = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(header, length);
        return header;
    }

    /// <summary>Runs a receiving connection, lets the peer send, and returns the error the connection closed with.</summary>
    private static string? Receive(Action<Socket> peerSends)
    {
        var (peer, server) = FrameConnectionTests.RawPair();
        using var p = peer;
        using var connection = new FrameConnection(server, "peer");
        var closed = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var frames = 0;
        connection.Start((_, _) => Interlocked.Increment(ref frames), (_, error) => closed.TrySetResult(error));

        peerSends(peer);

        Assert.That(closed.Task.Wait(Long), Is.True, "the connection stayed open");
        Assert.That(frames, Is.Zero, "a frame was handled");
        return closed.Task.Result;
    }
}
