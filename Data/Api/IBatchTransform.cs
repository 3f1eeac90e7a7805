namespace RayGen.Data;

/// <summary>
/// A class transform for <c>MapBatches&lt;TTransform, TIn, TOut&gt;</c>: one instance lives in each actor of the
/// pool, so costly setup (loading a model) is done once per actor in the constructor, not per batch.
/// </summary>
/// <typeparam name="TIn">The row type in.</typeparam>
/// <typeparam name="TOut">The row type out.</typeparam>
public interface IBatchTransform<TIn, TOut>
{
    /// <summary>The rows out of one batch of rows in.</summary>
    TOut[] Transform(TIn[] batch);
}
