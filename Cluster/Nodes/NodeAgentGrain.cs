using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Orleans;
using Orleans.Runtime;

namespace RayGen.Cluster.Nodes;

// Reentrant: a job host starting (seconds) must not hold up another driver's submissions; the job table locks itself.
[NodePlacement]
[KeepAlive]
[Orleans.Concurrency.Reentrant]
internal sealed class NodeAgentGrain(NodeIdentity identity, ILocalSiloDetails silo, JobTable jobs) : Grain, INodeAgent
{
    public Task<NodeReport> Report() => Task.FromResult(Describe(identity, silo.SiloAddress, jobs.Used()));

    public Task<bool> HasCode(string hash) => Task.FromResult(jobs.HasCode(hash));

    public Task<string> BeginCode(string hash, string[] paths, long[] sizes, string[] sha256) =>
        Task.FromResult(jobs.BeginCode(new Shipping.AppManifest(paths, sizes, sha256, hash)));

    public Task WriteCode(string uploadId, string path, long offset, byte[] bytes)
    {
        jobs.WriteCode(uploadId, path, offset, bytes);
        return Task.CompletedTask;
    }

    public Task SealCode(string uploadId)
    {
        jobs.SealCode(uploadId);
        return Task.CompletedTask;
    }

    public Task StartJob(JobStart job, IJobObserver observer) => jobs.StartJob(job, observer);

    public Task Submit(string jobId, byte[] runs, string[]? assemblies, string? replyTo) => jobs.Submit(jobId, runs, assemblies, replyTo);

    public Task Attach(string jobId, IJobObserver observer)
    {
        jobs.Attach(jobId, observer);
        return Task.CompletedTask;
    }

    public Task PutValue(string jobId, long key, long length, long offset, byte[] bytes) => jobs.PutValue(jobId, key, length, offset, bytes);

    public Task KeepAlive(string jobId)
    {
        jobs.KeepAlive(jobId);
        return Task.CompletedTask;
    }

    public Task<byte[]> Pull(string jobId, long key, long offset, int count) => jobs.Pull(jobId, key, offset, count);

    public Task Drop(string jobId, long key) => jobs.Drop(jobId, key);

    public Task ForwardResults(string jobId, byte[] frames) => jobs.ForwardResults(jobId, frames);

    public Task CancelRun(string jobId, long key, bool force) => jobs.CancelRun(jobId, key, force);

    public Task KillActor(string jobId, long actorKey) => jobs.KillActor(jobId, actorKey);

    public Task EndJob(string jobId) => jobs.EndJob(jobId);

    /// <summary>The node's report: totals from its flags, free figures those less what the drivers' job hosts here hold now.</summary>
    internal static NodeReport Describe(NodeIdentity identity, SiloAddress silo, IReadOnlyDictionary<string, double> used)
    {
        var total = new Dictionary<string, double>(identity.Resources, StringComparer.Ordinal);
        // Several drivers' job hosts each place by the node's totals, so together they may hold more: free is never below 0.
        var available = total.ToDictionary(kv => kv.Key, kv => Math.Max(0, kv.Value - used.GetValueOrDefault(kv.Key)), StringComparer.Ordinal);
        return new NodeReport(identity.Details.NodeId, identity.SiloEndpoint.ToString(), silo.ToParsableString(), identity.Details.IsHead, total,
            available, IsAlive: true);
    }
}

[HeadPlacement]
[KeepAlive]
internal sealed class NodeDirectoryGrain(IClusterMembershipService membership, NodeTable table) : Grain, INodeDirectory
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    public Task Alive() => Task.CompletedTask;

    public Task Register(NodeReport node)
    {
        table.Add(node);
        return Task.CompletedTask;
    }

    public async Task<NodeReport[]> Nodes()
    {
        var snapshot = membership.CurrentSnapshot;
        var reports = table.All().OrderBy(n => n.IsHead ? 0 : 1).ThenBy(n => n.Address, StringComparer.Ordinal).Select(async node =>
        {
            var silo = SiloAddress.FromParsableString(node.SiloAddress);
            var alive = snapshot.Members.TryGetValue(silo, out var member) && member.Status == SiloStatus.Active;
            if (!alive) return node with { IsAlive = false, Available = new Dictionary<string, double>() };
            try
            {
                return await GrainFactory.GetGrain<INodeAgent>(node.SiloAddress).Report().WaitAsync(AskTimeout);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Alive by membership but not answering (killed, not yet declared dead): its last known figures.
                return node;
            }
        });
        return await Task.WhenAll(reports);
    }
}

/// <summary>
/// The node table itself, a singleton of the head's process rather than the grain's own state: a grain's
/// directory entry may live on another node, and when that node dies Orleans can activate the grain afresh,
/// which must not forget the nodes.
/// </summary>
internal sealed class NodeTable
{
    private readonly Dictionary<string, NodeReport> _nodes = new(StringComparer.Ordinal);

    public void Add(NodeReport node)
    {
        lock (_nodes) _nodes[node.SiloAddress] = node;
    }

    public NodeReport[] All()
    {
        lock (_nodes) return _nodes.Values.ToArray();
    }
}
