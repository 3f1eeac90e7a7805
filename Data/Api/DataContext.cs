using System;

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

    /// <summary>
    /// Bytes of a CSV, JSON lines or text file one read task reads: a larger file is cut into ranges of about this size
    /// (at record boundaries, found by a scan of the file when the dataset is made), each read by a task of its own,
    /// which holds only its range's rows. Default 32 MiB.
    /// </summary>
    public long TargetBytesPerReadTask
    {
        get => _targetBytesPerReadTask;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _targetBytesPerReadTask = value;
        }
    }

    private long _targetBytesPerReadTask = 32L << 20;

    /// <summary>
    /// Bytes of blocks one operator may hold: those queued before it, those its tasks are reading, and those the tasks
    /// before it are expected to hand it. An operator whose blocks pile up in front of a slower one is not given more
    /// work while the slower one holds this much, though every operator may always take one block, however large.
    /// Default: <see cref="MaxStoreBytes"/> (or its default) shared evenly by the operators that take blocks.
    /// </summary>
    public long? MaxStoreBytesPerOperator { get; set; }

    /// <summary>Rows per block that sources produce (a range's slice; a file's rows are split into blocks of this size).</summary>
    public int TargetRowsPerBlock { get; set; } = 16_384;

    /// <summary>Whether a running pipeline draws per-operator progress lines (only on a terminal, never when output is redirected).</summary>
    public bool ShowProgress { get; set; } = true;
}
