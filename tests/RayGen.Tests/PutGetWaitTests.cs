using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Tests.Remotes;

namespace RayGen.Tests;

[TestFixtureSource(typeof(Modes), nameof(Modes.All))]
public class PutGetWaitTests : RuntimeFixture
{
    public PutGetWaitTests(RayMode mode) : base(mode) { }

    [Test]
    public void Put_then_Get_returns_an_equal_value()
    {
        var data = Ray.Put(new[] { 1, 2, 3 });
        Assert.That(Ray.Get(data), Is.EqualTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public void Put_takes_a_copy_so_later_changes_are_not_seen()
    {
        var array = new[] { 1, 2, 3 };
        var data = Ray.Put(array);
        array[0] = 42;
        Assert.That(data.Get(), Is.EqualTo(new[] { 1, 2, 3 }));
    }

    [Test]
    public void Each_Get_returns_a_fresh_copy()
    {
        var data = Ray.Put(new List<int> { 1 });
        data.Get().Add(2);
        Assert.That(data.Get(), Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public void A_ref_can_be_put_in_the_store_and_read_back()
    {
        var inner = TestTasks.Remote.Add(3, 4);
        var outer = Ray.Put(inner);
        Assert.That(outer.Get().Get(), Is.EqualTo(7));
    }

    [Test]
    public void Get_of_many_returns_values_in_input_order()
    {
        var refs = Enumerable.Range(0, 20).Select(i => TestTasks.Remote.Add(i, 0)).ToList();
        Assert.That(Ray.Get(refs), Is.EqualTo(Enumerable.Range(0, 20).ToArray()));
    }

    [Test]
    public void Get_of_many_throws_as_soon_as_one_failed_without_waiting_for_the_rest()
    {
        var refs = new List<ObjectRef<int>>
        {
            TestTasks.Remote.WaitForCancelAsync(), // never finishes on its own
            TestTasks.Remote.Throw("first failure"),
        };
        var get = Task.Run(() => Ray.Get(refs));
        var e = Assert.Throws<AggregateException>(() => get.Wait(NoHang))!;
        Assert.That(e.InnerException, Is.InstanceOf<RayTaskException>().With.Message.Contains("first failure"));
        Ray.Cancel(refs[0]);
    }

    [Test]
    public void Get_with_a_timeout_that_runs_out_throws_GetTimeoutException_a_TimeoutException()
    {
        var slow = TestTasks.Remote.WaitForCancelAsync();
        var e = Assert.Throws<GetTimeoutException>(() => slow.Get(TimeSpan.FromMilliseconds(50)))!;
        Assert.That(e, Is.InstanceOf<TimeoutException>());
        Ray.Cancel(slow);
    }

    [Test]
    public void Ray_Get_with_a_timeout_that_runs_out_throws_GetTimeoutException()
    {
        var slow = TestTasks.Remote.WaitForCancelAsync();
        Assert.Throws<GetTimeoutException>(() => Ray.Get(slow, TimeSpan.FromMilliseconds(10)));
        Ray.Cancel(slow);
    }

    [Test]
    public void Wait_returns_ready_refs_in_input_order()
    {
        var slow = TestTasks.Remote.WaitForCancelAsync();
        var a = TestTasks.Remote.Add(1, 0);
        var b = TestTasks.Remote.Add(2, 0);
        a.Get();
        b.Get();
        var (ready, notReady) = Ray.Wait(new[] { b, slow, a }, numReturns: 2);
        Assert.That(ready, Is.EqualTo(new[] { b, a }));
        Assert.That(notReady, Is.EqualTo(new[] { slow }));
        Ray.Cancel(slow);
    }

    [Test]
    public void Wait_returns_at_most_numReturns_ready_refs()
    {
        var refs = Enumerable.Range(0, 5).Select(i => Ray.Put(i)).ToList();
        var (ready, notReady) = Ray.Wait(refs, numReturns: 2);
        Assert.That(ready, Is.EqualTo(refs.Take(2)));
        Assert.That(notReady, Is.EqualTo(refs.Skip(2)));
    }

    [Test]
    public void Wait_with_a_timeout_returns_early_with_what_is_ready()
    {
        var slow = TestTasks.Remote.WaitForCancelAsync();
        var fast = Ray.Put(1);
        var (ready, notReady) = Ray.Wait(new[] { slow, fast }, numReturns: 2, timeout: TimeSpan.FromMilliseconds(100));
        Assert.That(ready, Is.EqualTo(new[] { fast }));
        Assert.That(notReady, Is.EqualTo(new[] { slow }));
        Ray.Cancel(slow);
    }

    [Test]
    public void Wait_counts_failed_refs_as_ready()
    {
        var failed = TestTasks.Remote.Throw("x");
        var (ready, _) = Ray.Wait(new[] { failed }, timeout: NoHang);
        Assert.That(ready, Is.EqualTo(new[] { failed }));
    }

    [Test]
    public void Wait_rejects_numReturns_above_the_number_of_refs()
    {
        var a = Ray.Put(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ray.Wait(new[] { a }, numReturns: 2));
    }

    [Test]
    public void Wait_rejects_numReturns_of_zero()
    {
        var a = Ray.Put(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => Ray.Wait(new[] { a }, numReturns: 0));
    }

    [Test]
    public void Wait_rejects_a_ref_given_twice()
    {
        var a = Ray.Put(1);
        Assert.That(() => Ray.Wait(new[] { a, a }, numReturns: 1), Throws.ArgumentException.With.Message.Contains("distinct"));
    }
}
