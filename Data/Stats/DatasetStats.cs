using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace RayGen.Data;

/// <summary>
/// Figures of a dataset's last run (<see cref="Dataset{T}.Stats"/>): per operator (with the bytes of blocks held for
/// it against its bound), and for the whole run the time, the peak object store use and the executor's own bound.
/// <see cref="ToString"/> is a readable table.
/// </summary>
public sealed class DatasetStats
{
    internal DatasetStats(IReadOnlyList<OperatorStats> operators) => Operators = operators;

    /// <summary>One entry per operator, source first.</summary>
    public IReadOnlyList<OperatorStats> Operators { get; }

    /// <summary>From the consumer's first request to the end of the run.</summary>
    public TimeSpan TotalTime { get; internal set; }

    /// <summary>Rows the consumer received (for a sink: rows written).</summary>
    public long RowsOut { get; internal set; }

    /// <summary>The most bytes the object store held in shared memory during the run (all of the session's objects); null in process-less mode.</summary>
    public long? PeakStoreBytes { get; internal set; }

    /// <summary>The most bytes the store had spilled to disk during the run.</summary>
    public long? PeakSpilledBytes { get; internal set; }

    /// <summary>The store's capacity (<c>RayOptions.ObjectStoreMemory</c>); null when there is no shared-memory store.</summary>
    public long? StoreCapacity { get; internal set; }

    /// <summary>The bound on bytes of blocks the run held at once (<see cref="DataContext.MaxStoreBytes"/> or its default).</summary>
    public long StoreBudget { get; internal set; }

    /// <summary>The most bytes of blocks the run held at once (queued between operators or being read by a task).</summary>
    public long PeakBlockBytes { get; internal set; }

    /// <inheritdoc />
    public override string ToString()
    {
        var rows = new List<string[]>
        {
            new[] { "operator", "stage", "tasks", "blocks out", "rows in", "rows out", "bytes in", "bytes out", "held (peak/bound)", "task time", "wall time" },
        };
        rows.AddRange(Operators.Select(o => new[]
        {
            o.Name, o.Stage, Count(o.Tasks), Count(o.BlocksOut), Count(o.RowsIn), Count(o.RowsOut),
            o.BytesIn is { } bi ? Bytes(bi) : "-", o.BytesOut is { } bo ? Bytes(bo) : "-",
            o.HeldBytesBound is { } bound ? $"{Bytes(o.PeakHeldBytes ?? 0)} / {Bytes(bound)}" : "-", Time(o.TaskTime), Time(o.WallTime),
        }));
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var (row, i) in rows.Select((r, i) => (r, i)))
        {
            text.AppendLine(string.Join("  ", row.Select((cell, c) => c < 2 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
            if (i == 0) text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        }

        text.Append(CultureInfo.InvariantCulture, $"total {Time(TotalTime)}, {Count(RowsOut)} rows out");
        if (TotalTime > TimeSpan.Zero && RowsOut > 0) text.Append(CultureInfo.InvariantCulture, $" ({Count((long)(RowsOut / TotalTime.TotalSeconds))} rows/s)");
        text.AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"blocks held at once: peak {Bytes(PeakBlockBytes)} of a {Bytes(StoreBudget)} bound");
        if (PeakStoreBytes is { } peak)
            text.Append(CultureInfo.InvariantCulture, $"; object store: peak {Bytes(peak)} of {Bytes(StoreCapacity ?? 0)}, spilled {Bytes(PeakSpilledBytes ?? 0)}");
        text.AppendLine();
        return text.ToString();
    }

    internal static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    internal static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };

    internal static string Time(TimeSpan time) => time.TotalSeconds >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.00} s")
        : string.Create(CultureInfo.InvariantCulture, $"{time.TotalMilliseconds:0.0} ms");
}
