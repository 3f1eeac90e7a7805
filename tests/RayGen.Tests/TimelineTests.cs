using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using NUnit.Framework;
using RayGen.Tests.Remotes;

namespace RayGen.Tests;

[TestFixtureSource(typeof(Modes), nameof(Modes.All))]
public class TimelineTests : RuntimeFixture
{
    public TimelineTests(RayMode mode) : base(mode) { }

    [Test]
    public void A_timeline_of_100_tasks_is_a_chrome_trace_with_one_complete_event_per_task_on_the_process_that_ran_it()
    {
        var refs = Enumerable.Range(0, 100).Select(i => TestTasks.Remote.Add(i, 1)).ToList();
        Ray.Get(refs);
        var workerPids = Ray.State.Workers().Where(w => w.WorkerType == "WORKER").Select(w => w.Pid).ToHashSet();
        var path = ScratchFile("trace.json");

        Ray.Timeline(path);

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.That(json.RootElement.ValueKind, Is.EqualTo(JsonValueKind.Array));
        var complete = json.RootElement.EnumerateArray().Where(e => e.GetProperty("ph").GetString() == "X").ToList();
        Assert.That(complete, Has.Count.EqualTo(100));
        var ids = Ray.State.Tasks().Select(t => t.TaskId).ToHashSet();
        foreach (var e in complete)
        {
            Assert.That(e.GetProperty("name").GetString(), Is.EqualTo("TestTasks.Add"));
            Assert.That(e.GetProperty("cat").GetString(), Is.EqualTo("task"));
            Assert.That(e.GetProperty("dur").GetInt64(), Is.GreaterThanOrEqualTo(0));
            Assert.That(e.GetProperty("ts").GetInt64(), Is.GreaterThanOrEqualTo(0));
            Assert.That(ids, Does.Contain(e.GetProperty("args").GetProperty("task_id").GetString()));
            var pid = e.GetProperty("pid").GetInt32();
            if (Mode == RayMode.Processes) Assert.That(workerPids, Does.Contain(pid), "the pid of the worker that ran it");
            else Assert.That(pid, Is.EqualTo(Environment.ProcessId));
        }
    }

    [Test]
    public void A_timeline_names_the_refs_a_task_was_given_and_the_actor_a_call_went_to()
    {
        var counter = Counter.Remote.New(0);
        counter.Increment().Get();
        var first = TestTasks.Remote.Add(1, 1);
        TestTasks.Remote.Add(first, 1).Get();
        var path = ScratchFile("trace.json");

        Ray.Timeline(path);

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var events = json.RootElement.EnumerateArray().Where(e => e.GetProperty("ph").GetString() == "X").ToList();
        var call = events.Single(e => e.GetProperty("name").GetString() == "Counter.Increment");
        Assert.That(call.GetProperty("cat").GetString(), Is.EqualTo("actor_task"));
        Assert.That(call.GetProperty("args").GetProperty("actor_id").GetString(), Is.EqualTo(Ray.State.Actors().Single().ActorId));
        Assert.That(events.Count(e => e.GetProperty("cat").GetString() == "actor_creation_task"), Is.EqualTo(1));
        var dependent = events.Single(e => e.GetProperty("args").TryGetProperty("arg_refs", out _));
        var firstId = Ray.State.Tasks().First(t => t.Name == "TestTasks.Add").TaskId;
        Assert.That(dependent.GetProperty("args").GetProperty("arg_refs").GetString(), Is.EqualTo(firstId));
    }
}
