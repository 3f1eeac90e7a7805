using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Tests.Remotes;

namespace RayGen.Tests;

[TestFixtureSource(typeof(Modes), nameof(Modes.All))]
public class TaskTests : RuntimeFixture
{
    public TaskTests(RayMode mode) : base(mode) { }

    [Test]
    public void Remote_call_returns_a_ref_whose_Get_is_the_result() =>
        Assert.That(TestTasks.Remote.Add(2, 3).Get(), Is.EqualTo(5));

    [Test]
    public async Task Awaiting_a_ref_returns_the_result() =>
        Assert.That(await TestTasks.Remote.Add(20, 22), Is.EqualTo(42));

    [Test]
    public void Ray_Get_returns_the_result() =>
        Assert.That(Ray.Get(TestTasks.Remote.Add(1, 1)), Is.EqualTo(2));

    [Test]
    public async Task GetAsync_returns_the_result() =>
        Assert.That(await TestTasks.Remote.Add(1, 1).GetAsync(), Is.EqualTo(2));

    [Test]
    public void Get_with_a_timeout_returns_the_result_when_it_comes_in_time() =>
        Assert.That(TestTasks.Remote.Add(1, 1).Get(NoHang), Is.EqualTo(2));

    [Test]
    public async Task A_Task_of_T_method_returns_its_result() =>
        Assert.That(await TestTasks.Remote.ConcatAsync("ray", "gen"), Is.EqualTo("raygen"));

    [Test]
    public async Task A_ValueTask_of_T_method_returns_its_result() =>
        Assert.That(await TestTasks.Remote.LengthAsync("four"), Is.EqualTo(4));

    [Test]
    public void Void_method_returns_an_untyped_ref_that_completes_after_it_ran()
    {
        var path = ScratchFile("touched");
        ObjectRef done = TestTasks.Remote.Touch(path);
        done.Get();
        Assert.That(File.Exists(path), Is.True);
    }

    [Test]
    public void A_ref_passed_as_an_argument_is_resolved_before_the_task_runs()
    {
        var first = TestTasks.Remote.Add(1, 2);
        var second = TestTasks.Remote.Add(first, 10);
        Assert.That(second.Get(), Is.EqualTo(13));
    }

    [Test]
    public void A_parameter_declared_as_ObjectRef_receives_the_ref_itself()
    {
        var data = Ray.Put(new[] { 1, 2, 3, 4 });
        Assert.That(TestTasks.Remote.SumOfRef(data).Get(), Is.EqualTo(10));
    }

    [Test]
    public void A_task_never_shares_a_mutable_object_with_its_caller()
    {
        var mine = new[] { 1, 2, 3 };
        var result = TestTasks.Remote.Mutate(mine).Get();
        Assert.That(mine, Is.EqualTo(new[] { 1, 2, 3 }), "the caller's array is untouched");
        Assert.That(result, Is.EqualTo(new[] { 99, 2, 3 }));
        Assert.That(result, Is.Not.SameAs(mine));
    }

    [Test]
    public void MemoryPackable_values_cross_the_boundary() =>
        Assert.That(TestTasks.Remote.Mirror(new Point { X = 1, Y = 2 }).Get(), Has.Property("X").EqualTo(2).And.Property("Y").EqualTo(1));

    [Test]
    public void A_remote_exception_becomes_a_RayTaskException_a_RayException() =>
        Assert.That(() => TestTasks.Remote.Throw("boom").Get(), Throws.TypeOf<RayTaskException>().With.InstanceOf<RayException>());

    [Test]
    public void RayTaskException_ErrorType_is_the_full_name_of_the_remote_exceptions_type()
    {
        var e = Assert.Throws<RayTaskException>(() => TestTasks.Remote.Throw("boom").Get())!;
        Assert.That(e.ErrorType, Is.EqualTo(typeof(InvalidOperationException).FullName));
    }

    [Test]
    public void RayTaskException_Message_contains_the_remote_message()
    {
        var e = Assert.Throws<RayTaskException>(() => TestTasks.Remote.Throw("boom").Get())!;
        Assert.That(e.Message, Does.Contain("boom"));
    }

    [Test]
    public void RayTaskException_RemoteStackTrace_names_the_remote_method()
    {
        var e = Assert.Throws<RayTaskException>(() => TestTasks.Remote.Throw("boom").Get())!;
        Assert.That(e.RemoteStackTrace, Does.Contain(nameof(TestTasks.Throw)));
    }

    [Test]
    public void A_task_whose_dependency_failed_fails_with_the_dependencys_error()
    {
        var failed = TestTasks.Remote.Throw("upstream");
        var dependent = TestTasks.Remote.TouchAfter(failed, ScratchFile("dependent-ran"));
        var e = Assert.Throws<RayTaskException>(() => dependent.Get())!;
        Assert.That(e.ErrorType, Is.EqualTo(typeof(InvalidOperationException).FullName));
        Assert.That(e.Message, Does.Contain("upstream"));
    }

    [Test]
    public void A_task_whose_dependency_failed_never_runs()
    {
        var path = ScratchFile("dependent-ran");
        var failed = TestTasks.Remote.Throw("upstream");
        var dependent = TestTasks.Remote.TouchAfter(failed, path);
        Assert.Throws<RayTaskException>(() => dependent.Get());
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public void Exceptions_are_retried_when_RetryExceptions_is_set()
    {
        var counter = ScratchFile("flaky");
        Assert.That(TestTasks.Remote.Flaky(counter, 2).Get(), Is.EqualTo(3), "two failures, then success on the third attempt");
    }

    [Test]
    public void Retries_stop_after_MaxRetries()
    {
        var counter = ScratchFile("flaky");
        var e = Assert.Throws<RayTaskException>(() =>
            TestTasks.Remote.With(new RemoteOptions { MaxRetries = 1 }).Flaky(counter, 2).Get())!;
        Assert.That(e.ErrorType, Is.EqualTo(typeof(IOException).FullName));
        Assert.That(File.ReadAllText(counter), Is.EqualTo("2"), "one try and one retry");
    }

    [Test]
    public void Exceptions_are_not_retried_without_RetryExceptions()
    {
        var counter = ScratchFile("flaky");
        Assert.Throws<RayTaskException>(() =>
            TestTasks.Remote.With(new RemoteOptions { RetryExceptions = false }).Flaky(counter, 1).Get());
        Assert.That(File.ReadAllText(counter), Is.EqualTo("1"));
    }

    [Test]
    public void Tasks_run_at_most_NumCpus_at_once()
    {
        var spans = Ray.Get(Enumerable.Range(0, 6).Select(_ => TestTasks.Remote.Sleep(150)).ToList());
        Assert.That(MaxOverlap(spans), Is.LessThanOrEqualTo(2));
    }

    [Test]
    public void Two_tasks_on_two_CPUs_run_at_the_same_time()
    {
        // Each waits for the other to start: they both return true only if they ran side by side.
        var (a, b) = (ScratchFile("a"), ScratchFile("b"));
        var met = Ray.Get(new[] { TestTasks.Remote.Rendezvous(a, b), TestTasks.Remote.Rendezvous(b, a) });
        Assert.That(met, Is.EqualTo(new[] { true, true }));
    }

    [Test]
    public void A_task_asking_for_two_CPUs_runs_alone_on_a_two_CPU_runtime()
    {
        var twoCpus = TestTasks.Remote.With(new RemoteOptions { NumCpus = 2 });
        var spans = Ray.Get(Enumerable.Range(0, 3).Select(_ => twoCpus.Sleep(100)).ToList());
        Assert.That(MaxOverlap(spans), Is.EqualTo(1));
    }

    [Test]
    public void Nested_tasks_that_Get_their_children_finish_on_two_CPUs() =>
        Assert.That(TestTasks.Remote.Fib(10).Get(TimeSpan.FromSeconds(60)), Is.EqualTo(55));

    [Test]
    public void A_handle_passed_to_a_task_drives_the_same_actor()
    {
        var counter = Counter.Remote.New(100);
        Assert.That(TestTasks.Remote.DriveCounter(counter, 5).Get(), Is.EqualTo(105));
        Assert.That(counter.Read().Get(), Is.EqualTo(105));
    }

    internal static int MaxOverlap(Span[] spans)
    {
        var events = spans.SelectMany(s => new[] { (s.Start, +1), (s.End, -1) })
            .OrderBy(e => e.Item1).ThenBy(e => e.Item2);
        int current = 0, max = 0;
        foreach (var (_, delta) in events) max = Math.Max(max, current += delta);
        return max;
    }
}
