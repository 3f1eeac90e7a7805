using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Orleans;
using Orleans.Runtime;

namespace RayGen.Cluster.Nodes;

[HeadPlacement]
[KeepAlive]
internal sealed class NameDirectoryGrain(NameTable table, IClusterMembershipService membership) : Grain, INameDirectory
{
    public Task<string?> Claim(NamedActor actor) => Task.FromResult(table.Claim(actor, IsDead));

    public Task Publish(NamedActor actor)
    {
        table.Publish(actor);
        return Task.CompletedTask;
    }

    public Task<NamedActor?> Lookup(string ns, string name) => Task.FromResult(table.Lookup(ns, name, IsDead));

    // Dead by the membership's verdict only: a node not in this silo's view yet (it just joined) is not taken for dead.
    private bool IsDead(string silo) =>
        membership.CurrentSnapshot.Members.TryGetValue(SiloAddress.FromParsableString(silo), out var member) && member.Status == SiloStatus.Dead;

    public Task Release(string ns, string name, string jobId)
    {
        table.Release(ns, name, jobId);
        return Task.CompletedTask;
    }

    public Task ReleaseJob(string jobId)
    {
        table.ReleaseJob(jobId);
        return Task.CompletedTask;
    }
}

/// <summary>The names themselves: a singleton of the head's process, like the node table, so a grain re-activation forgets nothing.</summary>
/// <remarks>
/// A name goes when its driver releases it, or its job ends (ReleaseJob, which keeps detached actors' names). A
/// detached actor whose driver ended has nobody left to restart it, so once its node is dead its name is free too.
/// </remarks>
internal sealed class NameTable
{
    private readonly Dictionary<(string Namespace, string Name), NamedActor> _names = new();
    // Jobs whose driver ended (or whose lease ran out): their detached actors are nobody's to restart.
    private readonly HashSet<string> _endedJobs = new(StringComparer.Ordinal);

    public string? Claim(NamedActor actor, Func<string, bool> isDead)
    {
        lock (_names)
        {
            if (_names.TryGetValue((actor.Namespace, actor.Name), out var holder) && !GoneLocked(holder, isDead))
                return $"An actor named \"{actor.Name}\" already exists in namespace \"{actor.Namespace}\"{(holder.JobId == actor.JobId ? "" : " (another driver made it)")}; names are unique while the actor lives.";
            _names[(actor.Namespace, actor.Name)] = actor;
            return null;
        }
    }

    public void Publish(NamedActor actor)
    {
        lock (_names)
        {
            // Only the claim's own actor: a name freed and claimed again meanwhile belongs to the new one.
            if (_names.TryGetValue((actor.Namespace, actor.Name), out var holder) && holder.JobId == actor.JobId) _names[(actor.Namespace, actor.Name)] = actor;
        }
    }

    public NamedActor? Lookup(string ns, string name, Func<string, bool> isDead)
    {
        lock (_names)
        {
            if (!_names.TryGetValue((ns, name), out var entry)) return null;
            if (!GoneLocked(entry, isDead)) return entry;
            _names.Remove((ns, name));
            return null;
        }
    }

    private bool GoneLocked(NamedActor entry, Func<string, bool> isDead) =>
        entry.SiloAddress is { } silo && _endedJobs.Contains(entry.JobId) && isDead(silo);

    public void Release(string ns, string name, string jobId)
    {
        lock (_names)
        {
            if (_names.TryGetValue((ns, name), out var holder) && holder.JobId == jobId) _names.Remove((ns, name));
        }
    }

    public void ReleaseJob(string jobId)
    {
        lock (_names)
        {
            foreach (var key in _names.Where(kv => kv.Value.JobId == jobId && !kv.Value.Detached).Select(kv => kv.Key).ToList()) _names.Remove(key);
            // Remembered only while a detached actor of the job still holds a name (the set must not grow with every driver).
            if (_names.Values.Any(n => n.JobId == jobId)) _endedJobs.Add(jobId);
            _endedJobs.RemoveWhere(job => !_names.Values.Any(n => n.JobId == job));
        }
    }
}
