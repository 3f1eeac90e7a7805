using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Orleans;

namespace RayGen.Cluster.Nodes;

[HeadPlacement]
[KeepAlive]
internal sealed class NameDirectoryGrain(NameTable table) : Grain, INameDirectory
{
    public Task<string?> Claim(NamedActor actor) => Task.FromResult(table.Claim(actor));

    public Task Publish(NamedActor actor)
    {
        table.Publish(actor);
        return Task.CompletedTask;
    }

    public Task<NamedActor?> Lookup(string ns, string name) => Task.FromResult(table.Lookup(ns, name));

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
internal sealed class NameTable
{
    private readonly Dictionary<(string Namespace, string Name), NamedActor> _names = new();

    public string? Claim(NamedActor actor)
    {
        lock (_names)
        {
            if (_names.TryGetValue((actor.Namespace, actor.Name), out var holder))
                return $"An actor named \"{actor.Name}\" already exists in namespace \"{actor.Namespace}\"{(holder.JobId == actor.JobId ? "" : " (another driver made it)")}; names are unique while the actor lives.";
            _names.Add((actor.Namespace, actor.Name), actor);
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

    public NamedActor? Lookup(string ns, string name)
    {
        lock (_names) return _names.GetValueOrDefault((ns, name));
    }

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
        }
    }
}
