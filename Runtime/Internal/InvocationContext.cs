using System;
using System.ComponentModel;
using System.Threading;
using RayGen.Serialization;

namespace RayGen.Internal;

/// <summary>The arguments of one invocation and the place its result goes. Used by generated invokers.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class InvocationContext
{
    private readonly ReadOnlyMemory<byte>[] _args;

    internal InvocationContext(ReadOnlyMemory<byte>[] args, object? instance, CancellationToken cancellationToken, string functionName)
    {
        _args = args;
        Instance = instance;
        CancellationToken = cancellationToken;
        FunctionName = functionName;
    }

    /// <summary>Signalled when the call is cancelled with <see cref="Ray.Cancel(ObjectRef, bool)"/>.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The actor instance, for actor methods.</summary>
    public object? Instance { get; }

    internal string FunctionName { get; }

    internal byte[]? Result { get; private set; }

    /// <summary>Reads argument <paramref name="index"/>.</summary>
    public T Arg<T>(int index) => ValueCodec<T>.Deserialize(_args[index].Span);

    /// <summary>A large return value a worker wrote straight into shared memory (then <see cref="Result"/> is null).</summary>
    internal ObjectStore.SharedObject? SharedResult { get; private set; }

    /// <summary>Records the call's return value.</summary>
    public void SetResult<T>(T value)
    {
        // In a worker the refs written into the result go to the driver with it, whose copy of the result holds them.
        var scope = ObjectStore.Containment.Open(forward: true);
        object? stored = null;
        try
        {
            stored = ObjectStore.ObjectValues.Serialize(value, $"the return value of {FunctionName}", driver: false);
        }
        finally
        {
            ResultRefs = ObjectStore.Containment.Close(scope, stored);
        }

        if (stored is ObjectStore.SharedObject shared) SharedResult = shared;
        else Result = (byte[])stored;
    }

    /// <summary>The refs serialized into the result (a worker reports their ids with it).</summary>
    internal ObjectStore.ObjectEntry[]? ResultRefs { get; private set; }

    /// <summary>Records an actor constructor's new instance.</summary>
    public void SetInstance(object instance) => CreatedInstance = instance;

    internal object? CreatedInstance { get; private set; }
}
