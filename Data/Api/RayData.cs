using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Enumeration;
using System.Linq;
using RayGen.Data.Execution;
using RayGen.Data.Plan;

namespace RayGen.Data;

/// <summary>Where datasets start: ranges, items the driver has, and files (CSV, Parquet, JSON lines, text).</summary>
public static class RayData
{
    /// <summary>The integers 0 to <paramref name="count"/> - 1, made by tasks in blocks of <see cref="DataContext.TargetRowsPerBlock"/>.</summary>
    /// <param name="count">How many integers.</param>
    /// <param name="blocks">Blocks to make (default: by the target rows per block).</param>
    public static Dataset<int> Range(int count, int? blocks = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var parts = Math.Max(1, blocks ?? (int)Math.Ceiling(count / (double)DataContext.Current.TargetRowsPerBlock));
        var per = (long)Math.Ceiling(count / (double)parts);
        var spec = new SourceSpec { Kind = SourceKind.Range, RowType = TypeNames.Of(typeof(int)), Start = 0, End = count, PerPartition = Math.Max(1, per) };
        return new Dataset<int>(LogicalPlan.Of(new SourceOp("Range", typeof(int), spec, count == 0 ? 0 : parts)));
    }

    /// <summary>A dataset of <paramref name="items"/>, read now and put in the store in blocks when a consumer runs it.</summary>
    /// <param name="items">The rows.</param>
    /// <param name="blocks">Blocks to split them into (default: by the target rows per block).</param>
    public static Dataset<T> FromItems<T>(IEnumerable<T> items, int? blocks = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        var all = items.ToArray();
        var count = Math.Max(1, blocks ?? (int)Math.Ceiling(all.Length / (double)DataContext.Current.TargetRowsPerBlock));
        var size = Math.Max(1, (int)Math.Ceiling(all.Length / (double)count));
        var chunks = all.Chunk(size).Select(c => (Array)c).ToList();
        return new Dataset<T>(LogicalPlan.Of(new ItemsOp(typeof(T), chunks)));
    }

    /// <summary>
    /// CSV files (a file, a folder, or a pattern such as <c>data/*.csv</c>), read with CsvHelper: <typeparamref name="T"/>
    /// is a <c>[CsvRecord]</c> partial type, its members matched to the header's columns. One task per file, or per
    /// byte range of a file larger than <see cref="DataContext.TargetBytesPerReadTask"/> (cut between records, never
    /// inside a quoted field; each range is read with the file's header). A row that does not parse fails the run
    /// with an error that names the file and the line.
    /// </summary>
    /// <param name="path">A file, a folder or a pattern.</param>
    /// <param name="hasHeader">Whether each file's first record names the columns.</param>
    /// <remarks>The file list is read, and files larger than the target are scanned once for their cuts, when the dataset is made.</remarks>
    public static Dataset<T> ReadCsv<T>(string path, bool hasHeader = true) => Files<T>("ReadCsv", SourceKind.Csv, path, hasHeader);

    /// <summary>Parquet files (a file, a folder, or a pattern), read with Parquet.Net's class serializer: <typeparamref name="T"/>'s public properties are the columns.</summary>
    /// <param name="path">A file, a folder or a pattern.</param>
    /// <remarks>Each row group is read by a task of its own, so a file of many groups streams; the file list and the groups are read when the dataset is made.</remarks>
    public static Dataset<T> ReadParquet<T>(string path) where T : class, new()
    {
        var (paths, groups) = IO.ParquetFiles.Partitions(Expand(path));
        var spec = new SourceSpec { Kind = SourceKind.Parquet, RowType = TypeNames.Of(typeof(T)), Paths = paths, RowGroups = groups, RowsPerBlock = DataContext.Current.TargetRowsPerBlock };
        return new Dataset<T>(LogicalPlan.Of(new SourceOp("ReadParquet", typeof(T), spec, paths.Length)));
    }

    /// <summary>
    /// JSON lines files (one object per line), read with System.Text.Json: a task per file, or per range of lines of a
    /// file larger than <see cref="DataContext.TargetBytesPerReadTask"/>.
    /// </summary>
    public static Dataset<T> ReadJson<T>(string path) => Files<T>("ReadJson", SourceKind.Json, path);

    /// <summary>Text files: one row per line; a task per file, or per range of lines of a file larger than <see cref="DataContext.TargetBytesPerReadTask"/>.</summary>
    public static Dataset<string> ReadText(string path) => Files<string>("ReadText", SourceKind.Text, path);

    private static Dataset<T> Files<T>(string name, SourceKind kind, string path, bool hasHeader = true)
    {
        var context = DataContext.Current;
        var (paths, ranges, prefixes) = IO.FileSplitter.Partitions(Expand(path), kind, hasHeader, context.TargetBytesPerReadTask);
        var spec = new SourceSpec
        {
            Kind = kind,
            RowType = TypeNames.Of(typeof(T)),
            Paths = paths,
            Ranges = ranges,
            CsvPrefixes = prefixes,
            RowsPerBlock = context.TargetRowsPerBlock,
            HasHeader = hasHeader,
        };
        return new Dataset<T>(LogicalPlan.Of(new SourceOp(name, typeof(T), spec, paths.Length)));
    }

    /// <summary>The files a path names: itself, the files in a folder (hidden ones and <c>_</c> markers left out), or a pattern's matches; sorted.</summary>
    internal static string[] Expand(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        if (File.Exists(full)) return [full];
        if (Directory.Exists(full))
            return Directory.EnumerateFiles(full).Where(f => !Path.GetFileName(f).StartsWith('.') && !Path.GetFileName(f).StartsWith('_')).Order(StringComparer.Ordinal).ToArray();
        var directory = Path.GetDirectoryName(full)!;
        var pattern = Path.GetFileName(full);
        if (Directory.Exists(directory) && pattern.AsSpan().IndexOfAny('*', '?') >= 0)
        {
            var matches = Directory.EnumerateFiles(directory).Where(f => FileSystemName.MatchesSimpleExpression(pattern, Path.GetFileName(f))).Order(StringComparer.Ordinal).ToArray();
            if (matches.Length > 0) return matches;
        }

        throw new FileNotFoundException($"No file matches {path}.", path);
    }
}
