using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
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
    /// <summary>The bytes of file a partition reads: its file's length, shared evenly by the partitions of one file.</summary>
    public static long Of(SourceSpec spec, int partition)
    {
        if (spec.Paths.Length <= partition) return 0;
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
    public Array Read(int partition) => File.ReadAllLines(spec.Paths[partition]);
}

/// <summary>CSV through CsvHelper: the row type is a <c>[CsvRecord]</c> type, mapped by CsvHelper's own generator.</summary>
internal sealed class CsvSource<T>(SourceSpec spec) : ISourceReader
{
    public Array Read(int partition)
    {
        var path = spec.Paths[partition];
        var options = new CsvReaderOptions
        {
            HasHeader = spec.HasHeader,
            TrackLineNumbers = true,
            NullValues = [CsvFormat.Null],
            FormatProvider = CultureInfo.InvariantCulture,
            MalformedData = CsvMalformedDataHandling.Throw,
        };
        using var stream = File.OpenRead(path);
        using var reader = CsvReader.Create(stream, options);
        try
        {
            return reader.GetRecords<T>().ToArray();
        }
        catch (CsvFormatException e)
        {
            throw new InvalidDataException($"{path}, line {e.LineNumber}: {e.Message}", e);
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
        var rows = new List<T>();
        var line = 0;
        foreach (var text in File.ReadLines(path))
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
}

internal static class JsonFormat
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General) { IncludeFields = true };
}
