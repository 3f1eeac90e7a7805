using System;
using System.Collections.Generic;

namespace RayGen.Cluster.Nodes;

/// <summary>
/// When each job last heard from its driver, and which have gone quiet for longer than the lease: the node's
/// only way to learn that a driver died without a word (SIGKILL, a lost machine). Times are Environment.TickCount64.
/// </summary>
internal sealed class JobLeases(TimeSpan lease)
{
    private readonly Dictionary<string, long> _lastHeard = new(StringComparer.Ordinal);
    private readonly long _leaseMs = (long)lease.TotalMilliseconds;

    public void Renew(string jobId, long now)
    {
        lock (_lastHeard) _lastHeard[jobId] = now;
    }

    public void Forget(string jobId)
    {
        lock (_lastHeard) _lastHeard.Remove(jobId);
    }

    /// <summary>The jobs whose lease ran out by <paramref name="now"/>; each is forgotten as it is reported, so it is reported once.</summary>
    public List<string> Expired(long now)
    {
        var expired = new List<string>();
        lock (_lastHeard)
        {
            foreach (var (jobId, heard) in _lastHeard)
            {
                if (now - heard > _leaseMs) expired.Add(jobId);
            }

            foreach (var jobId in expired) _lastHeard.Remove(jobId);
        }

        return expired;
    }
}
