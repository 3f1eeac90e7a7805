using System;
using System.IO;
using System.Linq;
using NUnit.Framework;

namespace RayGen.Data.Tests;

/// <summary>Sources and sinks: every value survives a round trip; a bad file fails loudly and leaves nothing that looks complete.</summary>
[TestFixture]
public sealed class FileTests() : DataFixture(RayMode.InProcess)
{
    private static readonly Person[] s_people =
    [
        new() { Id = 1, Name = "Ada, Countess of Lovelace", Score = 9.5, Born = new DateTime(1815, 12, 10, 6, 30, 0, DateTimeKind.Utc), Visits = 3, Active = true },
        new() { Id = 2, Name = "He said \"hi\", then left", Score = null, Born = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc), Visits = long.MaxValue, Active = false },
        new() { Id = 3, Name = null, Score = -0.25, Born = new DateTime(1999, 12, 31, 23, 59, 59, 123, DateTimeKind.Utc), Visits = 0, Active = true },
        new() { Id = 4, Name = "", Score = 1e-9, Born = new DateTime(2024, 2, 29, 12, 0, 0, DateTimeKind.Utc), Visits = -7, Active = false },
        new() { Id = 5, Name = "line one\nline two", Score = double.MaxValue, Born = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc), Visits = 42, Active = true },
    ];

    [Test]
    public void Csv_round_trip_keeps_nulls_commas_quotes_and_dates()
    {
        var folder = ScratchPath("csv");
        RayData.FromItems(s_people, blocks: 2).WriteCsv(folder);
        Assert.That(Directory.GetFiles(folder, "part-*.csv"), Has.Length.EqualTo(2));
        var back = RayData.ReadCsv<Person>(folder).IterRows().OrderBy(p => p.Id).ToArray();
        Assert.That(back, Is.EqualTo(s_people));
    }

    [Test]
    public void Parquet_round_trip_keeps_nulls_strings_and_dates()
    {
        var folder = ScratchPath("parquet");
        RayData.FromItems(s_people, blocks: 2).WriteParquet(folder);
        var back = RayData.ReadParquet<Person>(Path.Combine(folder, "*.parquet")).IterRows().OrderBy(p => p.Id).ToArray();
        Assert.That(back.Select(Utc), Is.EqualTo(s_people));
    }

    [Test]
    public void A_parquet_file_of_several_row_groups_is_read_by_a_task_per_group()
    {
        var file = ScratchPath("groups.parquet");
        var readings = Enumerable.Range(0, 3000).Select(i => new Reading { Sensor = i, Value = i % 7 == 0 ? null : i / 2.0, Label = $"r{i}", Ok = i % 2 == 0, At = i }).ToArray();
        using (var stream = File.Create(file))
            Parquet.Serialization.ParquetSerializer.SerializeAsync(readings, stream, new Parquet.ParquetOptions { RowGroupSize = 1000 }).GetAwaiter().GetResult();

        var dataset = RayData.ReadParquet<Reading>(file);
        Assert.That(dataset.IterRows().ToArray(), Is.EqualTo(readings));
        Assert.That(dataset.Stats().Operators[0].Tasks, Is.EqualTo(3));
        Assert.That(dataset.Stats().Operators[0].BytesIn, Is.EqualTo(new FileInfo(file).Length / 3 * 3), "the file's bytes, shared by its groups");
    }

    [Test]
    public void Json_lines_and_text_round_trips()
    {
        var folder = ScratchPath("json");
        RayData.FromItems(s_people).WriteJson(folder);
        Assert.Multiple(() =>
        {
            Assert.That(RayData.ReadJson<Person>(folder).IterRows().ToArray(), Is.EqualTo(s_people));
            Assert.That(RayData.ReadText(folder).Count(), Is.EqualTo(s_people.Length), "one line per row");
        });
    }

    [Test]
    public void A_malformed_csv_row_fails_naming_the_file_and_line_and_nothing_is_left_as_if_complete()
    {
        var good = ScratchPath("in/a.csv");
        var bad = ScratchPath("in/b.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(good)!);
        File.WriteAllText(good, "Id,Name,Score,Born,Visits,Active\n1,x,1.5,2020-01-01T00:00:00Z,1,true\n");
        File.WriteAllText(bad, "Id,Name,Score,Born,Visits,Active\n1,x,1.5,2020-01-01T00:00:00Z,1,true\n2,y,2.5,2020-01-02T00:00:00Z,2,true\nthree,z,3.5,2020-01-03T00:00:00Z,3,false\n");
        var output = ScratchPath("out");

        var error = Assert.Throws<RayTaskException>(() => RayData.ReadCsv<Person>(ScratchPath("in/*.csv")).WriteParquet(output));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain(bad).And.Contain("line 4"));
            Assert.That(File.Exists(Path.Combine(output, "_SUCCESS")), Is.False, "no success marker");
            Assert.That(Directory.Exists(output) ? Directory.GetFiles(output, "*", SearchOption.AllDirectories) : [], Is.Empty,
                "not even the good file's part: a failed write leaves nothing behind");
        });
    }

    [Test]
    public void Blocks_written_at_once_each_get_their_own_file()
    {
        var folder = ScratchPath("many");
        RayData.Range(20_000, blocks: 40).Map(static i => (long)i).WriteJson(folder);
        Assert.Multiple(() =>
        {
            Assert.That(Directory.GetFiles(folder, "part-*.jsonl"), Has.Length.EqualTo(40));
            Assert.That(RayData.ReadJson<long>(folder).IterRows().Order(), Is.EqualTo(Enumerable.Range(0, 20_000).Select(i => (long)i)));
        });
    }

    [Test]
    public void A_path_that_matches_nothing_is_refused_at_once()
    {
        Assert.Throws<FileNotFoundException>(() => RayData.ReadCsv<Person>(ScratchPath("none/*.csv")));
    }

    [Test]
    public void Schema_describes_columnar_and_row_blocks()
    {
        var schema = RayData.FromItems(s_people).Schema;
        Assert.Multiple(() =>
        {
            Assert.That(schema.Fields.Select(f => f.Name), Is.EquivalentTo(new[] { "Id", "Name", "Score", "Born", "Visits", "Active" }));
            Assert.That(RayData.Range(3).Schema.Fields.Single().Name, Is.EqualTo("value"));
            Assert.That(RayData.FromItems(new[] { new Blob() }).Schema.Fields.Select(f => f.Name), Is.EquivalentTo(new[] { "Id", "Payload" }));
        });
    }

    // Parquet keeps instants; DateTimeKind is not part of the file.
    private static Person Utc(Person p)
    {
        p.Born = DateTime.SpecifyKind(p.Born.ToUniversalTime(), DateTimeKind.Utc);
        return p;
    }
}
