using System;
using System.IO;
using System.Linq;
using NUnit.Framework;
using RayGen.Core;
using RayGen.InWorker;

namespace RayGen.Process.Tests;

/// <summary>
/// Task runs sent to a worker ahead of their turn (a lane): what happens to them when the run ahead blocks, or its
/// worker is killed. Every wait is for an event (a file, a result); the time limits only turn a hang into a failure.
/// </summary>
[TestFixture]
[NonParallelizable]
public class PipelineTests
{
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(90);

    private string _scratch = null!;

    [SetUp]
    public void SetUp()
    {
        _scratch = ProcessTestSupport.NewScratchFolder("raygen-lane-tests");
    }

    [TearDown]
    public void TearDown()
    {
        Ray.Shutdown();
        Environment.SetEnvironmentVariable(WorkerLane.LongRunVariable, null);
        ProcessTestSupport.KillLeftoverWorkers();
        ProcessTestSupport.DeleteScratchFolder(_scratch);
    }

    /// <summary>
    /// One CPU, held by a gate task while a parent and the tasks behind it queue; the gate opens, the parent starts
    /// with them queued behind it on its worker. The parent blocks in Get of a child that waits for a file only a
    /// task queued behind the parent writes: kept on the parent's worker that task would never start.
    /// </summary>
    [Test]
    public void Runs_queued_behind_a_run_that_blocks_in_Get_are_given_back_and_complete()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var backend = ProcessTestSupport.Backend(ray);
        var gate = Path.Combine(_scratch, "gate");
        var signal = Path.Combine(_scratch, "signal");
        var holder = LaneTasks.Remote.HoldsEverythingUntil(gate);
        var parent = LaneTasks.Remote.WaitsForTaskQueuedBehind(signal);
        var writer = LaneTasks.Remote.Writes(signal);
        var others = Enumerable.Range(0, 3).Select(_ => LaneTasks.Remote.Writes(Path.Combine(_scratch, "other"))).ToArray();

        File.WriteAllText(gate, "");

        Assert.That(parent.Get(NoHang), Is.EqualTo(7), "the parent's child saw the file the queued task wrote");
        Assert.That(writer.Get(NoHang), Is.GreaterThan(0));
        Assert.That(Ray.Get(others, NoHang), Has.All.GreaterThan(0));
        Assert.That(holder.Get(NoHang), Is.GreaterThan(0));
        Assert.That(backend.QueuedRunsSent, Is.GreaterThanOrEqualTo(4), "the tasks behind the parent were sent to its worker ahead of their turn");
        Assert.That(backend.RunsReturned, Is.GreaterThanOrEqualTo(4), "its worker gave them back when the parent blocked");
    }

    /// <summary>
    /// The same lane, its queued runs held there (the give-back of a long run is turned off for the test): killing the
    /// worker to stop the run ahead sends them elsewhere; they had not started, so no retry is spent.
    /// </summary>
    [Test]
    public void A_forced_cancel_of_the_run_ahead_reruns_the_runs_queued_behind_it_elsewhere_without_spending_retries()
    {
        Environment.SetEnvironmentVariable(WorkerLane.LongRunVariable, "600000");
        using var ray = Ray.Init(new RayOptions { NumCpus = 1 });
        var backend = ProcessTestSupport.Backend(ray);
        var gate = Path.Combine(_scratch, "gate");
        var stuckPids = Path.Combine(_scratch, "stuck.pids");
        var holder = LaneTasks.Remote.HoldsEverythingUntil(gate);
        var stuck = LaneTasks.Remote.RecordsPidThenWaitsFor(stuckPids, Path.Combine(_scratch, "never"));
        var pidFiles = Enumerable.Range(0, 3).Select(i => Path.Combine(_scratch, $"queued-{i}.pids")).ToArray();
        var queued = pidFiles.Select(f => LaneTasks.Remote.RecordsPid(f)).ToArray();
        var specs = queued.Select(r => (TaskSpec)r.Entry.Producer!).ToArray();

        File.WriteAllText(gate, "");
        var stuckPid = ProcessTestSupport.WaitForPids(stuckPids, 1, NoHang)[0];
        Assert.That(backend.QueuedRunsSent, Is.GreaterThanOrEqualTo(3), "the three tasks were queued behind the stuck one");
        Assert.That(pidFiles.Any(File.Exists), Is.False, "none of them started: they wait behind the stuck run");

        Ray.Cancel(stuck, force: true);

        Assert.Throws<RayTaskCanceledException>(() => stuck.Get(NoHang));
        var pids = Ray.Get(queued, NoHang);
        Assert.That(pids, Has.None.EqualTo(stuckPid), "they ran in another worker");
        foreach (var file in pidFiles) Assert.That(File.ReadAllLines(file), Has.Length.EqualTo(1), $"{Path.GetFileName(file)}: started once");
        Assert.That(specs.Select(s => s.Attempts), Has.All.EqualTo(0), "the rerun spent none of their retries");
        Assert.That(holder.Get(NoHang), Is.GreaterThan(0));
    }
}
