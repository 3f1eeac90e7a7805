using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using NUnit.Framework;
using RayGen.Tests.Remotes;

namespace RayGen.Tests;

[TestFixtureSource(typeof(Modes), nameof(Modes.All))]
public class MetricsTests : RuntimeFixture
{
    private MeterListener _listener = null!;
    private readonly ConcurrentDictionary<(string Instrument, string Tag), long> _gauges = new();
    private readonly ConcurrentQueue<(string Instrument, double Value)> _histograms = new();

    public MetricsTests(RayMode mode) : base(mode) { }

    [SetUp]
    public void Listen()
    {
        _gauges.Clear();
        _histograms.Clear();
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "RayGen") listener.EnableMeasurementEvents(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var tag = tags.Length == 0 ? "" : $"{tags[0].Key}={tags[0].Value}";
            _gauges[(instrument.Name, tag)] = value;
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => _histograms.Enqueue((instrument.Name, value)));
        _listener.Start();
    }

    [TearDown]
    public void StopListening() => _listener.Dispose();

    private long Gauge(string instrument, string tag)
    {
        _gauges.Clear();
        _listener.RecordObservableInstruments();
        return _gauges.TryGetValue((instrument, tag), out var value) ? value : -1;
    }

    [Test]
    public void Ray_tasks_counts_a_task_as_running_while_it_runs_then_as_finished()
    {
        Assert.That(Gauge("ray_tasks", "State=FINISHED"), Is.Zero);
        var (started, gate) = (ScratchFile("started"), ScratchFile("gate"));
        var held = TestTasks.Remote.MarkThenHoldUntil(started, gate);
        WaitForFile(started);

        Assert.That(Gauge("ray_tasks", "State=RUNNING"), Is.EqualTo(1));
        Assert.That(Gauge("ray_tasks", "State=FINISHED"), Is.Zero);

        System.IO.File.WriteAllText(gate, "open");
        held.Get();
        Assert.That(Gauge("ray_tasks", "State=RUNNING"), Is.Zero);
        Assert.That(Gauge("ray_tasks", "State=FINISHED"), Is.EqualTo(1));
    }

    [Test]
    public void Ray_tasks_counts_a_task_waiting_for_its_argument_and_a_failed_one()
    {
        var (started, gate) = (ScratchFile("started"), ScratchFile("gate"));
        var held = TestTasks.Remote.MarkThenHoldUntil(started, gate);
        var waiting = TestTasks.Remote.Add(held, 1);
        WaitForFile(started);
        Assert.That(Gauge("ray_tasks", "State=PENDING_ARGS_AVAIL"), Is.EqualTo(1));

        Assert.Throws<RayTaskException>(() => TestTasks.Remote.Throw("no").Get());
        Assert.That(Gauge("ray_tasks", "State=FAILED"), Is.EqualTo(1));
        System.IO.File.WriteAllText(gate, "open");
        Assert.That(waiting.Get(), Is.EqualTo(2));
        Assert.That(Gauge("ray_tasks", "State=PENDING_ARGS_AVAIL"), Is.Zero);
        Assert.That(Gauge("ray_tasks", "State=FINISHED"), Is.EqualTo(2));
    }

    [Test]
    public void Ray_actors_counts_actors_by_state()
    {
        var counter = Counter.Remote.New(0);
        counter.Increment().Get();
        Assert.That(Gauge("ray_actors", "State=ALIVE"), Is.EqualTo(1));

        Ray.Kill(counter);
        Assert.That(Gauge("ray_actors", "State=ALIVE"), Is.Zero);
        Assert.That(Gauge("ray_actors", "State=DEAD"), Is.EqualTo(1));
    }

    [Test]
    public void Submit_and_get_latencies_are_recorded_while_someone_listens()
    {
        // Submit latency is a sample, one submit in 16 on each thread: 16 submits from this thread hold exactly one.
        var refs = Enumerable.Range(0, 16).Select(i => TestTasks.Remote.Add(i, 2)).ToArray();
        foreach (var r in refs) r.Get();

        var names = _histograms.Select(h => h.Instrument).ToList();
        Assert.That(names.Count(n => n == "ray_task_submit_latency"), Is.EqualTo(1));
        Assert.That(names, Does.Contain("ray_get_latency")); // a Get of a value already there returns without waiting or recording
        Assert.That(_histograms.Select(h => h.Value), Has.All.GreaterThanOrEqualTo(0));
    }

    [Test]
    public void The_object_store_and_workers_are_measured_in_process_mode_only()
    {
        Assert.That(Gauge("ray_object_store_capacity", ""), Mode == RayMode.Processes ? Is.GreaterThan(0) : Is.EqualTo(-1));
        Assert.That(Gauge("ray_workers", "Type=task"), Mode == RayMode.Processes ? Is.GreaterThanOrEqualTo(1) : Is.EqualTo(-1));
    }
}
