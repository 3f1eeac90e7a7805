using System;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Internal;
using RayGen.Scheduling;

namespace RayGen.Execution;

/// <summary>Runs tasks on the thread pool. Values still cross as bytes, so semantics match worker processes.</summary>
internal sealed class InProcessBackend : IExecutionBackend
{
    private readonly RuntimeCore _runtime;

    public InProcessBackend(RuntimeCore runtime) => _runtime = runtime;

    public void Execute(TaskSpec task) =>
        ThreadPool.UnsafeQueueUserWorkItem(static state => state.Item1.Run(state.Item2), (this, task), preferLocal: false);

    public void ForceStop(TaskSpec task)
    {
        // A thread cannot be killed; the caller has already failed the result, and the token tells the code to stop.
        task.Cancellation?.Cancel();
    }

    private void Run(TaskSpec task)
    {
        TaskContext.Current = task;
        InvocationContext context;
        ValueTask pending;
        try
        {
            context = new InvocationContext(task.ResolveArguments(), null, task.GetCancellationToken(), task.Function.DisplayName);
            pending = task.Function.Invoker(context);
        }
        catch (Exception e)
        {
            _runtime.CompleteTask(task, null, e);
            return;
        }

        if (pending.IsCompletedSuccessfully)
        {
            _runtime.CompleteTask(task, context.Result, null);
            return;
        }

        _ = AwaitSlow(task, context, pending);
    }

    private async Task AwaitSlow(TaskSpec task, InvocationContext context, ValueTask pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _runtime.CompleteTask(task, null, e);
            return;
        }

        _runtime.CompleteTask(task, context.Result, null);
    }

    public void Dispose() { }
}
