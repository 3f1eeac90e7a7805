using System.ComponentModel;
using RayGen.Store;
using RayGen.Core;

namespace RayGen.Internal;

/// <summary>
/// Builds one submission from a generated stub: arguments are serialized as they are added, so the task
/// never sees later changes to them, then <c>Submit</c> hands it to the runtime.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct RemoteCall
{
    private readonly TaskSpec _task;

    private RemoteCall(TaskSpec task) => _task = task;

    /// <summary>Starts a call of a remote function.</summary>
    public static RemoteCall ForTask(RemoteFunction function, RemoteOptions? options, int argumentCount)
    {
        var runtime = Ray.CurrentCore(function.CallAction);
        var merged = function.Defaults.MergeWith(options);
        return new RemoteCall(new TaskSpec(runtime, function, merged, argumentCount)
        {
            Request = ResourceRequest.From(merged, defaultCpus: 1),
        });
    }

    /// <summary>Starts the creation of an actor through one of its constructors.</summary>
    public static RemoteCall ForActorConstructor(RemoteFunction constructor, RemoteOptions? options, int argumentCount)
    {
        var runtime = Ray.CurrentCore($"create actor {constructor.DisplayName}");
        var merged = constructor.Defaults.MergeWith(options);
        // Ray places an actor where one CPU is free even when it holds none for its lifetime.
        return new RemoteCall(new TaskSpec(runtime, constructor, merged, argumentCount)
        {
            IsConstructor = true,
            Request = ResourceRequest.From(merged, defaultCpus: 1),
        });
    }

    /// <summary>Starts a call of an actor method.</summary>
    public static RemoteCall ForActorMethod<TActor>(ActorHandle<TActor> actor, RemoteFunction method, int argumentCount)
        where TActor : class
    {
        var state = actor.State;
        var runtime = Ray.CurrentCore(method.CallAction);
        return new RemoteCall(new TaskSpec(runtime, method, state.Options, argumentCount) { Actor = state });
    }

    /// <summary>Adds an argument that is either a value or a ref resolved before the call runs.</summary>
    public void Add<T>(Arg<T> argument)
    {
        if (argument.Reference is { } reference) _task.AddRef(reference.Entry);
        else _task.Runtime.AddArgument(_task, argument.Value, _task.Function.ArgumentUsage);
    }

    /// <summary>Adds an argument passed as it is (a parameter declared as <c>ObjectRef&lt;T&gt;</c> receives the ref itself).</summary>
    public void AddValue<T>(T argument) =>
        _task.AddArg(ObjectValues.SerializeInline(argument, _task.Function.ArgumentUsage));

    /// <summary>Submits a call whose result is a <typeparamref name="T"/>.</summary>
    public ObjectRef<T> Submit<T>()
    {
        ValueCodec<T>.EnsureSupported(_task.Function.ReturnUsage);
        return new ObjectRef<T>(_task.Runtime.Submit(_task));
    }

    /// <summary>Submits a call whose result is a stream of <typeparamref name="T"/> items (a method returning <c>IEnumerable&lt;T&gt;</c> or <c>IAsyncEnumerable&lt;T&gt;</c>).</summary>
    public ObjectRefStream<T> SubmitStream<T>()
    {
        ValueCodec<T>.EnsureSupported(_task.Function.ReturnUsage);
        return new ObjectRefStream<T>(_task.Runtime.Submit(_task));
    }

    /// <summary>Submits a call that returns nothing.</summary>
    public ObjectRef Submit() => new(_task.Runtime.Submit(_task));

    /// <summary>Submits an actor creation and returns the actor's handle at once.</summary>
    public ActorHandle<TActor> CreateActor<TActor>() where TActor : class =>
        new(_task.Runtime.CreateActor(_task, typeof(TActor)));
}
