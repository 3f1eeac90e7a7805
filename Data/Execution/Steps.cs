using System;
using System.Collections.Generic;
using RayGen.Data.Shipping;

namespace RayGen.Data.Execution;

/// <summary>One operator, bound in a worker to its typed function: per row, a plain delegate call.</summary>
internal abstract class Step
{
    /// <summary>The rows out (a <c>TOut[]</c>) of the rows in (a <c>TIn[]</c>) of block <paramref name="index"/>.</summary>
    /// <remarks>A step is shared by every task of its stage in the process (in process, several at once): it keeps no per-block state.</remarks>
    public abstract Array Apply(Array rows, int index);

    /// <summary>Builds the step <paramref name="spec"/> describes, with its types closed once.</summary>
    public static Step Create(StepSpec spec)
    {
        var inType = TypeNames.Resolve(spec.InType);
        var outType = TypeNames.Resolve(spec.OutType);
        var type = spec.Kind switch
        {
            StepKind.Map => typeof(MapStep<,>).MakeGenericType(inType, outType),
            StepKind.FlatMap => typeof(FlatMapStep<,>).MakeGenericType(inType, outType),
            StepKind.Filter => typeof(FilterStep<>).MakeGenericType(inType),
            StepKind.MapBatches => typeof(BatchStep<,>).MakeGenericType(inType, outType),
            StepKind.ClassTransform => typeof(ClassTransformStep<,,>).MakeGenericType(TypeNames.Resolve(spec.TransformType!), inType, outType),
            StepKind.Write => typeof(WriteStep<>).MakeGenericType(inType),
            _ => throw new InvalidOperationException($"Unknown step kind {spec.Kind}."),
        };
        return (Step)Activator.CreateInstance(type, spec)!;
    }
}

internal sealed class MapStep<TIn, TOut>(StepSpec spec) : Step
{
    private readonly Func<TIn, TOut> _f = ShippedFunction.Resolve<Func<TIn, TOut>>(spec.Function!);

    public override Array Apply(Array rows, int index)
    {
        var input = (TIn[])rows;
        var output = new TOut[input.Length];
        for (var i = 0; i < input.Length; i++) output[i] = _f(input[i]);
        return output;
    }
}

internal sealed class FilterStep<T>(StepSpec spec) : Step
{
    private readonly Func<T, bool> _f = ShippedFunction.Resolve<Func<T, bool>>(spec.Function!);

    public override Array Apply(Array rows, int index)
    {
        var input = (T[])rows;
        var kept = new List<T>(input.Length);
        foreach (var row in input)
        {
            if (_f(row)) kept.Add(row);
        }

        return kept.ToArray();
    }
}

internal sealed class FlatMapStep<TIn, TOut>(StepSpec spec) : Step
{
    private readonly Func<TIn, IEnumerable<TOut>> _f = ShippedFunction.Resolve<Func<TIn, IEnumerable<TOut>>>(spec.Function!);

    public override Array Apply(Array rows, int index)
    {
        var output = new List<TOut>();
        foreach (var row in (TIn[])rows) output.AddRange(_f(row));
        return output.ToArray();
    }
}

/// <summary>A batch function over slices of at most <see cref="StepSpec.BatchSize"/> rows of the block.</summary>
internal sealed class BatchStep<TIn, TOut>(StepSpec spec) : Step
{
    private readonly Func<TIn[], TOut[]> _f = ShippedFunction.Resolve<Func<TIn[], TOut[]>>(spec.Function!);

    public override Array Apply(Array rows, int index) => Batches.Apply((TIn[])rows, spec.BatchSize, _f);
}

/// <summary>A class transform: the instance is made when the step is (once per actor) and reused for every batch.</summary>
internal sealed class ClassTransformStep<TTransform, TIn, TOut>(StepSpec spec) : Step
    where TTransform : IBatchTransform<TIn, TOut>
{
    private readonly TTransform _transform = TransformArguments.Construct<TTransform>(spec);

    public override Array Apply(Array rows, int index) => Batches.Apply((TIn[])rows, spec.BatchSize, _transform.Transform);
}

/// <summary>A sink: the block's index names its file.</summary>
internal sealed class WriteStep<T>(StepSpec spec) : Step
{
    public override Array Apply(Array rows, int index)
    {
        IO.Writers.Write(spec.Sink!, index, (T[])rows);
        return Array.Empty<T>();
    }
}

internal static class Batches
{
    public static TOut[] Apply<TIn, TOut>(TIn[] rows, int batchSize, Func<TIn[], TOut[]> f)
    {
        if (batchSize <= 0 || rows.Length <= batchSize) return f(rows);
        var output = new List<TOut>(rows.Length);
        for (var start = 0; start < rows.Length; start += batchSize)
            output.AddRange(f(rows.AsSpan(start, Math.Min(batchSize, rows.Length - start)).ToArray()));
        return output.ToArray();
    }
}
