using RayGen.Data.Shuffle;

namespace RayGen.Data.Execution;

/// <summary>
/// The remote functions every dataset runs on: non-generic, so the generator can stub them; each takes a stage
/// description and dispatches to the typed code a worker builds once per stage.
/// </summary>
/// <remarks>
/// MaxRetries = 0 keeps the runtime from pipelining these tasks (it queues up to 32 tasks of a class behind a running
/// one on the same worker, but never a task that may not be retried): the executor bounds blocks in flight itself and
/// wants them spread over every worker. With pipelining on, a class transform followed by a task stage over 1 MiB
/// blocks leaves every CPU held and no task running, one run in a few (RuntimeReproTests); see docs/data.md.
/// </remarks>
internal static partial class DataTasks
{
    /// <summary>
    /// Options over the attributes' for the stage tasks; null in use. Only the reproduction of the pipelining hang
    /// sets it (MaxRetries above 0 lets the runtime pipeline them again).
    /// </summary>
    internal static RemoteOptions? StageOptions { get; set; }

    /// <summary>The stubs the executor submits stage tasks through.</summary>
    internal static RemoteStubs Stages => StageOptions is { } options ? Remote.With(options) : Remote;

    /// <summary>Runs a stage over one block.</summary>
    [Remote(MaxRetries = 0)]
    public static BlockResult RunStage(StageSpec stage, byte[] block, int index) => CompiledStage.For(stage).Run(block, index);

    /// <summary>Runs a stage that starts from a source partition.</summary>
    [Remote(MaxRetries = 0)]
    public static BlockResult RunSource(StageSpec stage, int partition) => CompiledStage.For(stage).Run(null, partition);

    /// <summary>The map side of an all-to-all operator: one block into its parts (and key samples).</summary>
    [Remote(MaxRetries = 0)]
    public static ShuffleMapResult ShuffleMap(ShuffleSpec spec, byte[] block, int index) => ShuffleOps.For(spec).Map(spec, block, index);

    /// <summary>The reduce side of an all-to-all operator: one output block of the parts given.</summary>
    [Remote(MaxRetries = 0)]
    public static BlockResult ShuffleReduce(ShuffleSpec spec, ObjectRef<byte[]>[] parts, int index) => ShuffleOps.For(spec).Reduce(spec, parts, index);
}

/// <summary>An actor of a class transform's pool: its constructor builds the transform once; each call runs one block.</summary>
[Remote]
internal sealed partial class TransformActor
{
    private readonly CompiledStage _stage;

    /// <summary>Builds the stage, and with it the transform instance this actor keeps.</summary>
    public TransformActor(StageSpec stage) => _stage = new CompiledStage(stage);

    /// <summary>Runs the stage over one block.</summary>
    public BlockResult Run(byte[] block, int index) => _stage.Run(block, index);
}
