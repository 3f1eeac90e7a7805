using System;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Actors;
using RayGen.Internal;
using RayGen.Scheduling;

namespace RayGen.Execution;

/// <summary>Runs tasks and actors on the thread pool. Values still cross as bytes, so semantics match worker processes.</summary>
internal sealed class InProcessBackend : IExecutionBackend
{
    private readonly RuntimeCore _runtime;

    public InProcessBackend(RuntimeCore runtime) => _runtime = runtime;

    public void Execute(TaskSpec task) =>
        ThreadPool.UnsafeQueueUserWorkItem(static s => s.Item1.Run(s.Item2, null, s.Item1._runtime.CompleteTask), (this, task), preferLocal: false);

    public void ForceStop(TaskSpec task)
    {
        // A thread cannot be killed; the runtime has already failed the result, and the token tells the code to stop.
        task.Cancellation?.Cancel();
    }

    public void StartActor(ActorState actor, TaskSpec constructor, ReadOnlyMemory<byte>[] arguments) =>
        ThreadPool.UnsafeQueueUserWorkItem(static s => Construct(s.actor, s.constructor, s.arguments), (actor, constructor, arguments), preferLocal: false);

    private static void Construct(ActorState actor, TaskSpec constructor, ReadOnlyMemory<byte>[] arguments)
    {
        try
        {
            var context = new InvocationContext(arguments, null, CancellationToken.None, constructor.Function.DisplayName);
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

    public void ExecuteActorCall(ActorState actor, TaskSpec call)
    {
        var instance = actor.BackendHandle;
        ThreadPool.UnsafeQueueUserWorkItem(static s => s.Item1.Run(s.Item2, s.Item3, s.Item4.OnCallCompleted), (this, call, instance, actor), preferLocal: false);
    }

    public void StopActor(ActorState actor) => actor.BackendHandle = null;

    private void Run(TaskSpec task, object? instance, Action<TaskSpec, byte[]?, Exception?> done)
    {
        TaskContext.Current = task;
        InvocationContext context;
        ValueTask pending;
        try
        {
            context = new InvocationContext(task.ResolveArguments(), instance, task.GetCancellationToken(), task.Function.DisplayName);
            pending = task.Function.Invoker(context);
        }
        catch (Exception e)
        {
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
