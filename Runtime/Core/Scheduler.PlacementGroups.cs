using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace RayGen.Core;

/// <summary>The placement group and bundle whose resources a task uses (BundleIndex -1: any bundle of the group).</summary>
internal sealed record BundleTarget(long GroupId, int BundleIndex);

/// <summary>
/// A placement group as the scheduler holds it: what each bundle asks for and, once reserved, a pool per bundle that
/// only the group's tasks and actors draw from.
/// </summary>
internal sealed class GroupReservation
{
    public GroupReservation(long id, ResourceRequest[] bundles, PlacementStrategy strategy)
    {
        Id = id;
        Bundles = bundles;
        Strategy = strategy;
        BundlePools = bundles.Select(b => new ResourcePool(b.Cpus, b.Gpus, new Dictionary<string, double>(b.Custom))).ToArray();
    }

    public long Id { get; }
    public ResourceRequest[] Bundles { get; }
    public PlacementStrategy Strategy { get; }

    /// <summary>One pool per bundle, full at first; what runs in the group takes from these, not from the node's pool.</summary>
    public ResourcePool[] BundlePools { get; }

    /// <summary>The node each bundle's resources were taken from; null while pending.</summary>
    public ResourcePool[]? Hosts { get; set; }

    /// <summary>False when the group can never fit: it stays pending without being tried again.</summary>
    public bool Feasible { get; set; } = true;

    public bool Removed { get; set; }

    public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override string ToString() =>
        $"placement group {Id:x16} ({Strategy}: {string.Join(", ", Bundles.Select(b => b.ToString()))})";
}

// Placement groups, kept apart from the task queues: a group is reserved whole from the node pools (BundlePlacement
// decides where), tasks aimed at it draw from its bundle pools, and removing it gives the bundles back.
internal sealed partial class Scheduler
{
    // Every group made, removed ones too, so that a task aimed at a removed group finds out.
    private readonly Dictionary<long, GroupReservation> _groups = new();
    private readonly List<GroupReservation> _pendingGroups = new();
    private volatile int _feasiblePendingGroups;
    private ResourcePool[]? _nodes;

    /// <summary>A task aimed at a removed (or unknown) group left its queue; the owner fails it. Called under the lock: hand it off only.</summary>
    public Action<TaskSpec, BundleTarget>? GroupTaskRejected { get; set; }

    // One machine is one node; a cluster would list a pool per node here.
    private ResourcePool[] Nodes => _nodes ??= new[] { _pool };

    private bool HasPendingGroups => _feasiblePendingGroups != 0;

    private ResourcePool PoolOf(TaskSpec task) => task.Slot?.Pool ?? _pool;

    private static BundleTarget? TargetOf(TaskSpec task) =>
        task.Options.SchedulingStrategy is PlacementGroupSchedulingStrategy pg ? new BundleTarget(pg.Group.Number, pg.BundleIndex) : null;

    /// <summary>Adds a group: it is reserved as soon as all of it fits, ahead of queued tasks.</summary>
    public void AddGroup(GroupReservation group)
    {
        lock (_lock)
        {
            _groups.Add(group.Id, group);
            if (BundlePlacement.Place(group.Bundles, group.Strategy, Nodes, fromTotals: true) is null)
            {
                group.Feasible = false;
                _warn($"The {group} cannot fit this runtime (CPU: {_pool.TotalCpus}, GPU: {_pool.TotalGpus}); it stays pending until removed.");
            }

            _pendingGroups.Add(group);
            CountPendingLocked();
            PumpLocked(takeNext: false);
        }
    }

    /// <summary>
    /// Removes a group: a pending one stops waiting; a reserved one's bundles go back to their nodes, and the tasks
    /// running on them are returned for the owner to end. Queued tasks aimed at it are rejected.
    /// </summary>
    public List<TaskSpec> RemoveGroup(long id)
    {
        var running = new List<TaskSpec>();
        lock (_lock)
        {
            if (!_groups.TryGetValue(id, out var group) || group.Removed) return running;
            group.Removed = true;
            _pendingGroups.Remove(group);
            if (group.Hosts is { } hosts)
            {
                for (var b = 0; b < hosts.Length; b++) hosts[b].Give(group.Bundles[b]);
                for (var slot = _slots; slot is not null; slot = slot.Next)
                {
                    if (slot.Current is { } task && Array.IndexOf(group.BundlePools, slot.Pool) >= 0) running.Add(task);
                }
            }

            group.Ready.TrySetException(new RayException($"The {group} was removed before it was reserved."));
            CountPendingLocked();
            PumpLocked(takeNext: false);
        }

        return running;
    }

    private TaskClass NewGroupClassLocked(TaskSpec task, ResourceRequest request, BundleTarget target)
    {
        if (!_groups.TryGetValue(target.GroupId, out var group)) return new TaskClass(request, true, target); // rejected at the pump
        var pools = group.BundlePools;
        var feasible = target.BundleIndex >= 0
            ? target.BundleIndex < pools.Length && pools[target.BundleIndex].IsFeasible(request)
            : pools.Any(p => p.IsFeasible(request));
        if (!feasible)
        {
            _warn($"{task.Function.DisplayName} asks for {request} in bundle {target.BundleIndex} of the {group}, more than " +
                  "the bundle holds; it stays pending until cancelled.");
        }

        return new TaskClass(request, feasible, target);
    }

    private bool TryPlaceLocked(TaskClass taskClass, out ResourcePool pool)
    {
        pool = _pool;
        var request = taskClass.Request;
        if (taskClass.Target is not { } target) return _pool.Fits(request);
        if (!_groups.TryGetValue(target.GroupId, out var group) || group.Hosts is null || group.Removed) return false;
        if (target.BundleIndex >= 0)
        {
            pool = group.BundlePools[target.BundleIndex];
            return pool.Fits(request);
        }

        foreach (var bundle in group.BundlePools)
        {
            if (!bundle.Fits(request)) continue;
            pool = bundle;
            return true;
        }

        return false;
    }

    private bool RejectIfRemovedLocked(TaskClass taskClass, BundleTarget target)
    {
        if (_groups.TryGetValue(target.GroupId, out var group) && !group.Removed) return false;
        while (taskClass.Queue.TryDequeue(out var task))
        {
            if (task.TryMove(TaskState.Queued, TaskState.Running)) GroupTaskRejected?.Invoke(task, target);
        }

        return true;
    }

    private void ReserveGroupsLocked()
    {
        if (_pendingGroups.Count == 0) return;
        var reserved = false;
        for (var i = 0; i < _pendingGroups.Count; i++)
        {
            var group = _pendingGroups[i];
            // A group that can never fit is not tried again (on a cluster, a node joining would make it feasible).
            if (!group.Feasible || BundlePlacement.Place(group.Bundles, group.Strategy, Nodes, fromTotals: false) is not { } hosts) continue;
            for (var b = 0; b < hosts.Length; b++) hosts[b].Take(group.Bundles[b]);
            group.Hosts = hosts;
            _pendingGroups.RemoveAt(i--);
            group.Ready.TrySetResult();
            reserved = true;
        }

        if (reserved) CountPendingLocked();
    }

    private void CountPendingLocked()
    {
        var count = 0;
        foreach (var group in _pendingGroups)
        {
            if (group.Feasible) count++;
        }

        _feasiblePendingGroups = count;
    }
}
