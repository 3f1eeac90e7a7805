namespace RayGen.Data;

/// <summary>
/// Settings of the streaming executor, for every dataset run started afterwards (as Ray's <c>DataContext</c>).
/// Nulls mean "pick from the runtime": the CPU count and the object store's capacity.
/// </summary>
public sealed class DataContext
{
    /// <summary>The settings runs use.</summary>
    public static DataContext Current { get; } = new();

    /// <summary>Blocks one operator may have in tasks at once; default twice the runtime's CPUs.</summary>
    public int? MaxBlocksInFlightPerOperator { get; set; }

    /// <summary>
    /// Bytes of blocks a run may hold in the object store at once (queued between operators, or being read by a task);
    /// sources stop reading while it is reached. Default: a quarter of the store's capacity (256 MiB without a store).
    /// </summary>
    public long? MaxStoreBytes { get; set; }

    /// <summary>Rows per block that sources produce (a range's slice; a file's rows are split into blocks of this size).</summary>
    public int TargetRowsPerBlock { get; set; } = 16_384;

    /// <summary>Whether a running pipeline draws per-operator progress lines (only on a terminal, never when output is redirected).</summary>
    public bool ShowProgress { get; set; } = true;
}
