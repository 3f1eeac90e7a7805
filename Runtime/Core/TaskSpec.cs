using System;
using System.Threading;
using RayGen.Internal;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.Core;

/// <summary>One argument as submitted: serialized bytes, or the entry of a ref resolved before the task runs.</summary>
internal struct ArgSlot
{
    public byte[]? Inline;
    public ObjectEntry? Ref;
}

internal enum TaskState
{
    WaitingForDependencies,
    Queued,
    Running,
    Finished,
}

/// <summary>
/// One submitted task or actor call, from the stub to its result. It counts its unresolved dependencies
/// itself (it is their waiter), so resolving them needs no lookup.
/// </summary>
internal sealed class TaskSpec : IEntryWaiter, IThreadPoolWorkItem, IObjectProducer
{
    private int _pendingDependencies;
    private int _state;
    private int _cancelRequested;

    // result: the entry the result goes to; a fresh one unless a worker minted its id (nested submits).
    public TaskSpec(RuntimeCore runtime, RemoteFunction function, RemoteOptions options, int argumentCount, ObjectEntry? result = null)
    {
        Runtime = runtime;
        Function = function;
        Options = options;
        Args = argumentCount == 0 ? Array.Empty<ArgSlot>() : new ArgSlot[argumentCount];
        Result = result ?? runtime.Objects.NewEntry();
        Result.Producer = this;
    }

    /// <summary>A task the owner itself builds (a worker's nested submission, received by the driver).</summary>
    public TaskSpec(TaskOwner owner, RemoteFunction function, RemoteOptions options, int argumentCount, ObjectEntry? result = null)
        : this(owner.Runtime, function, options, argumentCount, result)
    {
    }

    /// <summary>The runtime the task was submitted in.</summary>
    public RuntimeCore Runtime { get; }

    /// <summary>The owner that runs it, once submitted there (in the driver; a worker's tasks have none).</summary>
    public TaskOwner? Owner { get; set; }
    public RemoteFunction Function { get; }
    public RemoteOptions Options { get; }
    public ArgSlot[] Args { get; }
    public int ArgCount { get; set; }
    public ObjectEntry Result { get; }

    /// <summary>For a stream's producer, at its owner: where its items go.</summary>
    public StreamState? Stream { get; set; }

    /// <summary>For actor calls: the actor it goes to; null for tasks.</summary>
    public ActorAddress? Actor { get; init; }

    /// <summary>The actor whose call this is, on its owner's side (where every actor address is the actor's state).</summary>
    public ActorRecord? OwnedActor => (ActorRecord?)Actor;

    /// <summary>For actor constructor calls: marks the call that places and builds an actor.</summary>
    public bool IsConstructor { get; init; }

    /// <summary>For actor constructor calls: the actor being built.</summary>
    public ActorRecord? CreatesActor { get; set; }

    /// <summary>For actor calls: the actor incarnation it was started on, so a result from before a restart is ignored.</summary>
    public int Incarnation { get; set; }

    public ResourceRequest Request { get; set; } = ResourceRequest.OneCpu;

    public int Attempts { get; set; }

    /// <summary>Reruns allowed after a worker crash (and after an exception with RetryExceptions): RemoteOptions.MaxRetries, 3 unless set, as in Ray.</summary>
    public int MaxRetries => Options.MaxRetries ?? 3;

    /// <summary>The scheduling class whose queue the task went into.</summary>
    public TaskClass? Class { get; set; }

    /// <summary>The resources the task holds while it runs; null before it starts and once it gave them back.</summary>
    public RunSlot? Slot { get; set; }

    /// <summary>Whether the runtime's live set holds the task (those that wait for arguments, and actor calls).</summary>
    public bool IsTrackedLive { get; set; }

    /// <summary>
    /// Set while the task holds no resources: it is blocked in Get or Wait (and lent them), or it waits on a worker
    /// behind the run that holds them (pipelined, see Scheduler.TakeRider).
    /// </summary>
    public bool LentResources { get; set; }

    private CancellationTokenSource? _cancellation;

    public CancellationTokenSource? Cancellation => Volatile.Read(ref _cancellation);

    public TaskState State => (TaskState)Volatile.Read(ref _state);

    public bool CancelRequested => Volatile.Read(ref _cancelRequested) != 0;

    public bool TryMove(TaskState from, TaskState to) =>
        Interlocked.CompareExchange(ref _state, (int)to, (int)from) == (int)from;

    public void MoveTo(TaskState to) => Volatile.Write(ref _state, (int)to);

    public bool RequestCancel() => Interlocked.Exchange(ref _cancelRequested, 1) == 0;

    /// <summary>A token for the invocation; in process the source is made only when the code reads the token.</summary>
    public CancellationToken GetCancellationToken()
    {
        if (Volatile.Read(ref _cancellation) is { } existing) return existing.Token;
        var created = new CancellationTokenSource();
        var source = Interlocked.CompareExchange(ref _cancellation, created, null) ?? created;
        // Cancel sets its flag, then reads the source; this publishes the source, then reads the flag: one of the two sees the other.
        if (CancelRequested) source.Cancel();
        return source.Token;
    }

    public void AddArg(byte[] inline) => Args[ArgCount++] = new ArgSlot { Inline = inline };

    /// <summary>
    /// Adds a serialized by-value argument: bytes inline, or a large value already in shared memory. The latter gets
    /// an entry of its own, already complete, so the store frees it like any value once this task (which holds the
    /// entry) is done and gone, and the run pins it as it pins a ref's value.
    /// </summary>
    public void AddArg(object serialized)
    {
        if (serialized is byte[] inline)
        {
            AddArg(inline);
            return;
        }

        var entry = Runtime.Objects.NewEntry();
        entry.TrySetStored(serialized);
        AddRef(entry);
    }

    public void AddRef(ObjectEntry entry) => Args[ArgCount++] = new ArgSlot { Ref = entry };

    /// <summary>Whether some argument is a ref whose value is not there yet.</summary>
    public bool HasPendingDependencies()
    {
        for (var i = 0; i < ArgCount; i++)
        {
            if (Args[i].Ref is { IsCompleted: false }) return true;
        }

        return false;
    }

    /// <summary>Counts the dependencies still pending and subscribes to them; returns true when none are.</summary>
    public bool SubscribeToDependencies()
    {
        if (ArgCount == 0) return true;
        // A guard count of one, so the last dependency cannot fire before every subscription is made.
        Volatile.Write(ref _pendingDependencies, 1);
        for (var i = 0; i < ArgCount; i++)
        {
            var dep = Args[i].Ref;
            if (dep is null || dep.IsCompleted) continue;
            Interlocked.Increment(ref _pendingDependencies);
            dep.Subscribe(this);
        }

        return Interlocked.Decrement(ref _pendingDependencies) == 0;
    }

    public void OnEntryCompleted(ObjectEntry entry)
    {
        if (Interlocked.Decrement(ref _pendingDependencies) == 0) Owner!.OnDependenciesResolved(this);
    }

    /// <summary>The first failed dependency's error, if any.</summary>
    public ErrorInfo? FailedDependency()
    {
        for (var i = 0; i < ArgCount; i++)
        {
            if (Args[i].Ref?.Error is { } error) return error;
        }

        return null;
    }

    /// <summary>The argument bytes, with refs replaced by their values.</summary>
    public ReadOnlyMemory<byte>[] ResolveArguments()
    {
        if (ArgCount == 0) return Array.Empty<ReadOnlyMemory<byte>>();
        var resolved = new ReadOnlyMemory<byte>[ArgCount];
        for (var i = 0; i < ArgCount; i++)
        {
            resolved[i] = Args[i].Inline ?? Args[i].Ref!.Memory;
        }

        return resolved;
    }

    // In process mode a task is its own thread-pool work item, so dispatching it allocates nothing.
    void IThreadPoolWorkItem.Execute() => ((IThreadRunner)Owner!.Backend).RunFrom(this);

    public override string ToString() => $"{Function.DisplayName} -> {Result.Id}";

    // What observability reads (see TaskObserver): Stopwatch timestamps, the worker that ran it, the trace context.

    /// <summary>When it was submitted to its owner (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>).</summary>
    public long SubmittedAt { get; set; }

    /// <summary>When its last attempt started executing; a worker's own reading once its result arrived. 0 before.</summary>
    public long StartedAt { get; set; }

    /// <summary>When its last attempt stopped executing; 0 before.</summary>
    public long EndedAt { get; set; }

    /// <summary>The process that runs (ran) its last attempt; 0 before it was handed to one.</summary>
    public int WorkerPid { get; set; }

    /// <summary>The worker (process mode) or thread (in process) its last attempt ran on: the timeline's row.</summary>
    public int WorkerSlot { get; set; }

    /// <summary>The W3C traceparent its execution is a child of: its submit span's, or its submitter's; null when nobody traces.</summary>
    public string? TraceParent { get; set; }

    /// <summary>The span of its attempt executing now, when traced.</summary>
    public System.Diagnostics.Activity? ExecutionSpan { get; set; }
}
