using RayGen.Data.Shuffle;

namespace RayGen.Data.Execution;

/// <summary>
/// The remote functions every dataset runs on: non-generic, so the generator can stub them; each takes a stage
/// description and dispatches to the typed code a worker builds once per stage.
/// </summary>
internal static partial class DataTasks
{
    /// <summary>Runs a stage over one block.</summary>
    [Remote]
    public static BlockResult RunStage(StageSpec stage, byte[] block, int index) => CompiledStage.For(stage).Run(block, index);

    /// <summary>Runs a stage that starts from a source partition.</summary>
    [Remote]
    public static BlockResult RunSource(StageSpec stage, int partition) => CompiledStage.For(stage).Run(null, partition);

    /// <summary>The map side of an all-to-all operator: one block into its parts (and key samples).</summary>
    [Remote]
    public static ShuffleMapResult ShuffleMap(ShuffleSpec spec, byte[] block, int index) => ShuffleOps.For(spec).Map(spec, block, index);

    /// <summary>The reduce side of an all-to-all operator: one output block of the parts given.</summary>
    [Remote]
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
