using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Data.Execution;

namespace RayGen.Data.Tests;

/// <summary>
/// A reproduction for the runtime's owners, not a test of RayGen.Data (explicit: it hangs, in one run of two or
/// three on a 2-core machine). With the runtime's task pipelining on (tasks that may be retried), the 4x-store
/// pipeline (a class transform on actors, then a task stage writing 1 MiB blocks, a 32 MiB store near full) ends
/// with every CPU held (Ray.AvailableResources()["CPU"] == 0), no task running, the next tasks PendingNodeAssignment
/// and every worker idle. RayGen.Data submits its tasks with MaxRetries = 0, which the runtime never pipelines, and
/// has not hung since.
/// </summary>
[TestFixture, Explicit("reproduces a runtime hang: run it by name")]
public sealed class RuntimeReproTests() : DataFixture(RayMode.Processes)
{
    [Test]
    public void Pipelined_tasks_after_an_actor_stage_over_large_blocks_leave_every_CPU_held()
    {
        DataContext.Current.ShowProgress = false;
        DataTasks.StageOptions = new RemoteOptions { MaxRetries = 3 };
        try
        {
            for (var attempt = 0; attempt < 5; attempt++)
            {
                var blobs = RayData.Range(2048, blocks: 128)
                    .MapBatches(static (int[] ids) => ids.Select(id => new Blob { Id = id, Payload = new byte[64 * 1024] }).ToArray(), batchSize: 16)
                    .MapBatches<Reverser, Blob, Blob>(concurrency: 2, batchSize: 16);
                var run = Task.Run(() => blobs.WriteJson(Path.Combine(Scratch, $"out{attempt}")));
                var finished = run.Wait(TimeSpan.FromSeconds(30));
                var free = Ray.AvailableResources().TryGetValue("CPU", out var cpus) ? cpus : 0;
                var pending = Ray.State.Tasks().Count(t => t.State == RayTaskStatus.PendingNodeAssignment);
                Assert.That(finished, Is.True, $"attempt {attempt} hung: {free} CPUs free, {pending} tasks PendingNodeAssignment");
            }
        }
        finally
        {
            DataTasks.StageOptions = null;
        }
    }
}
