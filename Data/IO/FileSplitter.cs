using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using CsvHelper;
using Microsoft.Win32.SafeHandles;
using RayGen.Data.Execution;

namespace RayGen.Data.IO;

/// <summary>
/// Cuts CSV, JSON lines and text files larger than the target into byte ranges at record boundaries, one read task
/// each. The driver scans each such file once, when the dataset is made, counting lines (and CSV records) on the way
/// so that every range knows where it stands in the whole file.
/// </summary>
internal static class FileSplitter
{
    private const int ScanBuffer = 1 << 20;

    /// <summary>A prefix longer than this (a header of that size, or that many empty lines) is not repeated per range: the file is read whole.</summary>
    private const int MaxPrefix = 1 << 20;

    /// <summary>The partitions of <paramref name="files"/>: each file's path once per range, its ranges, and the prefixes of split CSV files.</summary>
    public static (string[] Paths, FileRange[] Ranges, CsvPrefix[] Prefixes) Partitions(string[] files, SourceKind kind, bool hasHeader, long target)
    {
        var paths = new List<string>();
        var ranges = new List<FileRange>();
        var prefixes = new List<CsvPrefix>();
        foreach (var file in files)
        {
            List<FileRange> split;
            try
            {
                if (kind == SourceKind.Csv)
                {
                    (split, var prefix) = Csv(file, target, hasHeader);
                    if (prefix is not null)
                    {
                        foreach (var range in split) range.Csv = prefixes.Count;
                        prefixes.Add(prefix);
                    }
                }
                else
                {
                    split = Lines(file, target);
                }
            }
            catch (IOException e)
            {
                throw new IOException($"{file}: {e.Message}", e);
            }

            foreach (var range in split)
            {
                paths.Add(file);
                ranges.Add(range);
            }
        }

        return (paths.ToArray(), ranges.ToArray(), prefixes.ToArray());
    }

    /// <summary>JSON lines and text: ranges that end just after a <c>\n</c>, so a <c>\r\n</c> is never cut.</summary>
    public static List<FileRange> Lines(string path, long target)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var length = RandomAccess.GetLength(file);
        if (length <= target || HasWideByteOrderMark(file)) return [FileRange.Whole];
        var scanner = new Scanner(csv: false, separator: 0, target, length, firstLine: 1, recordsBefore: 0);
        scanner.Scan(file, 0);
        return scanner.Ranges;
    }

    /// <summary>
    /// CSV: ranges that end after a line break outside quoted fields (RFC 4180: a quote opens a field only at its
    /// start, <c>""</c> inside one is a quote), so a field holding line breaks is never cut. CsvHelper itself reads
    /// the header and finds the separator; every range after the first is read behind a copy of the file's start.
    /// </summary>
    public static (List<FileRange> Ranges, CsvPrefix? Prefix) Csv(string path, long target, bool hasHeader)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var length = RandomAccess.GetLength(file);
        if (length <= target || HasWideByteOrderMark(file)) return ([FileRange.Whole], null);

        char separator;
        long dataStart, firstLine;
        try
        {
            using var reader = CsvReader.FromFile(path, CsvFormat.ReaderOptions(hasHeader));
            separator = reader.Separator;
            if (!reader.Read()) return ([FileRange.Whole], null);
            dataStart = reader.ByteOffset;
            firstLine = reader.LineNumber;
        }
        catch (CsvFormatException)
        {
            // A malformed start: one task reads the file and reports it, with its line, as for a small file.
            return ([FileRange.Whole], null);
        }

        if (dataStart > MaxPrefix || separator > 127) return ([FileRange.Whole], null);
        var bytes = new byte[dataStart];
        RandomAccess.Read(file, bytes, 0);
        var prefix = new CsvPrefix
        {
            Bytes = bytes,
            Lines = firstLine - 1,
            Records = hasHeader ? 1 : 0,
            // A "sep=;" line sets the separator only while none is given, and is a record otherwise: leave it to the line.
            Separator = NamesItsSeparator(bytes) ? null : separator,
        };

        var scanner = new Scanner(csv: true, (byte)separator, target, length, firstLine, prefix.Records);
        scanner.Scan(file, dataStart);
        return (scanner.Ranges, prefix);
    }

    /// <summary>UTF-16 and UTF-32 files are read as transcoded text, whose offsets are not the file's: such a file is read whole.</summary>
    private static bool HasWideByteOrderMark(SafeFileHandle file)
    {
        Span<byte> head = stackalloc byte[2];
        return RandomAccess.Read(file, head, 0) == 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF) || (head[0] == 0 && head[1] == 0));
    }

    private static bool NamesItsSeparator(ReadOnlySpan<byte> start)
    {
        if (start.StartsWith("\uFEFF"u8)) start = start[3..];
        return start.StartsWith("sep="u8);
    }

    /// <summary>
    /// One pass over the bytes, keeping the state a CSV parser would (in a quoted field or not) and the counts that
    /// CsvHelper and <see cref="StreamReader.ReadLine"/> report: a line break is <c>\r\n</c>, <c>\r</c> or <c>\n</c>,
    /// inside quoted fields too; a record is a line that is not empty (the header included).
    /// </summary>
    private sealed class Scanner(bool csv, byte separator, long target, long length, long firstLine, long recordsBefore)
    {
        private readonly SearchValues<byte> _specials = SearchValues.Create(csv ? "\"\r\n"u8 : "\r\n"u8);
        private long _breaks = firstLine - 1;
        private long _records = recordsBefore;
        private long _rangeStart;
        private long _rangeLine = 1;
        private long _rangeRecords;
        private bool _inQuotes;
        private bool _justClosed;
        private bool _recordStart = true;
        private byte _previous = (byte)'\n';

        public List<FileRange> Ranges { get; } = [];

        public void Scan(SafeFileHandle file, long from)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(ScanBuffer);
            try
            {
                for (var position = from; position < length;)
                {
                    var read = RandomAccess.Read(file, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - position)), position);
                    if (read == 0) break;
                    Feed(buffer.AsSpan(0, read), position);
                    position += read;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            Ranges.Add(new FileRange { Offset = _rangeStart, Length = length - _rangeStart, FirstLine = _rangeLine, RecordsBefore = _rangeRecords });
        }

        private void Feed(ReadOnlySpan<byte> span, long at)
        {
            var i = 0;
            while (i < span.Length)
            {
                var b = span[i];
                if (_recordStart && b is not ((byte)'\r' or (byte)'\n'))
                {
                    _records++;
                    _recordStart = false;
                }

                switch (b)
                {
                    case (byte)'"' when csv:
                        if (_inQuotes)
                        {
                            _inQuotes = false;
                            _justClosed = true;
                        }
                        else if (_justClosed || _previous == separator || _previous is (byte)'\r' or (byte)'\n')
                        {
                            // At a field's start, or right after a closing quote ("" inside a quoted field).
                            _inQuotes = true;
                            _justClosed = false;
                        }

                        // Otherwise a quote inside an unquoted field: text, which CsvHelper reports when it reads the record.
                        break;
                    case (byte)'\n':
                        _justClosed = false;
                        if (_previous != (byte)'\r') _breaks++;
                        if (!_inQuotes)
                        {
                            _recordStart = true;
                            var end = at + i + 1;
                            if (end - _rangeStart >= target && end < length) Cut(end);
                        }

                        break;
                    case (byte)'\r':
                        _justClosed = false;
                        _breaks++;
                        if (!_inQuotes) _recordStart = true;
                        break;
                    default:
                        _justClosed = false;
                        var next = span[(i + 1)..].IndexOfAny(_specials);
                        var skip = next < 0 ? span.Length - i : next + 1;
                        _previous = span[i + skip - 1];
                        i += skip;
                        continue;
                }

                _previous = b;
                i++;
            }
        }

        private void Cut(long end)
        {
            Ranges.Add(new FileRange { Offset = _rangeStart, Length = end - _rangeStart, FirstLine = _rangeLine, RecordsBefore = _rangeRecords });
            _rangeStart = end;
            _rangeLine = _breaks + 1;
            _rangeRecords = _records;
        }
    }
}

/// <summary>
/// A read-only stream of part of a file (read at its offsets, never seeking a shared position), behind optional
/// bytes of its own: a CSV range reads behind its file's header.
/// </summary>
internal sealed class FileRangeStream : Stream
{
    private readonly SafeFileHandle _file;
    private readonly byte[] _prefix;
    private readonly long _offset;
    private readonly long _length;
    private long _position;

    private FileRangeStream(SafeFileHandle file, byte[] prefix, long offset, long length)
    {
        _file = file;
        _prefix = prefix;
        _offset = offset;
        _length = length;
    }

    public static FileRangeStream Open(string path, long offset, long length, byte[]? prefix = null) =>
        new(File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan), prefix ?? [], offset, length);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _prefix.Length + _length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position < _prefix.Length)
        {
            var n = Math.Min(buffer.Length, _prefix.Length - (int)_position);
            _prefix.AsSpan((int)_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        var done = _position - _prefix.Length;
        var want = (int)Math.Min(buffer.Length, _length - done);
        if (want <= 0) return 0;
        var read = RandomAccess.Read(_file, buffer[..want], _offset + done);
        _position += read;
        return read;
    }

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _file.Dispose();
        base.Dispose(disposing);
    }
}
