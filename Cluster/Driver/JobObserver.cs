using System.Threading.Tasks;
using RayGen.Cluster.Nodes;

namespace RayGen.Cluster.Driver;

/// <summary>The driver's observer: what nodes push for this driver's job goes to its backend.</summary>
internal sealed class JobObserver(ClusterBackend backend) : IJobObserver
{
    public Task Results(string nodeId, byte[] frames)
    {
        backend.OnResults(nodeId, frames);
        return Task.CompletedTask;
    }

    public Task Forward(string nodeId, byte[] frames)
    {
        backend.OnForward(nodeId, frames);
        return Task.CompletedTask;
    }

    public Task Output(string nodeId, string[] lines)
    {
        backend.OnOutput(lines);
        return Task.CompletedTask;
    }

    public Task Ended(string nodeId, string? error)
    {
        backend.OnJobEnded(nodeId, error);
        return Task.CompletedTask;
    }
}
