using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using NUnit.Framework;

namespace RayGen.Cluster.Tests;

// Work on the cluster: the driver (this process) ships its folder to the nodes, whose job hosts run the tasks and actors.
public partial class ThreeNodeClusterTests
{
    private RayRuntime Connect() => Ray.Init(new RayOptions { Address = _address, Token = _token });

    private static Dictionary<string, NodeInfo> NodesByResources()
    {
        var nodes = Ray.Nodes();
        return new Dictionary<string, NodeInfo>
        {
            ["head"] = nodes.Single(n => n.IsHead),
            ["b"] = nodes.Single(n => n.Resources.ContainsKey("b")),
            ["gpu"] = nodes.Single(n => n.Resources.ContainsKey("GPU")),
        };
    }

    [Test]
    public void A_task_runs_in_a_process_of_a_node_and_its_result_reaches_the_driver()
    {
        using var ray = Connect();
        Assert.That(ClusterWork.Remote.Add(2, 3).Get(), Is.EqualTo(5));
        var (node, pid) = Split(ClusterWork.Remote.WhereAmI().Get());
        Assert.That(node, Is.AnyOf(Ray.Nodes().Select(n => n.Address).ToArray()));
        Assert.That(pid, Is.Not.EqualTo(Environment.ProcessId));
        Assert.That(Directory.Exists($"/proc/{pid}") ? File.ReadAllText($"/proc/{pid}/cmdline") : "", Does.Contain("RayGen.Worker.dll"),
            "the task ran in a worker process of the node's job host");
    }

    [Test]
    public void A_ref_made_on_one_node_is_an_argument_of_a_task_on_another()
    {
        using var ray = Connect();
        var nodes = NodesByResources();
        var onB = new RemoteOptions { Resources = new Dictionary<string, double> { ["b"] = 1 } };
        var onGpu = new RemoteOptions { NumGpus = 1 };
        var made = ClusterWork.Remote.With(onB).Pattern(3 * 1024 * 1024);
        var sum = ClusterWork.Remote.With(onGpu).Sum(made);
        long expected = 0;
        for (var i = 0; i < 3 * 1024 * 1024; i++) expected += (byte)(i * 31 + 7);
        Assert.That(sum.Get(), Is.EqualTo(expected));
        Assert.That(ClusterWork.Remote.With(onB).WhereAmI().Get(), Does.StartWith(nodes["b"].Address + "|"));
    }

    [Test]
    public void A_256_MiB_value_made_on_one_node_is_consumed_on_another_and_read_by_the_driver_intact()
    {
        using var ray = Connect();
        const int length = 256 * 1024 * 1024;
        var onB = new RemoteOptions { Resources = new Dictionary<string, double> { ["b"] = 1 } };
        var onGpu = new RemoteOptions { NumGpus = 1 };
        var backend = RayGen.Cluster.Driver.ClusterBackend.Last!;
        var pulledBefore = backend.PulledBytes;
        var made = ClusterWork.Remote.With(onB).Pattern(length);
        Ray.Wait([made], numReturns: 1, timeout: TimeSpan.FromSeconds(120));
        var pushedBefore = backend.PushedBytes;
        var sum = ClusterWork.Remote.With(onGpu).Sum(made);
        long expected = 0;
        for (var i = 0; i < length; i++) expected += (byte)(i * 31 + 7);
        Assert.That(sum.Get(), Is.EqualTo(expected), "the consumer on the other node read every byte");
        Assert.That(backend.PushedBytes - pushedBefore, Is.Zero,
            "the consumer's node pulled the value from the node that made it: the driver pushed nothing");
        Assert.That(backend.PulledBytes - pulledBefore, Is.Zero, "nor did the value come to the driver, which had not asked for it");
        var bytes = made.Get();
        Assert.That(backend.PulledBytes - pulledBefore, Is.EqualTo(length + 4), "the driver's Get brought it (MemoryPack's length and the bytes), once");
        for (var i = 0; i < length; i += 65_521) Assert.That(bytes[i], Is.EqualTo((byte)(i * 31 + 7)), $"byte {i}");
    }

    [Test]
    public void A_large_value_is_used_in_place_by_a_task_on_the_node_that_made_it_and_that_node_is_preferred()
    {
        using var ray = Connect();
        const int length = 32 * 1024 * 1024;
        var onB = new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(NodesByResources()["b"].NodeId, soft: false) };
        var made = ClusterWork.Remote.With(onB).Pattern(length);
        Ray.Wait([made], numReturns: 1, timeout: TimeSpan.FromSeconds(120));
        var pushedBefore = RayGen.Cluster.Driver.ClusterBackend.Last!.PushedBytes;

        // Default placement with nothing else running: argument locality sends it to the node that holds its argument.
        var where = ClusterWork.Remote.SumWhere(made).Get(TimeSpan.FromSeconds(60)).Split('|');

        long expected = 0;
        for (var i = 0; i < length; i++) expected += (byte)(i * 31 + 7);
        Assert.That(long.Parse(where[1], System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(expected));
        Assert.That(where[0], Is.EqualTo(NodesByResources()["b"].Address), "it ran where its argument was");
        Assert.That(RayGen.Cluster.Driver.ClusterBackend.Last!.PushedBytes - pushedBefore, Is.Zero, "and nothing was pushed: the value was used in place");
    }

    [Test]
    public void An_argument_larger_than_one_engine_message_is_pushed_to_the_node_in_chunks_intact()
    {
        using var ray = Connect();
        var bytes = new byte[9 * 1024 * 1024 + 17];
        new Random(5).NextBytes(bytes);
        long expected = 0;
        foreach (var b in bytes) expected += b;
        Assert.That(ClusterWork.Remote.Sum(bytes).Get(), Is.EqualTo(expected), "passed by value");
        Assert.That(ClusterWork.Remote.Sum(Ray.Put(bytes)).Get(), Is.EqualTo(expected), "passed as a ref the driver put");
    }

    [Test]
    public void A_result_larger_than_one_engine_message_is_pulled_in_chunks_intact()
    {
        using var ray = Connect();
        const int length = 24 * 1024 * 1024;
        var bytes = ClusterWork.Remote.Pattern(length).Get();
        Assert.That(bytes, Has.Length.EqualTo(length));
        for (var i = 0; i < length; i += 4093) Assert.That(bytes[i], Is.EqualTo((byte)(i * 31 + 7)), $"byte {i}");
    }

    [Test]
    public void Refs_put_by_a_task_on_a_node_and_returned_in_its_result_are_read_by_the_driver_and_used_by_other_tasks()
    {
        using var ray = Connect();
        var gpu = NodesByResources()["gpu"].NodeId;
        var refs = ClusterWork.Remote.With(new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(gpu, soft: false) })
            .PutHere(1000, 6 << 20).Get();

        var small = refs[0].Get();
        var large = refs[1].Get();
        long expected = 0;
        for (var i = 0; i < large.Length; i++) expected += (byte)(i * 31 + 7);
        Assert.Multiple(() =>
        {
            Assert.That(small, Has.Length.EqualTo(1000));
            Assert.That(small[999], Is.EqualTo(unchecked((byte)((999 * 31) + 7))));
            Assert.That(large, Has.Length.EqualTo(6 << 20), "a value past the inline limit, pulled from the node in chunks");
            Assert.That(large.Sum(b => (long)b), Is.EqualTo(expected));
            // A ref the driver took over is an argument like its own: a task on another node reads it.
            Assert.That(ClusterWork.Remote.Sum(refs[1]).Get(), Is.EqualTo(expected));
        });
    }

    [Test]
    public void Results_past_a_nodes_kept_share_come_to_the_driver_before_the_node_drops_them()
    {
        using var ray = Connect();
        const int length = 64 * 1024 * 1024;
        var nodes = NodesByResources();
        var backend = RayGen.Cluster.Driver.ClusterBackend.Last!;
        var onB = ClusterWork.Remote.With(new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(nodes["b"].NodeId, soft: false) });
        var pulledBefore = backend.PulledBytes;

        // Five 64 MiB results on one node pass the 256 MiB a node keeps for a driver: the oldest is its only copy, so
        // it comes to the driver before the node lets it go.
        var made = Enumerable.Range(0, 5).Select(_ => onB.Pattern(length)).ToList();
        Ray.Wait(made, numReturns: made.Count, timeout: TimeSpan.FromSeconds(180));
        Assert.That(() => backend.PulledBytes - pulledBefore, Is.GreaterThanOrEqualTo((long)length).After(60_000, 100),
            "the oldest result was pulled to the driver when the node's share ran over");

        // It is whole wherever it is used now: on another node (pushed from the driver's copy) and in the driver.
        long expected = 0;
        for (var i = 0; i < length; i++) expected += (byte)(i * 31 + 7);
        var onGpu = ClusterWork.Remote.With(new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(nodes["gpu"].NodeId, soft: false) });
        Assert.That(onGpu.Sum(made[0]).Get(TimeSpan.FromSeconds(120)), Is.EqualTo(expected));
        Assert.That(made[0].Get(), Has.Length.EqualTo(length));
    }

    [Test]
    public void A_large_value_whose_ref_reaches_a_task_on_another_node_inside_a_value_goes_node_to_node()
    {
        using var ray = Connect();
        const int length = 12 * 1024 * 1024;
        var nodes = NodesByResources();
        var backend = RayGen.Cluster.Driver.ClusterBackend.Last!;
        var made = ClusterWork.Remote.With(new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(nodes["b"].NodeId, soft: false) }).Pattern(length);
        Ray.Wait([made], numReturns: 1, timeout: TimeSpan.FromSeconds(120));
        var pulledBefore = backend.PulledBytes;
        var pushedBefore = backend.PushedBytes;

        // Inside an array, the ref is no argument the driver resolves: the task's node asks the driver for it, and is
        // pointed to the node that holds it.
        var answer = ClusterWork.Remote.With(new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(nodes["gpu"].NodeId, soft: false) })
            .SumBytesOfRefs(new[] { made }).Get(TimeSpan.FromSeconds(120));

        long expected = 0;
        for (var i = 0; i < length; i++) expected += (byte)(i * 31 + 7);
        Assert.Multiple(() =>
        {
            Assert.That(answer, Is.EqualTo($"{nodes["gpu"].Address}|{expected}"), "read whole on the other node");
            Assert.That(backend.PulledBytes - pulledBefore, Is.Zero, "the driver did not pull it");
            Assert.That(backend.PushedBytes - pushedBefore, Is.Zero, "nor push it");
        });
    }

    [Test]
    public void A_task_on_a_node_sees_the_clusters_nodes_and_resources_as_the_driver_does()
    {
        using var ray = Connect();
        var onGpu = new RemoteOptions { NumGpus = 1 };
        Assert.That(ClusterWork.Remote.With(onGpu).ClusterSeenFromATask().Get(TimeSpan.FromSeconds(60)), Is.EqualTo("3|6|True"),
            "three alive nodes with 1 + 2 + 3 CPUs, read through the node from the head");
    }

    [Test]
    public void A_custom_resource_routes_every_task_to_the_only_node_that_has_it()
    {
        using var ray = Connect();
        var b = NodesByResources()["b"];
        var options = new RemoteOptions { Resources = new Dictionary<string, double> { ["b"] = 1 } };
        var refs = Enumerable.Range(0, 6).Select(_ => ClusterWork.Remote.With(options).WhereAmI()).ToList();
        Assert.That(Ray.Get(refs).Select(r => Split(r).Node).Distinct(), Is.EqualTo(new[] { b.Address }));
    }

    [Test]
    public void Hard_node_affinity_pins_tasks_to_that_node()
    {
        using var ray = Connect();
        var gpu = NodesByResources()["gpu"];
        var options = new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(gpu.NodeId, soft: false) };
        var refs = Enumerable.Range(0, 6).Select(_ => ClusterWork.Remote.With(options).WhereAmI()).ToList();
        Assert.That(Ray.Get(refs).Select(r => Split(r).Node).Distinct(), Is.EqualTo(new[] { gpu.Address }));
    }

    [Test]
    public void A_task_and_an_actor_on_a_node_see_that_nodes_id_the_drivers_job_and_the_actors_State_API_id()
    {
        using var ray = Connect();
        var gpu = NodesByResources()["gpu"];
        var job = Ray.RuntimeContext.JobId;
        var options = new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(gpu.NodeId, soft: false) };
        Assert.That(ClusterWork.Remote.With(options).Context().Get(), Is.EqualTo($"{gpu.NodeId}|{job}|"));
        // An actor elsewhere first, so that the driver's id of the next one differs from the id its node's job host gives it.
        var elsewhere = new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(NodesByResources()["b"].NodeId, soft: false) };
        NodeCounter.Remote.With(elsewhere).New(0).Increment().Get();
        var counter = NodeCounter.Remote.With(options).New(0);
        Assert.That(counter.Context().Get(), Is.EqualTo($"{gpu.NodeId}|{job}|{Ray.State.Actors().Last().ActorId}"));
    }

    [Test]
    public void Hard_node_affinity_to_a_node_that_does_not_exist_fails_the_task_naming_it()
    {
        using var ray = Connect();
        var options = new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity("0000000000000000", soft: false) };
        var error = Assert.Throws<RayException>(() => ClusterWork.Remote.With(options).WhereAmI().Get())!;
        Assert.That(error.Message, Does.Contain("0000000000000000"));
    }

    [Test]
    public void Spread_places_concurrent_tasks_on_every_node()
    {
        using var ray = Connect();
        var gate = Path.Combine(Path.GetTempPath(), $"raygen-gate-{Guid.NewGuid():N}");
        try
        {
            var options = new RemoteOptions { SchedulingStrategy = SchedulingStrategy.Spread };
            var refs = Enumerable.Range(0, 3).Select(_ => ClusterWork.Remote.With(options).HoldUntil(gate)).ToList();
            File.WriteAllText(gate, "");
            Assert.That(Ray.Get(refs).Distinct().Count(), Is.EqualTo(3), "one task on each of the three nodes");
        }
        finally
        {
            File.Delete(gate);
        }
    }

    [Test]
    public void A_task_that_throws_on_a_node_fails_its_ref_with_the_exception()
    {
        using var ray = Connect();
        var error = Assert.Throws<RayTaskException>(() => ClusterWork.Remote.With(new RemoteOptions { MaxRetries = 0 }).Fail("boom on a node").Get())!;
        Assert.That(error.Message, Does.Contain("boom on a node"));
        Assert.That(error.ErrorType, Is.EqualTo(typeof(InvalidOperationException).FullName));
    }

    [Test]
    public void An_actor_lives_on_one_node_and_keeps_its_state_across_calls()
    {
        using var ray = Connect();
        var gpu = NodesByResources()["gpu"];
        var counter = NodeCounter.Remote.With(new RemoteOptions { NumGpus = 1 }).New(10);
        var results = Enumerable.Range(0, 20).Select(_ => counter.Increment()).ToList();
        Assert.That(Ray.Get(results), Is.EqualTo(Enumerable.Range(11, 20).ToArray()), "calls ran in order on one instance");
        Assert.That(counter.Where().Get(), Is.EqualTo(gpu.Address));
    }

    [Test]
    public void An_actor_handle_passed_to_a_task_on_another_node_calls_the_same_actor_in_order()
    {
        using var ray = Connect();
        var nodes = NodesByResources();
        var onGpu = new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(nodes["gpu"].NodeId, soft: false) };
        var onB = new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(nodes["b"].NodeId, soft: false) };
        var counter = NodeCounter.Remote.With(onGpu).New(10);
        Assert.That(counter.Increment().Get(), Is.EqualTo(11));

        var answer = ClusterWork.Remote.With(onB).CallCounter(counter, 5).Get(TimeSpan.FromSeconds(60));

        Assert.That(answer, Is.EqualTo($"{nodes["b"].Address}|16"), "the task ran on the other node and its five calls reached the one instance, in order");
        Assert.That(counter.Increment().Get(), Is.EqualTo(17), "the driver's handle sees the calls made from the node");
        Assert.That(counter.Where().Get(), Is.EqualTo(nodes["gpu"].Address), "the actor stayed where it was");

        // Ray.Kill from code on a node ends the driver's actor, as the driver's own Ray.Kill would.
        Assert.That(ClusterWork.Remote.With(onB).KillCounter(counter).Get(TimeSpan.FromSeconds(60)), Is.EqualTo(nodes["b"].Address));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        Exception? ended = null;
        while (ended is null && DateTime.UtcNow < deadline)
        {
            try
            {
                counter.Increment().Get(TimeSpan.FromSeconds(30));
                Thread.Sleep(100);
            }
            catch (ActorDiedException e)
            {
                ended = e;
            }
        }

        Assert.That(ended, Is.Not.Null, "the actor died from the node's kill");
    }

    [Test]
    public void A_ref_passed_as_a_ref_to_a_task_on_a_node_is_read_there()
    {
        using var ray = Connect();
        var nodes = NodesByResources();
        var onB = new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(nodes["b"].NodeId, soft: false) };
        var onGpu = new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(nodes["gpu"].NodeId, soft: false) };
        var put = Ray.Put(41);
        var made = ClusterWork.Remote.With(onGpu).Add(40, 2);

        Assert.That(ClusterWork.Remote.With(onB).ReadRef(put).Get(TimeSpan.FromSeconds(60)), Is.EqualTo($"{nodes["b"].Address}|41"), "a put of the driver");
        Assert.That(ClusterWork.Remote.With(onB).ReadRef(made).Get(TimeSpan.FromSeconds(60)), Is.EqualTo($"{nodes["b"].Address}|42"), "a result made on another node");
        Assert.That(ClusterWork.Remote.With(onB).SumRefs(new[] { put, made, Ray.Put(1) }).Get(TimeSpan.FromSeconds(60)), Is.EqualTo(84), "refs inside a value");
    }

    [Test]
    public void A_nested_task_its_node_cannot_run_goes_to_a_node_that_can_and_one_that_fits_stays_on_its_node()
    {
        using var ray = Connect();
        var nodes = NodesByResources();
        var onB = new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(nodes["b"].NodeId, soft: false) };

        var answer = ClusterWork.Remote.With(onB).Nested(nodes["head"].NodeId).Get(TimeSpan.FromSeconds(60)).Split('|');

        Assert.That(answer[0], Is.EqualTo(nodes["b"].Address), "the parent ran on the node it was pinned to");
        Assert.That(answer[1], Is.EqualTo(nodes["b"].Address), "a nested task that fits there runs next to its caller");
        Assert.That(answer[2], Is.EqualTo(nodes["gpu"].Address), "one asking for a GPU went to the node that has one");
        Assert.That(answer[3], Is.EqualTo(nodes["head"].Address), "one pinned to another node went there");
    }

    [Test]
    public void Ray_Cancel_signals_the_token_of_a_task_running_on_a_node_and_force_kills_its_worker()
    {
        using var ray = Connect();
        var scratch = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"raygen-cancel-{Guid.NewGuid():N}")).FullName;
        try
        {
            var onB = new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(NodesByResources()["b"].NodeId, soft: false), MaxRetries = 0 };
            var polite = Path.Combine(scratch, "polite");
            var waiting = ClusterWork.Remote.With(onB).WaitForCancel(polite);
            WaitForFile(polite);
            Ray.Cancel(waiting);
            Assert.Throws<RayTaskCanceledException>(() => waiting.Get(TimeSpan.FromSeconds(60)));
            Assert.That(() => File.Exists(polite + ".seen"), Is.True.After(30_000, 100), "the task on the node saw its token cancelled");

            // A cancel right after the submit may reach the node before the run does: it is kept for the run.
            var early = ClusterWork.Remote.With(onB).WaitForCancel(Path.Combine(scratch, "early"));
            Ray.Cancel(early);
            Assert.Throws<RayTaskCanceledException>(() => early.Get(TimeSpan.FromSeconds(30)), "cancelled where it runs, not left to run its 60 s");

            var stubborn = Path.Combine(scratch, "stubborn");
            var holding = ClusterWork.Remote.With(onB).MarkPidThenHold(stubborn, Path.Combine(scratch, "never"));
            var pid = int.Parse(WaitForFile(stubborn), System.Globalization.CultureInfo.InvariantCulture);
            Ray.Cancel(holding, force: true);
            Assert.Throws<RayTaskCanceledException>(() => holding.Get(TimeSpan.FromSeconds(60)));
            Assert.That(() => Raygen.IsRunning(pid), Is.False.After(30_000, 100), "its worker on the node was killed");
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static string WaitForFile(string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!File.Exists(path) && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.That(File.Exists(path), Is.True, $"{Path.GetFileName(path)} was written");
        return File.ReadAllText(path);
    }

    [Test]
    public void Worker_output_reaches_the_driver_prefixed_with_pid_and_node()
    {
        var captured = new StringWriter();
        var original = Console.Out;
        Console.SetOut(TextWriter.Synchronized(captured));
        try
        {
            using var ray = Connect();
            var marker = $"hello from a node {Guid.NewGuid():N}";
            var node = ClusterWork.Remote.Say(marker).Get();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (!captured.ToString().Contains(marker, StringComparison.Ordinal) && DateTime.UtcNow < deadline) Thread.Sleep(50);
            var line = captured.ToString().Split('\n').FirstOrDefault(l => l.Contains(marker, StringComparison.Ordinal));
            Assert.That(line, Does.Match($@"^\(pid=\d+, node={System.Text.RegularExpressions.Regex.Escape(node)}\) {marker}"));
        }
        finally
        {
            Console.SetOut(original);
        }
    }

    [Test]
    public void A_task_no_node_can_ever_fit_waits_and_says_so()
    {
        var logs = new RayGen.Tests.InMemoryLoggerFactory();
        using var ray = Ray.Init(new RayOptions { Address = _address, Token = _token, LoggerFactory = logs });
        var big = ClusterWork.Remote.With(new RemoteOptions { NumCpus = 8 }).WhereAmI();
        var (ready, _) = Ray.Wait(new[] { big }, timeout: TimeSpan.FromSeconds(1));
        Assert.That(ready, Is.Empty);
        Assert.That(logs.Lines.Select(l => l.Message), Has.Some.Contains("WhereAmI waits").And.Some.Contains("CPU"));
    }

    private static (string Node, int Pid) Split(string where)
    {
        var parts = where.Split('|');
        return (parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}

public partial class ThreeNodeClusterTests
{
    [Test]
    public async System.Threading.Tasks.Task Malformed_submissions_to_a_node_are_refused_with_the_problem_named_and_the_cluster_goes_on()
    {
        await using var client = await RayGen.Cluster.Driver.ClusterClient.ConnectAsync(_address, _token, default);
        var node = (await client.NodesAsync()).First(n => !n.IsHead);
        var agent = client.Client.GetGrain<RayGen.Cluster.Nodes.INodeAgent>(node.SiloAddress);

        var garbage = new byte[] { 0xFF, 0xFE, 0x01, 0x02, 0x03 };
        var malformed = (await Assert.ThrowsAsync(Is.InstanceOf<Exception>(), () => agent.Submit("no-such-job", garbage, null, null)))!;
        Assert.That(malformed.Message, Does.Contain("Memory").Or.Contain("no host").Or.Contain("deserializ").IgnoreCase, malformed.ToString());
        var unknown = (await Assert.ThrowsAsync(Is.InstanceOf<Exception>(),
            () => agent.Submit("no-such-job", MemoryPack.MemoryPackSerializer.Serialize(Array.Empty<RayGen.Protocol.JobRunFrame>()), null, null)))!;
        Assert.That(unknown.Message, Does.Contain("Job no-such-job has no host on this node"));
        var outside = (await Assert.ThrowsAsync(Is.InstanceOf<Exception>(), () => agent.BeginCode("0".PadLeft(64, '0'), ["../escape"], [1], ["0".PadLeft(64, '0')])))!;
        Assert.That(outside.Message, Does.Contain("../escape"));

        using var ray = Connect();
        Assert.That(ClusterWork.Remote.Add(20, 22).Get(), Is.EqualTo(42), "the node still serves drivers");
    }
}
