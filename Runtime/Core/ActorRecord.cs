using System;
using System.Collections.Generic;
using System.Threading;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.Core;

internal enum ActorStatus
{
    Pending,
    Alive,
    Restarting,
    Dead,
}

/// <summary>
/// One actor: its instance, its mailbox (calls in the order they were made) and its life — construction,
/// restarts from the original constructor arguments, death. Calls run at most MaxConcurrency at a time.
/// </summary>
internal sealed class ActorRecord : ActorAddress
{
    /// <summary>Calls sent to an actor's worker process ahead of the ones running there.</summary>
    internal const int PipelineDepth = 512;

    private readonly object _lock = new();
    private readonly LinkedList<TaskSpec> _mailbox = new();
    private readonly HashSet<TaskSpec> _inFlight = new();
    private readonly TaskOwner _runtime;
    private TaskSpec _constructor;
    private ReadOnlyMemory<byte>[]? _constructorArgs;
    private int _restarts;
    private bool _holdsResources;

    /// <param name="owner">The owner that runs its constructor and calls.</param>
    /// <param name="id">Its id in this runtime.</param>
    /// <param name="actorType">Its class.</param>
    /// <param name="constructor">The call that builds it.</param>
    /// <param name="contextActorId">See <see cref="ContextActorId"/>; null: <paramref name="id"/> as the State API writes it.</param>
    public ActorRecord(TaskOwner owner, long id, Type actorType, TaskSpec constructor, string? contextActorId = null)
        : base(id, actorType, constructor.Options)
    {
        _runtime = owner;
        _constructor = constructor;
        ContextActorId = contextActorId ?? TaskObserver.ActorIdText(id);
    }

    /// <summary>The constructor of an adopted actor (made by another driver): it never runs here.</summary>
    private static readonly Internal.RemoteFunction s_elsewhere = new("raygen.actor-elsewhere", "an actor made by another driver", RemoteOptions.Empty,
        static _ => throw new InvalidOperationException("An adopted actor is never constructed here."));

    /// <summary>An actor another driver made, alive from the start; its restarts are that driver's, never this one's.</summary>
    public static ActorRecord Adopted(TaskOwner owner, long id, Type actorType, RemoteOptions options, string? name)
    {
        // MaxRestarts: a backend that follows the actor when its owner restarts it sets it (the owner keeps the real count).
        var adopted = new RemoteOptions { Name = name, MaxConcurrency = options.MaxConcurrency, Lifetime = options.Lifetime, MaxRestarts = options.MaxRestarts };
        var record = new ActorRecord(owner, id, actorType, new TaskSpec(owner, s_elsewhere, adopted, 0)) { IsAdopted = true };
        record.Status = ActorStatus.Alive;
        return record;
    }

    /// <summary>Made by another driver and found by name: killing it here ends it for everyone; this driver ending does not.</summary>
    public bool IsAdopted { get; private init; }

    /// <summary>
    /// The id <c>Ray.RuntimeContext</c> gives code running in it: its State API id; in a node's job host, the id the
    /// driver's State API knows it by (the job host's own id is of no use to the program).
    /// </summary>
    public string ContextActorId { get; }

    public ActorStatus Status { get; private set; }

    /// <summary>How many times it was restarted (State API's NumRestarts).</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>The call that builds it (State API: its dependencies, its node).</summary>
    public TaskSpec Constructor => _constructor;

    /// <summary>The calls sent to its instance and not finished (State API: running, or waiting in the worker behind earlier ones).</summary>
    public List<TaskSpec> InFlightSnapshot()
    {
        lock (_lock) return new List<TaskSpec>(_inFlight);
    }
    public int Incarnation { get; private set; }
    public ErrorInfo? Death { get; private set; }
    public string DisplayName => Name is null ? $"{ActorType.Name}({Id})" : $"{ActorType.Name}(\"{Name}\")";

    /// <summary>What <c>Ray.RuntimeContext</c> gives code running in it in process, made at the first read (a race makes two equal ones).</summary>
    public RuntimeContext? RuntimeContext { get; set; }

    /// <summary>Backend-owned state: the instance in process, the worker connection otherwise.</summary>
    public object? BackendHandle { get; set; }

    /// <summary>Runs the constructor once the actor is placed (its resources held), then starts serving calls.</summary>
    public void Construct(TaskSpec constructor)
    {
        _constructor = constructor;
        _holdsResources = true;
        StartInstance();
    }

    private void StartInstance()
    {
        try
        {
            _constructorArgs ??= _constructor.ResolveArguments();
        }
        catch (Exception e)
        {
            OnConstructed(e);
            return;
        }

        _runtime.Backend.StartActor(this, _constructor, _constructorArgs);
    }

    /// <summary>The backend built the instance, or the constructor threw <paramref name="failure"/>.</summary>
    public void OnConstructed(Exception? failure)
    {
        var restart = _constructor.State == TaskState.Finished;
        if (failure is not null)
        {
            // A constructor that failed elsewhere (on a cluster node) arrives as that node's error, already worded.
            var error = failure is ResultNotStoredException remote
                ? remote.Error
                : ErrorInfo.Of(ErrorKind.ActorDied, $"The actor {DisplayName} died: its constructor threw {failure.GetType().FullName}: {failure.Message}");
            Die(error, allowRestart: false);
            if (!restart) _runtime.Finish(_constructor, null, error);
            return;
        }

        lock (_lock)
        {
            if (Status == ActorStatus.Dead) return; // killed while it was being built
            Status = ActorStatus.Alive;
        }

        if (!restart)
        {
            // An actor without NumCpus needs a CPU to be placed but holds none while it lives.
            if (Options.NumCpus is null) ReleaseResources();
            _runtime.Finish(_constructor, ObjectEntry.Unit, null);
        }

        Pump();
    }

    private void ReleaseResources()
    {
        lock (_lock)
        {
            if (!_holdsResources) return;
            _holdsResources = false;
        }

        _runtime.Scheduler.Release(_constructor);
    }

    public void Enqueue(TaskSpec call)
    {
        ErrorInfo? death;
        lock (_lock)
        {
            death = Status == ActorStatus.Dead ? Death : null;
            if (death is null) _mailbox.AddLast(call);
        }

        if (death is not null)
        {
            call.MoveTo(TaskState.Finished);
            _runtime.Finish(call, null, death);
        }
    }

    /// <summary>Starts the calls at the head of the mailbox while the actor is alive and has room.</summary>
    public void Pump()
    {
        lock (_lock)
        {
            // A worker process runs its actor's calls in arrival order, MaxConcurrency at a time, so calls are sent
            // ahead (as Ray pipelines actor tasks): the next one is already there when the last one ends.
            var window = _runtime.Backend.PipelinesActorCalls ? Math.Max(MaxConcurrency, PipelineDepth) : MaxConcurrency;
            while (Status == ActorStatus.Alive && _inFlight.Count < window && _mailbox.First is { } node)
            {
                var call = node.Value;
                if (call.State == TaskState.Finished)
                {
                    _mailbox.RemoveFirst();
                    continue;
                }

                if (!call.TryMove(TaskState.Queued, TaskState.Running)) break; // head waits for its arguments
                _mailbox.RemoveFirst();
                call.Incarnation = Incarnation;
                _inFlight.Add(call);
                _runtime.Backend.ExecuteActorCall(this, call);
            }
        }
    }

    /// <summary>The backend finished one call (or it threw).</summary>
    public void OnCallCompleted(TaskSpec call, object? result, Exception? exception) => OnCallCompleted(call, result, exception, call.Incarnation);

    /// <summary>The backend finished one call that started on incarnation <paramref name="startedOn"/> (or it threw).</summary>
    public void OnCallCompleted(TaskSpec call, object? result, Exception? exception, int startedOn)
    {
        lock (_lock)
        {
            // A call that outlived its incarnation was already failed or re-sent when the actor died; its retry may be
            // in flight on the new instance, so the incarnation it started on decides, not the call's current one.
            if (startedOn != Incarnation || call.Incarnation != Incarnation || !_inFlight.Remove(call)) return;
        }

        _runtime.CompleteTask(call, result, exception);
        Pump();
    }

    /// <summary>The actor dies: it restarts when allowed and restarts remain, or ends for good with <paramref name="error"/>.</summary>
    public void Die(ErrorInfo error, bool allowRestart)
    {
        var failed = new List<TaskSpec>();
        bool restart;
        lock (_lock)
        {
            if (Status == ActorStatus.Dead) return;
            Incarnation++;
            restart = allowRestart && Status != ActorStatus.Pending && _restarts < (Options.MaxRestarts ?? 0);
            if (restart)
            {
                _restarts++;
                Status = ActorStatus.Restarting;
                // Calls in flight are sent again while MaxTaskRetries allow, ahead of the queued ones and in their order.
                var retry = new List<TaskSpec>();
                foreach (var call in _inFlight)
                {
                    if (call.Attempts < (Options.MaxTaskRetries ?? 0))
                    {
                        call.Attempts++;
                        retry.Add(call);
                    }
                    else
                    {
                        failed.Add(call);
                    }
                }

                retry.Sort((a, b) => a.Result.Id.Sequence.CompareTo(b.Result.Id.Sequence));
                for (var i = retry.Count - 1; i >= 0; i--)
                {
                    retry[i].MoveTo(TaskState.Queued);
                    _mailbox.AddFirst(retry[i]);
                }
            }
            else
            {
                Status = ActorStatus.Dead;
                Death = error;
                failed.AddRange(_inFlight);
                failed.AddRange(_mailbox);
                _mailbox.Clear();
            }

            _inFlight.Clear();
        }

        foreach (var call in failed)
        {
            call.Cancellation?.Cancel();
            _runtime.Finish(call, null, error);
        }

        _runtime.Backend.StopActor(this);
        if (restart)
        {
            StartInstance();
            return;
        }

        ReleaseResources();
        _runtime.Actors.Forget(this);
    }
}
