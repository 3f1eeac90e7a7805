using System;
using System.Linq;
using MemoryPack;

namespace RayGen.Data.Execution;

/// <summary>A class transform's constructor arguments: serialized on the driver by their runtime types, rebuilt in the actor.</summary>
internal static class TransformArguments
{
    public static void Describe(StepSpec spec, object?[] arguments)
    {
        spec.ArgumentTypes = arguments.Select(a => a is null ? "" : TypeNames.Of(a.GetType())).ToArray();
        spec.Arguments = arguments.Select(a => a is null ? [] : MemoryPackSerializer.Serialize(a.GetType(), a)).ToArray();
    }

    public static T Construct<T>(StepSpec spec)
    {
        var args = new object?[spec.Arguments.Length];
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = spec.ArgumentTypes[i].Length == 0 ? null : MemoryPackSerializer.Deserialize(TypeNames.Resolve(spec.ArgumentTypes[i]), spec.Arguments[i]);
        }

        try
        {
            return (T)Activator.CreateInstance(typeof(T), args)!;
        }
        catch (MissingMethodException)
        {
            throw new InvalidOperationException(
                $"{typeof(T).Name} has no public constructor taking ({string.Join(", ", args.Select(a => a?.GetType().Name ?? "null"))}): MapBatches passes its arguments to the transform's constructor.");
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
