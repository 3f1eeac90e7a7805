using System;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using CsvHelper;
using RayGen.Data.Execution;

namespace RayGen.Data.IO;

/// <summary>
/// Writes one block to one file in the write's staging folder. A file appears under its final part name only once it
/// is whole (written as a temporary name, then renamed), and the driver moves the parts to the destination only when
/// every block was written: a failed write leaves nothing that looks complete.
/// </summary>
internal static class Writers
{
    public static string Extension(SinkFormat format) => format switch
    {
        SinkFormat.Csv => ".csv",
        SinkFormat.Parquet => ".parquet",
        _ => ".jsonl",
    };

    public static void Write<T>(SinkSpec sink, int index, T[] rows)
    {
        Directory.CreateDirectory(sink.StagingDirectory);
        var final = Path.Combine(sink.StagingDirectory, $"part-{index:D5}{Extension(sink.Format)}");
        var temporary = final + $".{Environment.ProcessId}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                switch (sink.Format)
                {
                    case SinkFormat.Csv: WriteCsv(stream, rows); break;
                    case SinkFormat.Parquet: WriteParquet(stream, rows); break;
                    default: WriteJson(stream, rows); break;
                }
            }

            File.Move(temporary, final, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static void WriteCsv<T>(Stream stream, T[] rows)
    {
        using var writer = CsvWriter.Create(stream, new CsvWriterOptions { NullValue = CsvFormat.Null, FormatProvider = CultureInfo.InvariantCulture }, leaveOpen: true);
        writer.WriteRecords(rows);
    }

    private static void WriteParquet<T>(Stream stream, T[] rows) =>
        Parquet.Serialization.ParquetSerializer.SerializeAsync(rows, stream).GetAwaiter().GetResult();

    private static void WriteJson<T>(Stream stream, T[] rows)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        foreach (var row in rows) writer.WriteLine(JsonSerializer.Serialize(row, JsonFormat.Options));
    }
}
