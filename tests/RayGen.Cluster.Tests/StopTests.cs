using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using NUnit.Framework;

namespace RayGen.Cluster.Tests;

/// <summary><c>raygen stop</c> on a cluster of its own (a head and one node), so no other test depends on its order.</summary>
[TestFixture]
[NonParallelizable]
[UnsupportedOSPlatform("windows")]
public class StopTests
{
    [Test]
    public void Stop_ends_every_node_process_and_leaves_no_state_file()
    {
        var state = Path.Combine(Path.GetTempPath(), $"raygen-stop-tests-{Guid.NewGuid():N}");
        try
        {
            var head = Raygen.Succeed(state, "start", "--head", "--port", ThreeNodeClusterTests.FreePort().ToString(CultureInfo.InvariantCulture),
                "--node-ip-address", "127.0.0.1", "--num-cpus", "1");
            Raygen.Succeed(state, "start", "--address", head.Line("address"), "--token", head.Line("token"), "--num-cpus", "1");
            var pids = Raygen.NodePids(state);
            Assert.That(pids, Has.Count.EqualTo(2));
            Assert.That(pids.All(Raygen.IsRunning), Is.True);

            var stop = Raygen.Succeed(state, "stop");
            Assert.That(stop.Output, Does.Contain("Stopped 2 RayGen nodes."));
            Assert.That(pids.Where(Raygen.IsRunning), Is.Empty);
            Assert.That(Directory.Exists(state), Is.False, () => string.Join("\n", Directory.GetFileSystemEntries(state, "*", SearchOption.AllDirectories)));

            var again = Raygen.Succeed(state, "stop");
            Assert.That(again.Output, Does.Contain("No RayGen node"));
        }
        finally
        {
            if (Directory.Exists(state))
            {
                TestContext.Progress.WriteLine(Raygen.Logs(state));
                Raygen.Run(state, "stop");
            }
        }
    }
}
