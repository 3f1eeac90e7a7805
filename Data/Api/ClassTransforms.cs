using System;
using RayGen.Data.Execution;
using RayGen.Data.Plan;

namespace RayGen.Data;

/// <summary>Class transforms: <c>MapBatches&lt;TTransform, TIn, TOut&gt;</c> on a pool of actors.</summary>
public static class ClassTransforms
{
    /// <summary>
    /// Batches through <typeparamref name="TTransform"/> on a pool of <paramref name="concurrency"/> actors: each actor
    /// constructs one instance (with <paramref name="arguments"/>, serialized with MemoryPack) and keeps it for every
    /// batch it runs, so costly setup happens once per actor. Written with all three type arguments:
    /// <c>docs.MapBatches&lt;Embedder, Doc, Embedding&gt;(concurrency: 4, batchSize: 64)</c>.
    /// </summary>
    /// <param name="source">The dataset.</param>
    /// <param name="concurrency">Actors in the pool.</param>
    /// <param name="batchSize">Rows per call of <see cref="IBatchTransform{TIn, TOut}.Transform"/> (a batch never spans two blocks).</param>
    /// <param name="arguments">The transform's constructor arguments.</param>
    public static Dataset<TOut> MapBatches<TTransform, TIn, TOut>(this Dataset<TIn> source, int concurrency = 1, int batchSize = 4096, params object?[] arguments)
        where TTransform : IBatchTransform<TIn, TOut>
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(concurrency);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var step = new StepSpec
        {
            Kind = StepKind.ClassTransform,
            Name = $"MapBatches({typeof(TTransform).Name})",
            InType = TypeNames.Of(typeof(TIn)),
            OutType = TypeNames.Of(typeof(TOut)),
            TransformType = TypeNames.Of(typeof(TTransform)),
            BatchSize = batchSize,
        };
        TransformArguments.Describe(step, arguments ?? []);
        return source.Then<TOut>(new ActorOp(step, typeof(TOut), concurrency));
    }
}
