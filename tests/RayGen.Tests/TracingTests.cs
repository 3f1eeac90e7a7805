using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using NUnit.Framework;
using RayGen.Tests.Remotes;

namespace RayGen.Tests;

[TestFixtureSource(typeof(Modes), nameof(Modes.All))]
public class TracingTests : RuntimeFixture
{
    private ActivityListener _listener = null!;
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public TracingTests(RayMode mode) : base(mode) { }

    [SetUp]
    public void Listen()
    {
        _stopped.Clear();
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "RayGen",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [TearDown]
    public void StopListening() => _listener.Dispose();

    private Activity Span(string name) => _stopped.Single(a => a.DisplayName == name);

    private ActivitySource _caller = null!;
    private ActivityListener _callerListener = null!;

    [SetUp]
    public void ListenToTheCaller()
    {
        _caller = new ActivitySource("RayGen.Tests.Caller");
        _callerListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == _caller.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_callerListener);
    }

    [TearDown]
    public void StopListeningToTheCaller()
    {
        _callerListener.Dispose();
        _caller.Dispose();
    }

    /// <summary>The application's span around the calls (a request, a job step): RayGen's spans join its trace.</summary>
    private Activity Request() => _caller.StartActivity("handle request")!;

    [Test]
    public void A_tasks_execution_span_is_a_child_of_its_submit_span()
    {
        using (Request()) Assert.That(TestTasks.Remote.Add(2, 3).Get(), Is.EqualTo(5));

        var submit = Span("submit TestTasks.Add");
        var execute = Span("execute TestTasks.Add");
        Assert.Multiple(() =>
        {
            Assert.That(execute.TraceId, Is.EqualTo(submit.TraceId));
            Assert.That(execute.ParentSpanId, Is.EqualTo(submit.SpanId));
            Assert.That(execute.Kind, Is.EqualTo(ActivityKind.Consumer));
            Assert.That(submit.Kind, Is.EqualTo(ActivityKind.Producer));
        });
        var pid = (int)execute.GetTagItem("process.pid")!;
        if (Mode == RayMode.Processes) Assert.That(pid, Is.Not.EqualTo(System.Environment.ProcessId), "it ran in a worker process");
        else Assert.That(pid, Is.EqualTo(System.Environment.ProcessId));
    }

    [Test]
    public void A_submit_span_is_a_child_of_the_callers_activity()
    {
        ActivityTraceId trace;
        ActivitySpanId parent;
        using (var request = Request())
        {
            trace = request.TraceId;
            parent = request.SpanId;
            TestTasks.Remote.Add(1, 1).Get();
        }

        var submit = Span("submit TestTasks.Add");
        Assert.That(submit.TraceId, Is.EqualTo(trace));
        Assert.That(submit.ParentSpanId, Is.EqualTo(parent));
    }

    [Test]
    public void What_a_task_submits_is_traced_under_the_task_that_submitted_it()
    {
        ActivitySpanId request;
        using (var caller = Request())
        {
            request = caller.SpanId;
            Assert.That(TestTasks.Remote.Fib(2).Get(), Is.EqualTo(1));
        }

        var executions = _stopped.Where(a => a.DisplayName == "execute TestTasks.Fib").ToList();
        var submits = _stopped.Where(a => a.DisplayName == "submit TestTasks.Fib").ToList();
        Assert.That(executions, Has.Count.EqualTo(3));
        Assert.That(submits, Has.Count.EqualTo(3));
        var outerSubmit = submits.Single(s => s.ParentSpanId == request);
        var outer = executions.Single(e => e.ParentSpanId == outerSubmit.SpanId);
        var nested = submits.Where(s => s.ParentSpanId == outer.SpanId).ToList();
        Assert.That(nested, Has.Count.EqualTo(2), "Fib(2) submits Fib(1) and Fib(0) from inside its execution");
        Assert.That(_stopped.Select(a => a.TraceId).Distinct().Count(), Is.EqualTo(1), "one trace from the driver's call down");
    }

    [Test]
    public void A_submit_outside_any_recorded_trace_makes_no_span()
    {
        Assert.That(TestTasks.Remote.Add(2, 3).Get(), Is.EqualTo(5));

        Assert.That(_stopped.Where(a => a.Source.Name == "RayGen"), Is.Empty, "RayGen joins traces; it starts none per task");
    }
}
