using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace RayGen.Cli.Commands;

/// <summary>One column of a table: its header and how a row's JSON gives its cell.</summary>
internal sealed record Column(string Header, Func<JsonElement, string> Cell)
{
    /// <summary>A column showing the JSON field <paramref name="field"/>.</summary>
    public static Column Of(string header, string field) => new(header, row => Table.Text(row.TryGetProperty(field, out var v) ? v : default));
}

/// <summary>Prints rows as an aligned text table, as <c>ray list</c> does.</summary>
internal static class Table
{
    public static void Print(TextWriter output, IReadOnlyList<Column> columns, IEnumerable<JsonElement> rows)
    {
        var cells = rows.Select(row => columns.Select(c => c.Cell(row)).ToArray()).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Header.Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToArray();
        output.WriteLine(Line(columns.Select(c => c.Header).ToArray(), widths));
        foreach (var row in cells) output.WriteLine(Line(row, widths));
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((cell, i) => i == cells.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd();

    /// <summary>A JSON value as one cell: null is empty, an object is <c>key: value, ...</c>.</summary>
    public static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => "",
        JsonValueKind.String => value.GetString() ?? "",
        JsonValueKind.Number => value.TryGetInt64(out var n) ? n.ToString(CultureInfo.InvariantCulture) : value.GetDouble().ToString("0.##", CultureInfo.InvariantCulture),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Object => string.Join(", ", value.EnumerateObject().Select(p => $"{p.Name}: {Text(p.Value)}")),
        JsonValueKind.Array => string.Join(", ", value.EnumerateArray().Select(Text)),
        _ => value.ToString(),
    };
}
