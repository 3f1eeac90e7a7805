using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using NUnit.Framework;
using RayGen.Cli.Commands;

namespace RayGen.Dashboard.Tests;

/// <summary><c>raygen list</c> and <c>raygen summary</c> against a running driver's dashboard, and against nothing.</summary>
[NonParallelizable]
public class CliTests
{
    private RayRuntime _ray = null!;
    private string _address = "";

    [OneTimeSetUp]
    public void RunSomeWork()
    {
        _ray = Ray.Init(new RayOptions { Mode = RayMode.InProcess, NumCpus = 2, DashboardPort = 0 });
        _address = _ray.DashboardUrl!;
        Ray.Get(Enumerable.Range(0, 3).Select(i => DashboardTasks.Remote.Add(i, i)).ToList());
        Assert.Throws<RayTaskException>(() => DashboardTasks.Remote.Fail("listed").Get());
        Tally.Remote.New().Add(1).Get();
    }

    [OneTimeTearDown]
    public void Stop() => _ray.Dispose();

    private static (int Status, string Output, string Error) Run(Func<string[], TextWriter, TextWriter, int> command, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var status = command(args, output, error);
        return (status, output.ToString(), error.ToString());
    }

    private static int List(string[] args, TextWriter o, TextWriter e) => ListCommand.Run(args, o, e);

    private static int Summary(string[] args, TextWriter o, TextWriter e) => SummaryCommand.Run(args, o, e);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Test]
    public void List_tasks_prints_a_table_with_a_row_per_task()
    {
        var (status, output, error) = Run(List, "tasks", "--address", _address);
        Assert.That(status, Is.Zero, error);
        var lines = Lines(output);
        Assert.That(lines[0], Is.EqualTo("Total: 6")); // three adds, a failure, an actor's creation and its call
        Assert.That(lines[1], Does.StartWith("TASK_ID").And.Contain("NAME").And.Contain("STATE").And.Contain("ERROR_TYPE"));
        Assert.That(lines.Count(l => l.Contains("DashboardTasks.Add") && l.Contains("FINISHED")), Is.EqualTo(3));
        Assert.That(lines.Single(l => l.Contains("DashboardTasks.Fail")), Does.Contain("FAILED").And.Contain("System.InvalidOperationException"));
    }

    [Test]
    public void List_tasks_filters_by_state_and_name_and_limits_the_rows()
    {
        Assert.That(Lines(Run(List, "tasks", "--state", "FAILED", "--address", _address).Output)[0], Is.EqualTo("Total: 1"));
        Assert.That(Lines(Run(List, "tasks", "--name", "DashboardTasks.Add", "--limit", "2", "--address", _address).Output)[0], Is.EqualTo("Total: 2"));
    }

    [Test]
    public void List_actors_objects_and_nodes_print_their_tables()
    {
        Assert.That(Run(List, "actors", "--address", _address).Output, Does.Contain("ACTOR_ID").And.Contain(typeof(Tally).FullName!).And.Contain("ALIVE"));
        Assert.That(Run(List, "objects", "--address", _address).Output, Does.Contain("OBJECT_ID").And.Contain("LOCATION"));
        var nodes = Lines(Run(List, "nodes", "--address", _address).Output);
        Assert.That(nodes[0], Is.EqualTo("Total: 1"));
        Assert.That(nodes[2], Does.Contain("127.0.0.1").And.Contain("true").And.Contain("CPU: 2"));
    }

    [Test]
    public void Summary_tasks_counts_each_function_by_state()
    {
        var (status, output, error) = Run(Summary, "tasks", "--address", _address);
        Assert.That(status, Is.Zero, error);
        Assert.That(Lines(output).Single(l => l.StartsWith("RayGen.Dashboard.Tests.DashboardTasks.Add", StringComparison.Ordinal) || l.Contains("DashboardTasks.Add")),
            Does.Contain("NORMAL_TASK").And.Contain("FINISHED: 3"));
    }

    [Test]
    public void Where_nothing_listens_list_says_so_and_how_to_start_a_dashboard_and_fails()
    {
        var free = new TcpListener(IPAddress.Loopback, 0);
        free.Start();
        var port = ((IPEndPoint)free.LocalEndpoint).Port;
        free.Stop(); // a port nothing listens on now
        var (status, output, error) = Run(List, "tasks", "--address", $"127.0.0.1:{port}");
        Assert.That(status, Is.EqualTo(1));
        Assert.That(output, Is.Empty);
        Assert.That(error, Does.Contain($"no RayGen dashboard answers at http://127.0.0.1:{port}").And.Contain("RayOptions.DashboardPort"));
    }

    [Test]
    public void An_unknown_list_is_a_usage_error()
    {
        var (status, _, error) = Run(List, "bananas", "--address", _address);
        Assert.That(status, Is.EqualTo(2));
        Assert.That(error, Does.Contain("tasks, actors, objects, nodes"));
    }
}
