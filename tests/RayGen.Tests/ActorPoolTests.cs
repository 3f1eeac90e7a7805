using System;
using System.Linq;
using NUnit.Framework;
using RayGen.Tests.Remotes;

namespace RayGen.Tests;

[TestFixtureSource(typeof(Modes), nameof(Modes.All))]
public class ActorPoolTests : RuntimeFixture
{
    public ActorPoolTests(RayMode mode) : base(mode) { }

    private static ActorHandle<PoolWorker>[] Workers(int count) => Enumerable.Range(0, count).Select(_ => PoolWorker.Remote.New()).ToArray();

    [Test]
    public void Map_over_four_actors_returns_a_hundred_results_in_input_order()
    {
        var pool = new ActorPool<PoolWorker>(Workers(4));
        var results = pool.Map((actor, x) => actor.Square(x), Enumerable.Range(0, 100)).ToList();
        Assert.That(results, Is.EqualTo(Enumerable.Range(0, 100).Select(x => x * x)));
        Assert.That(pool.HasNext, Is.False);
    }

    [Test]
    public void MapUnordered_returns_all_hundred_results()
    {
        var pool = new ActorPool<PoolWorker>(Workers(4));
        var results = pool.MapUnordered((actor, x) => actor.Square(x), Enumerable.Range(0, 100)).ToList();
        Assert.That(results, Is.EquivalentTo(Enumerable.Range(0, 100).Select(x => x * x)));
    }

    [Test]
    public void Submissions_beyond_the_idle_actors_wait_and_run_on_actors_as_they_free_up()
    {
        var actor = PoolWorker.Remote.New();
        var pool = new ActorPool<PoolWorker>(new[] { actor });
        pool.Submit((a, x) => a.Add(x), 1);
        pool.Submit((a, x) => a.Add(x), 2);
        pool.Submit((a, x) => a.Add(x), 3);
        Assert.That(pool.HasFree, Is.False);
        // One actor: each submission runs on it in turn, so the totals accumulate.
        Assert.That(new[] { pool.GetNext<int>(), pool.GetNext<int>(), pool.GetNext<int>() }, Is.EqualTo(new[] { 1, 3, 6 }));
        Assert.That(pool.HasNext, Is.False);
        Assert.That(pool.HasFree, Is.True);
    }

    [Test]
    public void Idle_actors_are_reused_for_later_submissions()
    {
        var workers = Workers(2);
        var pool = new ActorPool<PoolWorker>(workers);
        for (var i = 0; i < 10; i++)
        {
            pool.Submit((a, x) => a.Add(x), 1);
            Assert.That(pool.GetNext<int>(NoHang), Is.GreaterThan(0));
        }

        Assert.That(workers.Select(w => w.Total().Get()).Sum(), Is.EqualTo(10));
        Assert.That(workers.Select(w => w.Total().Get()), Has.All.GreaterThan(0), "both actors took work");
    }

    [Test]
    public void GetNextUnordered_takes_results_as_they_complete()
    {
        var pool = new ActorPool<PoolWorker>(Workers(2));
        pool.Submit((a, x) => a.Square(x), 3);
        pool.Submit((a, x) => a.Square(x), 4);
        var both = new[] { pool.GetNextUnordered<int>(NoHang), pool.GetNextUnordered<int>(NoHang) };
        Assert.That(both, Is.EquivalentTo(new[] { 9, 16 }));
        Assert.That(() => pool.GetNextUnordered<int>(), Throws.InvalidOperationException);
    }

    [Test]
    public void PopIdle_takes_an_idle_actor_out_and_Push_puts_it_back()
    {
        var actor = PoolWorker.Remote.New();
        var pool = new ActorPool<PoolWorker>(new[] { actor });
        var popped = pool.PopIdle();
        Assert.That(popped, Is.SameAs(actor));
        Assert.That(pool.PopIdle(), Is.Null, "no actor is left idle");

        pool.Submit((a, x) => a.Square(x), 5);
        Assert.That(pool.HasNext, Is.False, "the submission waits for an actor");
        pool.Push(popped!);
        Assert.That(pool.GetNext<int>(NoHang), Is.EqualTo(25));
        Assert.That(() => pool.Push(actor), Throws.ArgumentException, "an actor joins a pool once");
    }

    [Test]
    public void A_failed_call_throws_from_GetNext_and_its_actor_stays_in_the_pool()
    {
        var pool = new ActorPool<Counter>(new[] { Counter.Remote.New(0) });
        pool.Submit((a, message) => a.Fail(message), "boom");
        Assert.That(() => pool.GetNext<int>(NoHang), Throws.InstanceOf<RayTaskException>().With.Message.Contains("boom"));
        pool.Submit((a, _) => a.Increment(), 0);
        Assert.That(pool.GetNext<int>(NoHang), Is.EqualTo(1));
    }
}
