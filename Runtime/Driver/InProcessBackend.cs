using System;
using System.Diagnostics;
using RayGen.Store;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Core;
using RayGen.Internal;

namespace RayGen.Driver;

/// <summary>Runs tasks and actors on the thread pool. Values still cross as bytes, so semantics match worker processes.</summary>
internal sealed class InProcessBackend : IExecutionBackend, IThreadRunner
{
    private readonly TaskOwner _runtime;

    public InProcessBackend(TaskOwner owner) => _runtime = owner;

    /// <inheritdoc />
    public bool PipelinesActorCalls => false;

    /// <inheritdoc />
    public SharedStore? Store => null;

    /// <inheritdoc />
    public void FlushPendingSends()
    {
    }

    // A thread that finished a task runs the next one that fits the freed resources itself, instead of queueing it to
    // the pool and waking another thread: with every CPU busy that is the common case. It hands over to a fresh work
    // item now and then, so that work queued behind it on the pool (continuations, other runtimes) is not held up.
    private const int TasksPerWorkItem = 32;

    public void Execute(TaskSpec task) => ThreadPool.UnsafeQueueUserWorkItem(task, preferLocal: false);

    /// <summary>Runs <paramref name="task"/> (a work item the pool picked up), then the tasks that follow it.</summary>
    public void RunFrom(TaskSpec task)
    {
        TaskSpec? next = task;
        for (var ran = 0; next is not null; ran++)
        {
            if (ran == TasksPerWorkItem)
            {
                Execute(next);
                return;
            }

            next = RunTask(next);
        }
    }

    // Taken while a run uses it, so a run that somehow starts inside another never shares it.
    [ThreadStatic] private static InvocationContext? t_spareContext;

    /// <summary>Runs one task; when it finished without awaiting, returns the next task to run here, if one fits.</summary>
    private TaskSpec? RunTask(TaskSpec task)
    {
        TaskContext.Current = task;
        var context = t_spareContext ?? new InvocationContext();
        t_spareContext = null;
        ValueTask pending;
        var outer = TaskObserver.OnRunningHere(task);
        try
        {
            context.Reuse(task.ResolveArguments(), task);
            pending = task.Function.Invoker(context);
            if (task.TraceParent is not null) Activity.Current = outer;
        }
        catch (Exception e)
        {
            if (task.TraceParent is not null) Activity.Current = outer;
            context.Clear();
            t_spareContext = context;
            return _runtime.CompleteTask(task, null, e, takeNext: true);
        }

        if (!pending.IsCompletedSuccessfully)
        {
            _ = AwaitSlow(task, context, pending, _runtime.CompleteTask);
            return null;
        }

        var result = context.Result;
        context.Clear();
        t_spareContext = context;
        return _runtime.CompleteTask(task, result, null, takeNext: true);
    }

    // The code reads the task's own token (InvocationContext), which the owner has signalled already.
    public void Cancel(TaskSpec task)
    {
    }

    public void ForceStop(TaskSpec task)
    {
        // A thread cannot be killed; the runtime has already failed the result, and the token tells the code to stop.
        task.Cancellation?.Cancel();
    }

    public void StartActor(ActorRecord actor, TaskSpec constructor, ReadOnlyMemory<byte>[] arguments) =>
        ThreadPool.UnsafeQueueUserWorkItem(static s => Construct(s.actor, s.constructor, s.arguments), (actor, constructor, arguments), preferLocal: false);

    private static void Construct(ActorRecord actor, TaskSpec constructor, ReadOnlyMemory<byte>[] arguments)
    {
        // Known as the current task so that the constructor's Ray.RuntimeContext names its actor (and its log lines carry it).
        TaskContext.Current = constructor;
        TaskObserver.OnRunningHere(constructor);
        try
        {
            var context = new InvocationContext(arguments, null, CancellationToken.None, constructor.Function);
            var pending = constructor.Function.Invoker(context);
            if (!pending.IsCompletedSuccessfully) pending.AsTask().GetAwaiter().GetResult();
            actor.BackendHandle = context.CreatedInstance ?? throw new InvalidOperationException("The constructor invoker made no instance.");
            actor.OnConstructed(null);
        }
        catch (Exception e)
        {
            actor.OnConstructed(e);
        }
    }

    public void ExecuteActorCall(ActorRecord actor, TaskSpec call)
    {
        var instance = actor.BackendHandle;
        // The incarnation it starts on travels with it: a thread cannot be stopped, so a call that outlived a restart
        // (its retry already sent to the new instance) must not report as if it were that retry.
        ThreadPool.UnsafeQueueUserWorkItem(static s => s.Item1.Run(s.Item2, s.Item3, (task, result, error) => s.Item4.OnCallCompleted(task, result, error, s.Item5)),
            (this, call, instance, actor, call.Incarnation), preferLocal: false);
    }

    public void StopActor(ActorRecord actor) => actor.BackendHandle = null;

    private void Run(TaskSpec task, object? instance, Action<TaskSpec, byte[]?, Exception?> done)
    {
        TaskContext.Current = task;
        InvocationContext context;
        ValueTask pending;
        var outer = TaskObserver.OnRunningHere(task);
        try
        {
            context = new InvocationContext(task.ResolveArguments(), instance, task);
            pending = task.Function.Invoker(context);
            if (task.TraceParent is not null) Activity.Current = outer;
        }
        catch (Exception e)
        {
            if (task.TraceParent is not null) Activity.Current = outer;
            done(task, null, e);
            return;
        }

        if (pending.IsCompletedSuccessfully)
        {
            done(task, context.Result, null);
            return;
        }

        _ = AwaitSlow(task, context, pending, done);
    }

    private static async Task AwaitSlow(TaskSpec task, InvocationContext context, ValueTask pending, Action<TaskSpec, byte[]?, Exception?> done)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            done(task, null, e);
            return;
        }

        done(task, context.Result, null);
    }

    public void Dispose() { }
}
