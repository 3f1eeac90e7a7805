using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using CsvHelper;
using RayGen.Data.Execution;

namespace RayGen.Data.IO;

/// <summary>Reads one partition of a source (a slice of a range, a file) into rows.</summary>
internal interface ISourceReader
{
    /// <summary>The rows (a <c>T[]</c>) of partition <paramref name="partition"/>.</summary>
    Array Read(int partition);
}

internal static class SourceBytes
{
    /// <summary>The bytes of file a partition reads: its byte range, or its file's length shared evenly by the partitions (row groups) of one file.</summary>
    public static long Of(SourceSpec spec, int partition)
    {
        if (spec.Paths.Length <= partition) return 0;
        if (spec.Ranges.Length > partition && !spec.Ranges[partition].IsWhole) return spec.Ranges[partition].Length;
        var path = spec.Paths[partition];
        var sharing = spec.Paths.Count(p => p == path);
        return new FileInfo(path).Length / Math.Max(1, sharing);
    }
}

internal static class SourceReaders
{
    public static ISourceReader Create(SourceSpec spec)
    {
        var row = TypeNames.Resolve(spec.RowType);
        var type = spec.Kind switch
        {
            SourceKind.Range => typeof(RangeReader),
            SourceKind.Text => typeof(TextReaderSource),
            SourceKind.Csv => typeof(CsvSource<>).MakeGenericType(row),
            SourceKind.Parquet => typeof(ParquetSource<>).MakeGenericType(row),
            SourceKind.Json => typeof(JsonLinesSource<>).MakeGenericType(row),
            _ => throw new InvalidOperationException($"Unknown source {spec.Kind}."),
        };
        return (ISourceReader)Activator.CreateInstance(type, spec)!;
    }
}

internal sealed class RangeReader(SourceSpec spec) : ISourceReader
{
    public Array Read(int partition)
    {
        var start = spec.Start + (partition * spec.PerPartition);
        var end = Math.Min(spec.End, start + spec.PerPartition);
        var rows = new int[Math.Max(0, end - start)];
        for (var i = 0; i < rows.Length; i++) rows[i] = (int)(start + i);
        return rows;
    }
}

internal sealed class TextReaderSource(SourceSpec spec) : ISourceReader
{
    public Array Read(int partition) => TextRanges.Lines(spec.Paths[partition], TextRanges.Of(spec, partition)).ToArray();
}

/// <summary>The lines of a file's range, as <see cref="File.ReadLines(string)"/> reads the whole file.</summary>
internal static class TextRanges
{
    private static readonly Encoding s_utf8NoMark = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    public static FileRange Of(SourceSpec spec, int partition) => spec.Ranges.Length > partition ? spec.Ranges[partition] : FileRange.Whole;

    public static IEnumerable<string> Lines(string path, FileRange range)
    {
        if (range.IsWhole)
        {
            foreach (var line in File.ReadLines(path)) yield return line;
            yield break;
        }

        // Only the file's start may hold a byte order mark; a range after it starts with a line's own bytes.
        using var stream = FileRangeStream.Open(path, range.Offset, range.Length);
        using var reader = range.Offset == 0 ? new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true) : new StreamReader(stream, s_utf8NoMark, false);
        while (reader.ReadLine() is { } text) yield return text;
    }
}

/// <summary>CSV through CsvHelper: the row type is a <c>[CsvRecord]</c> type, mapped by CsvHelper's own generator.</summary>
internal sealed class CsvSource<T>(SourceSpec spec) : ISourceReader
{
    public Array Read(int partition)
    {
        var path = spec.Paths[partition];
        var range = TextRanges.Of(spec, partition);
        var prefix = range.Csv >= 0 ? spec.CsvPrefixes[range.Csv] : null;
        var options = CsvFormat.ReaderOptions(spec.HasHeader);
        if (prefix is not null) options = options with { Separator = prefix.Separator };

        // The first range holds the file's start itself; every other one is read behind a copy of it, header included.
        var behind = range.Offset > 0 ? prefix : null;
        using Stream stream = range.IsWhole ? File.OpenRead(path) : FileRangeStream.Open(path, range.Offset, range.Length, behind?.Bytes);
        if (stream.Length == 0) return Array.Empty<T>();
        using var reader = CsvReader.Create(stream, options);
        try
        {
            return reader.GetRecords<T>().ToArray();
        }
        catch (CsvFormatException e)
        {
            throw new InvalidDataException(CsvFormat.Describe(path, e, range, behind), e);
        }
    }
}

/// <summary>Parquet through Parquet.Net's class serializer, a row group (or a whole file) per partition.</summary>
internal sealed class ParquetSource<T>(SourceSpec spec) : ISourceReader
    where T : class, new()
{
    public Array Read(int partition)
    {
        var path = spec.Paths[partition];
        using var stream = File.OpenRead(path);
        try
        {
            int? rowGroup = spec.RowGroups.Length > partition && spec.RowGroups[partition] >= 0 ? spec.RowGroups[partition] : null;
            IList<T> rows = Parquet.Serialization.ParquetSerializer.DeserializeAsync<T>(stream, null, rowGroup).GetAwaiter().GetResult().Data;
            return rows.ToArray();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}

/// <summary>JSON lines (one object per line) through System.Text.Json.</summary>
internal sealed class JsonLinesSource<T>(SourceSpec spec) : ISourceReader
{
    public Array Read(int partition)
    {
        var path = spec.Paths[partition];
        var range = TextRanges.Of(spec, partition);
        var rows = new List<T>();
        var line = range.FirstLine - 1;
        foreach (var text in TextRanges.Lines(path, range))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            try
            {
                rows.Add(JsonSerializer.Deserialize<T>(text, JsonFormat.Options)!);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}, line {line}: {e.Message}", e);
            }
        }

        return rows.ToArray();
    }
}

internal static class ParquetFiles
{
    /// <summary>One partition per row group of every file: a large file is read by several tasks, each holding one group.</summary>
    public static (string[] Paths, int[] RowGroups) Partitions(string[] files)
    {
        var paths = new List<string>();
        var groups = new List<int>();
        foreach (var file in files)
        {
            int count;
            try
            {
                count = RowGroupCount(file).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is IOException or InvalidDataException or NotSupportedException)
            {
                throw new InvalidDataException($"{file}: {e.Message}", e);
            }

            for (var g = 0; g < Math.Max(1, count); g++)
            {
                paths.Add(file);
                groups.Add(count <= 1 ? -1 : g);
            }
        }

        return (paths.ToArray(), groups.ToArray());
    }

    private static async System.Threading.Tasks.Task<int> RowGroupCount(string file)
    {
        await using var reader = await Parquet.ParquetReader.CreateAsync(file).ConfigureAwait(false);
        return reader.RowGroupCount;
    }
}

/// <summary>What CSV writes for null and reads back as null, so a null string and an empty one stay apart.</summary>
internal static class CsvFormat
{
    public const string Null = "\\N";

    /// <summary>How every CSV file is read: invariant culture, <see cref="Null"/> as null, malformed rows fail with their line.</summary>
    public static CsvReaderOptions ReaderOptions(bool hasHeader) => new()
    {
        HasHeader = hasHeader,
        TrackLineNumbers = true,
        NullValues = [Null],
        FormatProvider = CultureInfo.InvariantCulture,
        MalformedData = CsvMalformedDataHandling.Throw,
    };

    /// <summary>
    /// An error's message with the file and the line in the whole file. CsvHelper numbers lines, records and bytes
    /// from the start of what it read: behind a prefix, a range's own start is elsewhere in the file.
    /// </summary>
    public static string Describe(string path, CsvFormatException e, FileRange range, CsvPrefix? behind)
    {
        if (behind is null) return $"{path}, line {e.LineNumber}: {e.Message}";
        var line = e.LineNumber + (range.FirstLine - 1 - behind.Lines);
        var record = e.RecordNumber + (range.RecordsBefore - behind.Records);
        var message = e.Message.Replace(Invariant($"record {e.RecordNumber} (line {e.LineNumber})"), Invariant($"record {record} (line {line})"), StringComparison.Ordinal);
        if (e.ByteOffset > 0)
            message = message.Replace(Invariant($"byte offset {e.ByteOffset}"), Invariant($"byte offset {e.ByteOffset + range.Offset - behind.Bytes.Length}"), StringComparison.Ordinal);
        return Invariant($"{path}, line {line}: {message}");
    }

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}

internal static class JsonFormat
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General) { IncludeFields = true };
}
