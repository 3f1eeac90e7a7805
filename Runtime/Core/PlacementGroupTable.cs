using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Protocol;

namespace RayGen.Core;

/// <summary>
/// The owner's placement groups: made from bundles, reserved by the scheduler, and removed, which ends what runs in
/// them. Lives beside the task owner in the driver; a worker reaches it through its driver.
/// </summary>
internal sealed class PlacementGroupTable
{
    private readonly TaskOwner _owner;
    private readonly ConcurrentDictionary<long, (PlacementGroup Handle, GroupReservation Reservation)> _groups = new();
    private long _nextId;

    public PlacementGroupTable(TaskOwner owner)
    {
        _owner = owner;
        owner.Scheduler.GroupTaskRejected = Reject;
    }

    public PlacementGroup Create(IReadOnlyList<Bundle> bundles, PlacementStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(bundles);
        if (bundles.Count == 0) throw new ArgumentException("A placement group needs at least one bundle.", nameof(bundles));
        if (!Enum.IsDefined(strategy)) throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown placement strategy.");
        var requests = new ResourceRequest[bundles.Count];
        var copies = new Bundle[bundles.Count];
        for (var i = 0; i < bundles.Count; i++)
        {
            var bundle = bundles[i] ?? throw new ArgumentException($"Bundle {i} is null.", nameof(bundles));
            requests[i] = ResourceRequest.From(new RemoteOptions { NumCpus = bundle.NumCpus, NumGpus = bundle.NumGpus, Resources = bundle.Resources }, 0);
            if (requests[i].Cpus == 0 && requests[i].Gpus == 0 && requests[i].Custom.Length == 0)
                throw new ArgumentException($"Bundle {i} reserves nothing; a bundle needs some CPU, GPU or custom resource.", nameof(bundles));
            copies[i] = new Bundle
            {
                NumCpus = bundle.NumCpus,
                NumGpus = bundle.NumGpus,
                Resources = bundle.Resources is null ? null : new Dictionary<string, double>(bundle.Resources),
            };
        }

        var id = Interlocked.Increment(ref _nextId);
        var reservation = new GroupReservation(id, requests, strategy);
        var handle = new PlacementGroup(id, copies, strategy, () => reservation.Ready.Task);
        _groups[id] = (handle, reservation);
        _owner.Scheduler.AddGroup(reservation);
        return handle;
    }

    /// <summary>The group with this id, or null when this runtime never made it.</summary>
    public PlacementGroup? Find(long id) => _groups.TryGetValue(id, out var group) ? group.Handle : null;

    /// <summary>Completes when the group is reserved; faults when it is removed first or is unknown.</summary>
    public Task WhenReady(long id) =>
        _groups.TryGetValue(id, out var group) ? group.Reservation.Ready.Task
            : Task.FromException(new RayException($"Placement group {id:x16} is not known to this runtime."));

    /// <summary>
    /// Removes a group: its resources return to the pool, the tasks running in it fail, the actors placed in it die,
    /// and tasks still to run in it fail when they reach the scheduler.
    /// </summary>
    public void Remove(long id)
    {
        var running = _owner.Scheduler.RemoveGroup(id);
        var error = ErrorInfo.Of(ErrorKind.Runtime, $"The placement group {id:x16} this task ran in was removed.");
        foreach (var task in running)
        {
            if (task.IsConstructor) continue; // its actor dies below
            // As a forced cancel: the ref fails first, then the run is stopped (its worker killed in process mode).
            task.RequestCancel();
            task.Result.TrySetError(error);
            task.Cancellation?.Cancel();
            if (task.Actor is null) _owner.Backend.ForceStop(task);
        }

        foreach (var actor in _owner.Actors.Snapshot())
        {
            if (actor.Options.SchedulingStrategy is PlacementGroupSchedulingStrategy pg && pg.Group.Number == id)
            {
                actor.Die(ErrorInfo.Of(ErrorKind.ActorDied,
                    $"The actor {actor.ActorType.Name}({actor.Id}) died: its placement group {id:x16} was removed."), allowRestart: false);
            }
        }
    }

    // Called under the scheduler's lock: the failing happens on the thread pool.
    private void Reject(TaskSpec task, BundleTarget target) =>
        ThreadPool.UnsafeQueueUserWorkItem(static s => s.Item1.FinishRejected(s.task, s.target), (this, task, target), preferLocal: false);

    private void FinishRejected(TaskSpec task, BundleTarget target)
    {
        var message = $"{task.Function.DisplayName} was scheduled into placement group {target.GroupId:x16}, which was removed " +
                      "(or is not known to this runtime).";
        if (task.IsConstructor) task.CreatesActor?.Die(ErrorInfo.Of(ErrorKind.ActorDied, message), allowRestart: false);
        _owner.Finish(task, null, ErrorInfo.Of(task.IsConstructor ? ErrorKind.ActorDied : ErrorKind.Runtime, message));
    }
}
