using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using NUnit.Framework;

namespace RayGen.Dashboard.Tests;

/// <summary>
/// The JSON API and the Prometheus endpoint of one runtime in worker processes, after it ran tasks that finished and
/// failed, an actor and a large value.
/// </summary>
[NonParallelizable]
public class ApiTests
{
    private RayRuntime _ray = null!;
    private string _api = "";
    private ObjectRef<byte[]> _large = null!;
    private const string Printed = "a line the worker printed for the dashboard";

    [OneTimeSetUp]
    public void RunSomeWork()
    {
        _ray = Ray.Init(new RayOptions { NumCpus = 2, DashboardPort = 0, MetricsPort = 0 });
        _api = _ray.DashboardUrl + "api";
        Ray.Get(Enumerable.Range(0, 5).Select(i => DashboardTasks.Remote.Add(i, 1)).ToList());
        Assert.Throws<RayTaskException>(() => DashboardTasks.Remote.Fail("on purpose").Get());
        var tally = Tally.Remote.New();
        Assert.That(tally.Add(3).Get(), Is.EqualTo(3));
        _large = Ray.Put(new byte[1 << 20]);
        DashboardTasks.Remote.Print(Printed).Get();
    }

    [OneTimeTearDown]
    public void Stop() => _ray.Dispose();

    private static JsonElement[] Rows(JsonElement array) => array.EnumerateArray().ToArray();

    [Test]
    public void The_dashboard_listens_on_loopback_at_the_port_it_took()
    {
        Assert.That(_ray.DashboardUrl, Does.Match(@"^http://127\.0\.0\.1:\d+/$"));
        Assert.That(_ray.MetricsUrl, Does.Match(@"^http://127\.0\.0\.1:\d+/metrics$"));
    }

    [Test]
    public void Tasks_lists_what_ran_with_Rays_field_and_state_names()
    {
        var rows = Rows(Http.Json(_api + "/tasks"));
        var add = rows.Where(r => r.GetProperty("name").GetString()!.EndsWith("DashboardTasks.Add", StringComparison.Ordinal)).ToArray();
        Assert.That(add, Has.Length.EqualTo(5));
        Assert.That(add.Select(r => r.GetProperty("state").GetString()), Is.All.EqualTo("FINISHED"));
        Assert.That(add.Select(r => r.GetProperty("type").GetString()), Is.All.EqualTo("NORMAL_TASK"));
        Assert.That(add.Select(r => r.GetProperty("worker_pid").GetInt32()), Is.All.GreaterThan(0));
        Assert.That(add.Select(r => r.GetProperty("task_id").GetString()), Is.Unique);
    }

    [Test]
    public void Tasks_filters_by_state_in_any_case_and_by_a_part_of_the_name()
    {
        var failed = Rows(Http.Json(_api + "/tasks?state=failed"));
        Assert.That(failed, Has.Length.EqualTo(1));
        Assert.That(failed[0].GetProperty("error_type").GetString(), Is.EqualTo("System.InvalidOperationException"));
        Assert.That(failed[0].GetProperty("error_message").GetString(), Does.Contain("on purpose"));
        var tallies = Rows(Http.Json(_api + "/tasks?name=tally"));
        Assert.That(tallies.Select(r => r.GetProperty("type").GetString()), Is.EquivalentTo(new[] { "ACTOR_CREATION_TASK", "ACTOR_TASK" }));
    }

    [Test]
    public void Tasks_within_a_limit_are_the_newest()
    {
        var all = Rows(Http.Json(_api + "/tasks?name=DashboardTasks.Add"));
        var newest = Rows(Http.Json(_api + "/tasks?name=DashboardTasks.Add&limit=2"));
        Assert.That(newest.Select(r => r.GetProperty("task_id").GetString()),
            Is.EqualTo(all.Skip(all.Length - 2).Select(r => r.GetProperty("task_id").GetString())));
    }

    [Test]
    public void A_limit_that_is_not_a_positive_number_is_a_bad_request_that_says_so()
    {
        using var response = Http.Send(_api + "/tasks?limit=-3");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.ReadAsStringAsync().Result, Does.Contain("limit must be a positive whole number"));
    }

    [Test]
    public void Actors_lists_the_actor_alive_with_its_class_and_pid()
    {
        var actor = Rows(Http.Json(_api + "/actors")).Single();
        Assert.That(actor.GetProperty("class_name").GetString(), Is.EqualTo(typeof(Tally).FullName));
        Assert.That(actor.GetProperty("state").GetString(), Is.EqualTo("ALIVE"));
        Assert.That(actor.GetProperty("pid").GetInt32(), Is.GreaterThan(0));
    }

    [Test]
    public void Objects_lists_a_large_value_in_shared_memory_with_its_size()
    {
        GC.KeepAlive(_large);
        var rows = Rows(Http.Json(_api + "/objects"));
        Assert.That(rows.Any(r => r.GetProperty("location").GetString() == "SHARED_MEMORY" && r.GetProperty("size_bytes").GetInt64() >= 1 << 20), Is.True,
            string.Join("\n", rows));
    }

    [Test]
    public void Nodes_lists_the_one_head_node_with_its_CPUs()
    {
        var node = Rows(Http.Json(_api + "/nodes")).Single();
        Assert.That(node.GetProperty("is_head").GetBoolean(), Is.True);
        Assert.That(node.GetProperty("is_alive").GetBoolean(), Is.True);
        Assert.That(node.GetProperty("resources").GetProperty("CPU").GetDouble(), Is.EqualTo(2));
    }

    [Test]
    public void Workers_lists_the_driver_and_the_worker_processes()
    {
        var rows = Rows(Http.Json(_api + "/workers"));
        Assert.That(rows.Count(r => r.GetProperty("worker_type").GetString() == "DRIVER"), Is.EqualTo(1));
        Assert.That(rows.Count(r => r.GetProperty("worker_type").GetString() == "WORKER"), Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public void The_task_summary_counts_each_function_by_state()
    {
        var add = Rows(Http.Json(_api + "/summary/tasks")).Single(r => r.GetProperty("name").GetString()!.EndsWith("DashboardTasks.Add", StringComparison.Ordinal));
        Assert.That(add.GetProperty("total").GetInt32(), Is.EqualTo(5));
        Assert.That(add.GetProperty("state_counts").GetProperty("FINISHED").GetInt32(), Is.EqualTo(5));
    }

    [Test]
    public void The_timeline_is_the_Chrome_trace_that_Ray_Timeline_writes()
    {
        var events = Rows(Http.Json(_api + "/timeline"));
        var spans = events.Where(e => e.GetProperty("ph").GetString() == "X").ToArray();
        Assert.That(spans.Count(e => e.GetProperty("name").GetString()!.EndsWith("DashboardTasks.Add", StringComparison.Ordinal)), Is.EqualTo(5));
        Assert.That(spans.Select(e => e.GetProperty("pid").GetInt32()), Is.All.GreaterThan(0));
        Assert.That(events.Any(e => e.GetProperty("ph").GetString() == "M"), Is.True, "process_name metadata");
    }

    [Test]
    public void Logs_keep_what_a_worker_printed_under_its_pid()
    {
        var pid = Rows(Http.Json(_api + "/tasks?name=Print")).Single().GetProperty("worker_pid").GetInt32();
        var log = Http.Until($"{_api}/logs?pid={pid}", json => json.GetProperty("lines").EnumerateArray().Any(l => l.GetString() == Printed));
        Assert.That(log.GetProperty("pid").GetInt32(), Is.EqualTo(pid));
        Assert.That(Rows(Http.Json(_api + "/logs")).Select(w => w.GetProperty("pid").GetInt32()), Does.Contain(pid));
    }

    [Test]
    public void The_overview_carries_the_nodes_the_CPUs_the_store_and_tasks_by_state()
    {
        var overview = Http.Json(_api + "/overview");
        Assert.That(overview.GetProperty("nodes").GetArrayLength(), Is.EqualTo(1));
        Assert.That(overview.GetProperty("cpus_total").GetDouble(), Is.EqualTo(2));
        Assert.That(overview.GetProperty("object_store").GetProperty("capacity").GetInt64(), Is.GreaterThan(0));
        Assert.That(overview.GetProperty("tasks_by_state").GetProperty("FAILED").GetInt64(), Is.EqualTo(1));
        Assert.That(overview.GetProperty("tasks_by_state").GetProperty("FINISHED").GetInt64(), Is.GreaterThanOrEqualTo(7));
    }

    [Test]
    public void The_event_stream_sends_the_overview_as_server_sent_events()
    {
        using var client = new HttpClient { Timeout = Files.NoHang };
        using var response = client.GetAsync(_api + "/events", HttpCompletionOption.ResponseHeadersRead).Result;
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        using var reader = new StreamReader(response.Content.ReadAsStream());
        var line = reader.ReadLine()!;
        Assert.That(line, Does.StartWith("data: "));
        var overview = JsonDocument.Parse(line["data: ".Length..]).RootElement;
        Assert.That(overview.GetProperty("nodes").GetArrayLength(), Is.EqualTo(1));
    }

    [Test]
    public void The_page_and_its_script_are_served_from_the_root()
    {
        Assert.That(Http.Text(_ray.DashboardUrl!), Does.Contain("<title>RayGen dashboard</title>"));
        Assert.That(Http.Text(_ray.DashboardUrl + "dashboard.js"), Does.Contain("EventSource"));
    }

    [Test]
    public void An_unknown_endpoint_is_not_found_and_the_answer_names_the_API()
    {
        using var response = Http.Send(_api + "/nothing");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(response.Content.ReadAsStringAsync().Result, Does.Contain("/api/tasks"));
    }

    [Test]
    public void Metrics_serves_ray_tasks_by_state_as_Prometheus_text()
    {
        using var response = Http.Send(_ray.MetricsUrl!);
        var text = response.Content.ReadAsStringAsync().Result;
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
        Assert.That(text, Does.Contain("# TYPE ray_tasks gauge\n"));
        var finished = text.Split('\n').Single(l => l.StartsWith("ray_tasks{State=\"FINISHED\"} ", StringComparison.Ordinal));
        Assert.That(long.Parse(finished.Split(' ')[1]), Is.GreaterThanOrEqualTo(7));
        Assert.That(text, Does.Contain("ray_tasks{State=\"FAILED\"} 1\n"));
        Assert.That(text, Does.Contain("ray_actors{State=\"ALIVE\"} 1\n"));
        Assert.That(text, Does.Contain("ray_object_store_capacity "));
    }

    [Test]
    public void Metrics_serves_the_latency_histograms_with_buckets_a_sum_and_a_count()
    {
        DashboardTasks.Remote.Echo(1).Get(); // recorded while the endpoint listens
        var text = Http.Text(_ray.MetricsUrl!);
        Assert.That(text, Does.Contain("# TYPE ray_task_submit_latency histogram\n"));
        Assert.That(text, Does.Contain("ray_task_submit_latency_bucket{le=\"+Inf\"} "));
        var count = text.Split('\n').Single(l => l.StartsWith("ray_get_latency_count ", StringComparison.Ordinal));
        Assert.That(long.Parse(count.Split(' ')[1]), Is.GreaterThanOrEqualTo(1));
    }
}
