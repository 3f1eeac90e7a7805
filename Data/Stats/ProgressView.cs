using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;

namespace RayGen.Data.Stats;

/// <summary>
/// Per-operator progress lines on a terminal, redrawn in place while a pipeline runs (rows, blocks, bytes, time),
/// erased when it ends. Only made when the output is a terminal: redirected output never gets control codes.
/// </summary>
internal sealed class ProgressView(DatasetStats stats, Stopwatch clock) : IDisposable
{
    private static readonly TimeSpan s_period = TimeSpan.FromMilliseconds(250);
    private TimeSpan _lastDraw;   // zero: the first lines come after a quarter second, so a short run draws none
    private int _lines;

    /// <summary>The lines for the figures now: one per operator (rows out; for a writer, rows written).</summary>
    public static string[] Render(DatasetStats stats, TimeSpan elapsed) => stats.Operators
        .Select(o => string.Create(CultureInfo.InvariantCulture,
            $"{o.Name,-32} {DatasetStats.Count(o.Name.StartsWith("Write", StringComparison.Ordinal) ? o.RowsIn : o.RowsOut),14} rows {DatasetStats.Count(o.BlocksOut),7} blocks {DatasetStats.Bytes(o.BytesOut ?? 0),10}  {DatasetStats.Time(elapsed)}"))
        .ToArray();

    public void Draw()
    {
        if (clock.Elapsed - _lastDraw < s_period) return;
        _lastDraw = clock.Elapsed;
        var lines = Render(stats, clock.Elapsed);
        var text = new System.Text.StringBuilder();
        if (_lines > 0) text.Append(CultureInfo.InvariantCulture, $"\u001b[{_lines}A");
        foreach (var line in lines) text.Append('\r').Append(line).Append("\u001b[K\n");
        Console.Out.Write(text.ToString());
        Console.Out.Flush();
        _lines = lines.Length;
    }

    public void Dispose()
    {
        if (_lines == 0) return;
        // Erase the lines, so what the program prints next starts clean.
        Console.Out.Write(string.Create(CultureInfo.InvariantCulture, $"\u001b[{_lines}A\r\u001b[J"));
        Console.Out.Flush();
    }
}
