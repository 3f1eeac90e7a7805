using System;
using System.IO;
using System.Linq;
using System.Text;
using NUnit.Framework;
using RayGen.Data.Plan;

namespace RayGen.Data.Tests;

/// <summary>
/// A CSV, JSON lines or text file larger than <see cref="DataContext.TargetBytesPerReadTask"/> is cut into byte
/// ranges read by a task each: the rows are those of one whole read, in the same order, and errors still name the
/// line in the whole file.
/// </summary>
[TestFixture]
public sealed class SplitReadTests() : DataFixture(RayMode.InProcess)
{
    private const long WholeFile = 1L << 30;

    [Test]
    public void A_csv_file_cut_into_many_ranges_gives_the_rows_of_one_read_in_the_same_order()
    {
        var people = People(600);
        var file = WriteOneCsv(people);
        var length = new FileInfo(file).Length;

        DataContext.Current.TargetBytesPerReadTask = WholeFile;
        var whole = RayData.ReadCsv<Person>(file);
        var once = whole.IterRows().ToArray();
        DataContext.Current.TargetBytesPerReadTask = 2048;
        var split = RayData.ReadCsv<Person>(file);
        var ranged = split.IterRows().ToArray();

        var stats = split.Stats().Operators[0];
        Assert.Multiple(() =>
        {
            Assert.That(once, Is.EqualTo(people), "the whole read");
            Assert.That(ranged, Is.EqualTo(once), "every row once, in the file's order");
            Assert.That(whole.Stats().Operators[0].Tasks, Is.EqualTo(1));
            // Each range but the last is at least the target; none is longer than the target and one record.
            Assert.That(stats.Tasks, Is.InRange(length / (2 * 2048), (length + 2047) / 2048), $"read tasks for {length:N0} bytes");
            Assert.That(stats.Tasks, Is.EqualTo(Partitions(split)), "a task per range of the plan");
            Assert.That(stats.BytesIn, Is.EqualTo(length), "the ranges cover the file once (the header read again by each is not counted)");
        });
    }

    [Test]
    public void Most_line_breaks_of_the_test_file_are_inside_quoted_fields()
    {
        // What makes the test above a test: a cut at the first line break past the target would mostly land in a field.
        var text = File.ReadAllText(WriteOneCsv(People(600)));
        var inside = 0;
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"') quoted = !quoted;
            else if (c == '\n' && quoted) inside++;
        }

        Assert.That(inside, Is.GreaterThan(text.Count(c => c == '\n') / 2));
    }

    [Test]
    public void A_malformed_csv_row_in_a_later_range_fails_naming_the_file_and_its_line_in_the_whole_file()
    {
        var text = new StringBuilder("Id,Name,Score,Born,Visits,Active\n");
        for (var i = 0; i < 300; i++)
            text.Append(i).Append(",\"note ").Append(i).Append("\nsecond line, \"\"quoted\"\"\nthird\",1.5,2020-01-01T00:00:00Z,1,true\n");
        var badLine = text.ToString().Count(c => c == '\n') + 1;
        text.Append("three,z,3.5,2020-01-03T00:00:00Z,3,false\n");
        for (var i = 0; i < 20; i++) text.Append(i).Append(",tail,1,2020-01-01T00:00:00Z,1,true\n");
        var file = ScratchPath("bad.csv");
        File.WriteAllText(file, text.ToString());

        DataContext.Current.TargetBytesPerReadTask = 1024;
        var dataset = RayData.ReadCsv<Person>(file);
        var error = Assert.Throws<RayTaskException>(() => dataset.Count());

        Assert.Multiple(() =>
        {
            Assert.That(Partitions(dataset), Is.GreaterThan(10), "the bad row is far from the first range");
            Assert.That(badLine, Is.EqualTo(1 + (300 * 3) + 1));
            Assert.That(error!.Message, Does.Contain($"{file}, line {badLine}:"), "the file and the line in the whole file");
            Assert.That(error.Message, Does.Contain($"record 302 (line {badLine})"), "CsvHelper's own position, moved to the whole file (the header is record 1)");
        });
    }

    [Test]
    public void Malformed_quoting_in_a_later_range_is_reported_at_its_line_and_byte_in_the_whole_file()
    {
        var text = new StringBuilder("Id,Name,Score,Born,Visits,Active\n");
        for (var i = 0; i < 200; i++) text.Append(i).Append(",\"a\nb\",1.5,2020-01-01T00:00:00Z,1,true\n");
        var line = text.ToString().Count(c => c == '\n') + 1;
        text.Append("7,stray\"quote,1.5,2020-01-01T00:00:00Z,1,true\n8,fine,1,2020-01-01T00:00:00Z,1,true\n");
        var quote = Encoding.UTF8.GetByteCount(text.ToString()[..text.ToString().IndexOf("y\"q", StringComparison.Ordinal)]) + 1;
        var file = ScratchPath("quote.csv");
        File.WriteAllText(file, text.ToString());

        DataContext.Current.TargetBytesPerReadTask = 1024;
        var error = Assert.Throws<RayTaskException>(() => RayData.ReadCsv<Person>(file).Count());
        Assert.That(error!.Message, Does.Contain($"{file}, line {line}:").And.Contain($"(line {line})").And.Contain($"byte offset {quote}"));
    }

    [Test]
    public void Json_lines_and_text_cut_into_ranges_give_the_rows_of_one_read()
    {
        var people = People(400);
        var folder = ScratchPath("json");
        RayData.FromItems(people, blocks: 1).WriteJson(folder);
        var file = Directory.GetFiles(folder, "part-*.jsonl").Single();
        var lines = File.ReadAllLines(file);

        DataContext.Current.TargetBytesPerReadTask = 1500;
        var json = RayData.ReadJson<Person>(file);
        var text = RayData.ReadText(file);
        Assert.Multiple(() =>
        {
            Assert.That(json.IterRows().ToArray(), Is.EqualTo(people));
            Assert.That(text.IterRows().ToArray(), Is.EqualTo(lines));
            Assert.That(json.Stats().Operators[0].Tasks, Is.GreaterThan(10).And.EqualTo(Partitions(json)));
            Assert.That(text.Stats().Operators[0].Tasks, Is.EqualTo(json.Stats().Operators[0].Tasks), "the same cuts");
        });
    }

    [Test]
    public void A_malformed_json_line_in_a_later_range_names_its_line_in_the_whole_file()
    {
        var text = new StringBuilder();
        for (var i = 0; i < 200; i++) text.Append("{\"Id\":").Append(i).Append(",\"Name\":\"n\"}\n").Append(i % 10 == 0 ? "\n" : "");
        var badLine = text.ToString().Count(c => c == '\n') + 1;
        text.Append("{\"Id\": oops}\n{\"Id\":1}\n");
        var file = ScratchPath("bad.jsonl");
        File.WriteAllText(file, text.ToString());

        DataContext.Current.TargetBytesPerReadTask = 512;
        var dataset = RayData.ReadJson<Person>(file);
        var error = Assert.Throws<RayTaskException>(() => dataset.Count());
        Assert.That(Partitions(dataset), Is.GreaterThan(5));
        Assert.That(error!.Message, Does.Contain($"{file}, line {badLine}:"));
    }

    [Test]
    public void Crlf_line_endings_and_a_last_line_without_a_break_read_the_same_cut_or_whole()
    {
        var csv = new StringBuilder("Id,Name,Score,Born,Visits,Active\r\n");
        var json = new StringBuilder();
        var text = new StringBuilder();
        for (var i = 0; i < 200; i++)
        {
            csv.Append(i).Append(",\"a\r\nb, \"\"c\"\"\r\n\",").Append(i).Append(",2020-01-01T00:00:00Z,1,true").Append(i < 199 ? "\r\n" : "");
            json.Append("{\"Id\":").Append(i).Append(",\"Name\":\"x\\r\\ny\"}").Append(i < 199 ? "\r\n" : "");
            text.Append("line ").Append(i).Append(i % 7 == 0 ? "\r\n\r\n" : i < 199 ? "\r\n" : "");
        }

        var files = new[] { ("crlf.csv", csv), ("crlf.jsonl", json), ("crlf.txt", text) }.Select(f =>
        {
            File.WriteAllText(ScratchPath(f.Item1), f.Item2.ToString());
            return ScratchPath(f.Item1);
        }).ToArray();

        var (csvWhole, jsonWhole, textWhole) = Read(WholeFile);
        var (csvSplit, jsonSplit, textSplit) = Read(600);
        Assert.Multiple(() =>
        {
            Assert.That(csvWhole.Select(p => p.Name), Is.All.EqualTo("a\r\nb, \"c\"\r\n"));
            Assert.That(csvWhole.Select(p => p.Id), Is.EqualTo(Enumerable.Range(0, 200)));
            Assert.That(csvSplit, Is.EqualTo(csvWhole));
            Assert.That(jsonWhole.Select(p => p.Id), Is.EqualTo(Enumerable.Range(0, 200)));
            Assert.That(jsonSplit, Is.EqualTo(jsonWhole));
            Assert.That(textWhole, Is.EqualTo(File.ReadAllLines(files[2])));
            Assert.That(textSplit, Is.EqualTo(textWhole));
            Assert.That(files.Select(f => Partitions(RayData.ReadText(f))), Is.All.GreaterThan(3), "each file was cut");
        });

        (Person[], Person[], string[]) Read(long target)
        {
            DataContext.Current.TargetBytesPerReadTask = target;
            return (RayData.ReadCsv<Person>(files[0]).IterRows().ToArray(), RayData.ReadJson<Person>(files[1]).IterRows().ToArray(), RayData.ReadText(files[2]).IterRows().ToArray());
        }
    }

    [Test]
    public void A_csv_file_with_another_separator_or_without_a_header_is_cut_the_same()
    {
        var rows = string.Concat(Enumerable.Range(0, 300).Select(i => $"{i};\"x;\n{i}\"\n"));
        var variants = new (string File, string Text, bool HasHeader)[]
        {
            ("semicolons.csv", "Id;Text\n" + rows, true),
            ("hint.csv", "sep=;\nId;Text\n" + rows, true),
            ("headerless.csv", rows, false),
        };

        foreach (var (name, text, hasHeader) in variants)
        {
            var file = ScratchPath(name);
            File.WriteAllText(file, text);
            DataContext.Current.TargetBytesPerReadTask = WholeFile;
            var whole = RayData.ReadCsv<Note>(file, hasHeader).IterRows().ToArray();
            DataContext.Current.TargetBytesPerReadTask = 300;
            var split = RayData.ReadCsv<Note>(file, hasHeader);
            Assert.Multiple(() =>
            {
                Assert.That(whole.Select(n => (n.Id, n.Text)), Is.EqualTo(Enumerable.Range(0, 300).Select(i => (i, (string?)$"x;\n{i}"))), name);
                Assert.That(split.IterRows().Select(n => (n.Id, n.Text)), Is.EqualTo(whole.Select(n => (n.Id, n.Text))), name);
                Assert.That(Partitions(split), Is.GreaterThan(10), name);
            });
        }
    }

    [Test]
    public void An_empty_file_and_a_file_below_the_target_are_read_by_one_task()
    {
        DataContext.Current.TargetBytesPerReadTask = 1024;
        File.WriteAllText(ScratchPath("empty.csv"), "");
        File.WriteAllText(ScratchPath("empty.jsonl"), "");
        File.WriteAllText(ScratchPath("empty.txt"), "");
        File.WriteAllText(ScratchPath("small.csv"), "Id,Name,Score,Born,Visits,Active\n7,\"a\nb\",1,2020-01-01T00:00:00Z,1,true");
        File.WriteAllText(ScratchPath("exact.txt"), new string('x', 1023) + "\n");

        var small = RayData.ReadCsv<Person>(ScratchPath("small.csv"));
        var exact = RayData.ReadText(ScratchPath("exact.txt"));
        Assert.Multiple(() =>
        {
            Assert.That(RayData.ReadCsv<Person>(ScratchPath("empty.csv")).Count(), Is.Zero);
            Assert.That(RayData.ReadJson<Person>(ScratchPath("empty.jsonl")).Count(), Is.Zero);
            Assert.That(RayData.ReadText(ScratchPath("empty.txt")).Count(), Is.Zero);
            Assert.That(small.IterRows().Select(p => (p.Id, p.Name)), Is.EqualTo(new[] { (7, (string?)"a\nb") }));
            Assert.That(small.Stats().Operators[0].Tasks, Is.EqualTo(1));
            Assert.That(exact.IterRows().Single(), Has.Length.EqualTo(1023));
            Assert.That(Partitions(exact), Is.EqualTo(1), "a file of exactly the target is not cut");
        });
    }

    /// <summary>Rows whose names hold commas, quotes and many line breaks (bare and CRLF), so most of a file's line breaks are inside quoted fields.</summary>
    internal static Person[] People(int count) => Enumerable.Range(0, count).Select(i => new Person
    {
        Id = i,
        Name = (i % 4) switch
        {
            0 => $"paragraph {i}, first\nsecond \"quoted\", line\nthird\nfourth\n",
            1 => $"\"{i}\"\r\n,\r\n\"\"\r\n",
            2 => i % 8 == 2 ? null : "",
            _ => string.Concat(Enumerable.Repeat($"{i}\n", 6)),
        },
        Score = i % 3 == 0 ? null : i / 4.0,
        Born = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddHours(i),
        Visits = i * 1_000_003L,
        Active = i % 2 == 0,
    }).ToArray();

    /// <summary>The read tasks of a file source, as the plan has them.</summary>
    internal static int Partitions<T>(Dataset<T> dataset) => ((SourceOp)dataset.Plan.Ops[0]).Partitions;

    private string WriteOneCsv(Person[] people)
    {
        var folder = ScratchPath("csv-" + people.Length);
        if (!Directory.Exists(folder)) RayData.FromItems(people, blocks: 1).WriteCsv(folder);
        return Directory.GetFiles(folder, "part-*.csv").Single();
    }
}
