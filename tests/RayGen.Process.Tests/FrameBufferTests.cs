using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MemoryPack;
using NUnit.Framework;
using RayGen.Protocol;

namespace RayGen.Process.Tests;

[TestFixture]
public class FrameBufferTests
{
    [Test]
    public void A_frame_header_fits_when_the_previous_frame_filled_the_buffer_to_its_last_byte()
    {
        for (var free = 0; free < 4; free++)
        {
            var buffer = new FrameBuffer(initialSize: 1024);
            buffer.GetSpan(1024 - free);
            buffer.Advance(1024 - free);

            var header = buffer.BeginFrame();
            MemoryPackSerializer.Serialize<IFrame, FrameBuffer>(buffer, new LoadAssembliesFrame { Paths = new[] { "after" } });
            buffer.EndFrame(header, FrameCodec.MaxFrameBytes);

            Assert.That(header, Is.EqualTo(1024 - free));
            var length = BitConverter.ToInt32(buffer.Written.Slice(header, 4));
            var frame = MemoryPackSerializer.Deserialize<IFrame>(buffer.Written.Slice(header + 4, length));
            Assert.That(((LoadAssembliesFrame)frame!).Paths, Is.EqualTo(new[] { "after" }), $"with {free} bytes free");
        }
    }

    [Test]
    public void A_frame_that_failed_half_way_leaves_no_bytes_behind()
    {
        var buffer = new FrameBuffer(initialSize: 1024);
        var header = buffer.BeginFrame();
        buffer.GetSpan(100);
        buffer.Advance(100);

        buffer.Truncate(header);

        Assert.That(buffer.Count, Is.Zero);
    }

    [Test]
    public void Advancing_past_the_span_handed_out_is_refused()
    {
        var buffer = new FrameBuffer(initialSize: 1024);
        var handedOut = buffer.GetSpan().Length;

        Assert.That(() => buffer.Advance(handedOut + 1), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(buffer.Count, Is.Zero);
    }

    [Test]
    public void Frames_queued_behind_a_full_socket_by_many_threads_arrive_whole_and_in_each_senders_order()
    {
        var (client, server) = FrameConnectionTests.RawPair();
        using var sender = new FrameConnection(client, "sender");
        using var receiver = new FrameConnection(server, "receiver");
        const int threads = 4, perThread = 3000;
        var received = new ConcurrentQueue<string>();
        var all = new CountdownEvent(threads * perThread);
        string? closedWith = null;

        // Nobody reads until every frame is queued: the socket buffer fills and frames pile up in the send buffers,
        // in every size from a few bytes to a few KiB, so batches end at every offset.
        var senders = new Task[threads];
        for (var t = 0; t < threads; t++)
        {
            var id = t;
            senders[t] = Task.Run(() =>
            {
                for (var i = 0; i < perThread; i++)
                {
                    var text = $"{id}:{i}:" + new string('x', (i * 37 + id * 11) % 3000);
                    Assert.That(sender.Send(new LoadAssembliesFrame { Paths = new[] { text } }), Is.True);
                }
            });
        }

        Task.WaitAll(senders);
        receiver.Start((_, frame) =>
        {
            received.Enqueue(((LoadAssembliesFrame)frame).Paths[0]);
            all.Signal();
        }, (_, error) => closedWith = error);

        Assert.That(all.Wait(TimeSpan.FromSeconds(60)), Is.True, $"{received.Count} frames arrived; closed with: {closedWith}");
        var next = new int[threads];
        foreach (var text in received)
        {
            var parts = text.Split(':');
            var id = int.Parse(parts[0]);
            var i = int.Parse(parts[1]);
            Assert.That(i, Is.EqualTo(next[id]), $"sender {id}'s frames arrived out of order");
            Assert.That(parts[2], Has.Length.EqualTo((i * 37 + id * 11) % 3000));
            next[id]++;
        }

        Assert.That(next, Is.All.EqualTo(perThread));
    }
}
