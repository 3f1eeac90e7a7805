using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Tests.Remotes;

namespace RayGen.Tests;

[TestFixtureSource(typeof(Modes), nameof(Modes.All))]
public class StreamTests : RuntimeFixture
{
    public StreamTests(RayMode mode) : base(mode) { }

    [Test]
    public void A_stream_of_1000_items_is_read_while_its_producer_still_runs()
    {
        // The producer yields item 0 and then waits for the gate, which is written only once item 0 was read.
        var gate = ScratchFile("gate");
        var stream = StreamRemotes.Remote.CountAfterGate(1000, gate);
        var seen = new List<int>();
        foreach (var item in stream)
        {
            seen.Add(item.Get(NoHang));
            if (seen.Count == 1) File.WriteAllText(gate, "item 0 was read");
        }

        Assert.That(seen, Is.EqualTo(Enumerable.Range(0, 1000)));
    }

    [Test]
    public async Task An_async_producer_streams_its_items_in_order_to_await_foreach()
    {
        var seen = new List<int>();
        await foreach (var item in StreamRemotes.Remote.CountAsync(100)) seen.Add(await item);
        Assert.That(seen, Is.EqualTo(Enumerable.Range(0, 100)));
    }

    [Test]
    public void Backpressure_holds_the_producer_within_its_bound()
    {
        const int bound = 3, count = 40;
        var progress = ScratchFile("progress");
        var stream = StreamRemotes.Remote.With(new RemoteOptions { StreamBackpressure = bound }).CountRecordingProgress(count, progress);
        using var items = stream.GetEnumerator();

        Assert.That(items.MoveNext(), Is.True);
        Assert.That(items.Current.Get(NoHang), Is.EqualTo(0));
        // One item consumed: the producer runs ahead until `bound` items wait unconsumed, and starts no further.
        Assert.That(WaitForProgress(progress, bound), Is.True, "the producer ran ahead to its bound");

        var consumed = 1;
        while (items.MoveNext())
        {
            Assert.That(items.Current.Get(NoHang), Is.EqualTo(consumed));
            consumed++;
            Assert.That(ReadProgress(progress), Is.LessThanOrEqualTo(consumed - 1 + bound),
                $"with {consumed} items consumed the producer may start item {consumed - 1 + bound} at most");
        }

        Assert.That(consumed, Is.EqualTo(count));
    }

    [Test]
    public void An_exception_at_item_5_fails_item_5_and_ends_the_stream()
    {
        var items = StreamRemotes.Remote.FailAt(5).ToList();

        Assert.That(items, Has.Count.EqualTo(6), "five values, then the item that failed, then the end");
        Assert.That(items.Take(5).Select(i => i.Get(NoHang)), Is.EqualTo(Enumerable.Range(0, 5)));
        var error = Assert.Throws<RayTaskException>(() => items[5].Get(NoHang))!;
        Assert.That(error.ErrorType, Is.EqualTo(typeof(InvalidOperationException).FullName));
        Assert.That(error.Message, Does.Contain("item 5 cannot be made"));
    }

    [Test]
    public void Cancel_stops_an_endless_producer_that_observes_its_token()
    {
        var stopped = ScratchFile("stopped");
        var stream = StreamRemotes.Remote.EndlessAsync(stopped);
        AssertCancelEndsTheStream(stream);
        Assert.That(File.Exists(stopped), Is.True, "the producer left its loop");
    }

    [Test]
    public void Cancel_stops_an_endless_producer_that_never_looks_at_a_token()
    {
        var stopped = ScratchFile("stopped");
        var stream = StreamRemotes.Remote.Endless(stopped);
        AssertCancelEndsTheStream(stream);
        Assert.That(File.Exists(stopped), Is.True, "the runtime stopped asking the producer for items and disposed it");
    }

    /// <summary>Reads three items, cancels, then reads on: values, then one item failed as cancelled, then the end.</summary>
    private static void AssertCancelEndsTheStream(ObjectRefStream<int> stream)
    {
        using var items = stream.GetEnumerator();
        for (var i = 0; i < 3; i++)
        {
            Assert.That(items.MoveNext(), Is.True);
            Assert.That(items.Current.Get(NoHang), Is.EqualTo(i));
        }

        Ray.Cancel(stream);

        var rest = new List<ObjectRef<int>>();
        while (items.MoveNext()) rest.Add(items.Current);
        Assert.That(rest, Is.Not.Empty, "the item after the last value carries the cancellation");
        Assert.That(rest.Take(rest.Count - 1).Select(r => r.Get(NoHang)), Is.EqualTo(Enumerable.Range(3, rest.Count - 1)));
        Assert.Throws<RayTaskCanceledException>(() => rest[^1].Get(NoHang));
        // The stream ends only once its producer has finished: the producer ended as cancelled.
        Assert.Throws<RayTaskCanceledException>(() => stream.Completion.Get(NoHang));
    }

    [Test]
    public void A_sync_actor_streams_and_keeps_its_state_between_streams()
    {
        var actor = SyncStreamActor.Remote.New(10);
        Assert.That(actor.Take(3).AsEnumerable().Select(r => r.Get(NoHang)), Is.EqualTo(new[] { 10, 11, 12 }));
        Assert.That(actor.Take(2).AsEnumerable().Select(r => r.Get(NoHang)), Is.EqualTo(new[] { 13, 14 }));
        Assert.That(actor.Peek().Get(NoHang), Is.EqualTo(15));
    }

    [Test]
    public async Task An_async_actor_streams_and_keeps_its_state_between_streams()
    {
        var actor = AsyncStreamActor.Remote.New(1);
        var seen = new List<string>();
        await foreach (var item in actor.TakeAsync(3)) seen.Add(await item);
        Assert.That(seen, Is.EqualTo(new[] { "item 1", "item 2", "item 3" }));
        Assert.That(await actor.PeekAsync(), Is.EqualTo(4));
    }

    [Test]
    public void A_stream_passed_to_another_task_is_consumed_there()
    {
        var stream = StreamRemotes.Remote.CountAsync(100);
        Assert.That(StreamRemotes.Remote.Sum(stream).Get(NoHang), Is.EqualTo(4950));
    }

    [Test]
    public void A_stream_passed_to_an_async_task_is_consumed_with_await_foreach()
    {
        var gate = ScratchFile("gate");
        File.WriteAllText(gate, "open");
        var stream = StreamRemotes.Remote.CountAfterGate(50, gate);
        Assert.That(StreamRemotes.Remote.SumAsync(stream).Get(NoHang), Is.EqualTo(1225));
    }

    [Test]
    public void A_task_can_start_a_stream_and_consume_it()
    {
        Assert.That(StreamRemotes.Remote.SumOfNestedStream(50).Get(NoHang), Is.EqualTo(1225));
    }

    [Test]
    public void Large_items_arrive_whole()
    {
        const int size = 300 * 1024;
        var blocks = StreamRemotes.Remote.Blocks(4, size).AsEnumerable().Select(r => r.Get(NoHang)).ToList();
        Assert.That(blocks, Has.Count.EqualTo(4));
        for (var i = 0; i < blocks.Count; i++)
        {
            Assert.That(blocks[i], Has.Length.EqualTo(size));
            Assert.That(blocks[i], Is.All.EqualTo((byte)i));
        }
    }

    [Test]
    public void A_stream_whose_items_were_all_read_reads_as_empty_to_a_second_reader()
    {
        var stream = StreamRemotes.Remote.CountAsync(3);
        Assert.That(stream.AsEnumerable().Select(r => r.Get(NoHang)), Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(stream, Is.Empty, "each item is handed out once, as Ray's ObjectRefGenerator does");
    }

    private static int ReadProgress(string path)
    {
        try
        {
            return int.Parse(File.ReadAllText(path), CultureInfo.InvariantCulture);
        }
        catch (FileNotFoundException)
        {
            return -1;
        }
    }

    /// <summary>Waits until the producer records <paramref name="index"/> (an event, polled like a file; false on a hang).</summary>
    private static bool WaitForProgress(string path, int index)
    {
        var deadline = DateTime.UtcNow + NoHang;
        while (ReadProgress(path) < index)
        {
            if (DateTime.UtcNow > deadline) return false;
            System.Threading.Thread.Sleep(5);
        }

        return ReadProgress(path) == index;
    }
}
