using System;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Tests.Remotes;

namespace RayGen.Tests;

[TestFixtureSource(typeof(Modes), nameof(Modes.All))]
public class RayQueueTests : RuntimeFixture
{
    public RayQueueTests(RayMode mode) : base(mode) { }

    // How long a check that something does NOT happen looks; the claim holds whatever this is.
    private static readonly TimeSpan Glance = TimeSpan.FromMilliseconds(300);

    [Test]
    public void Items_come_out_in_the_order_they_went_in()
    {
        var queue = new RayQueue<int>();
        for (var i = 0; i < 50; i++) queue.Put(i);
        Assert.That(queue.Count, Is.EqualTo(50));
        Assert.That(Enumerable.Range(0, 50).Select(_ => queue.Get()), Is.EqualTo(Enumerable.Range(0, 50)));
        Assert.That(queue.IsEmpty, Is.True);
    }

    [Test]
    public void A_put_on_a_full_queue_waits_until_a_get_makes_room()
    {
        var queue = new RayQueue<string>(maxSize: 2);
        queue.Put("a");
        queue.Put("b");
        Assert.That(queue.IsFull, Is.True);

        var started = ScratchFile("putting");
        var third = QueueTasks.Remote.MarkThenPut(queue, "c", started);
        WaitForFile(started);
        var (ready, _) = Ray.Wait(new[] { third }, timeout: Glance);
        Assert.That(ready, Is.Empty, "the third put is still waiting");
        Assert.That(queue.Count, Is.EqualTo(2), "and its item is not in the queue");

        Assert.That(queue.Get(), Is.EqualTo("a"));
        Assert.That(third.Get(NoHang), Is.True, "the get made room");
        Assert.That(new[] { queue.Get(), queue.Get() }, Is.EqualTo(new[] { "b", "c" }));
    }

    [Test]
    public void A_get_on_an_empty_queue_waits_for_a_put()
    {
        var queue = new RayQueue<string>();
        var taker = QueueTasks.Remote.TakeFrom(queue);
        var (ready, _) = Ray.Wait(new[] { taker }, timeout: Glance);
        Assert.That(ready, Is.Empty);
        queue.Put("x");
        Assert.That(taker.Get(NoHang), Is.EqualTo("x"));
    }

    [Test]
    public void A_timed_get_on_an_empty_queue_throws_RayQueueEmptyException()
    {
        var queue = new RayQueue<string>(maxSize: 2);
        Assert.Throws<RayQueueEmptyException>(() => queue.Get(timeout: TimeSpan.FromMilliseconds(50)));
    }

    [Test]
    public void GetNoWait_on_an_empty_queue_throws_RayQueueEmptyException()
    {
        var queue = new RayQueue<string>();
        Assert.Throws<RayQueueEmptyException>(() => queue.GetNoWait());
        Assert.Throws<RayQueueEmptyException>(() => queue.Get(block: false));
    }

    [Test]
    public void PutNoWait_on_a_full_queue_throws_RayQueueFullException()
    {
        var queue = new RayQueue<string>(maxSize: 1);
        queue.PutNoWait("a");
        var error = Assert.Throws<RayQueueFullException>(() => queue.PutNoWait("b"));
        Assert.That(error, Is.InstanceOf<RayException>());
        Assert.That(queue.Count, Is.EqualTo(1));
    }

    [Test]
    public void A_timed_put_on_a_full_queue_throws_RayQueueFullException()
    {
        var queue = new RayQueue<string>(maxSize: 1);
        queue.Put("a");
        Assert.Throws<RayQueueFullException>(() => queue.Put("b", timeout: TimeSpan.FromMilliseconds(50)));
        Assert.That(queue.Get(), Is.EqualTo("a"));
        Assert.Throws<RayQueueEmptyException>(() => queue.GetNoWait(), "the timed-out item never went in");
    }

    [Test]
    public async Task PutAsync_and_GetAsync_wait_without_blocking()
    {
        var queue = new RayQueue<string>(maxSize: 1);
        var pending = queue.GetAsync(NoHang);
        await queue.PutAsync("a");
        Assert.That(await pending, Is.EqualTo("a"));
        await queue.PutAsync("b");
        var blocked = queue.PutAsync("c");
        Assert.That(await queue.GetAsync(), Is.EqualTo("b"));
        await blocked;
        Assert.That(await queue.GetAsync(), Is.EqualTo("c"));
    }

    [Test]
    public void A_queue_passed_to_a_task_reaches_the_same_queue()
    {
        var queue = new RayQueue<string>(maxSize: 10);
        Assert.That(QueueTasks.Remote.PutInto(queue, "from a task").Get(NoHang), Is.True);
        Assert.That(queue.Get(timeout: NoHang), Is.EqualTo("from a task"));
    }

    [Test]
    public void A_queue_can_be_put_in_the_object_store_and_read_back()
    {
        var queue = new RayQueue<int>(maxSize: 3);
        var copy = Ray.Put(queue).Get();
        copy.Put(7);
        Assert.That(queue.Get(), Is.EqualTo(7));
        Assert.That(copy.MaxSize, Is.EqualTo(3));
    }
}
