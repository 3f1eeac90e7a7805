using System.Linq;
using NUnit.Framework;
using RayGen.Data.Blocks;

namespace RayGen.Data.Tests;

/// <summary>How blocks hold rows: Arrow record batches where the row type allows, MemoryPack arrays otherwise.</summary>
public sealed class BlockTests
{
    [Test]
    public void Rows_of_primitive_and_string_fields_are_Arrow_record_batches_and_come_back_whole()
    {
        var rows = new[]
        {
            new Reading { Sensor = 1, Value = 2.5, Label = "a, \"b\"", Ok = true, At = long.MinValue },
            new Reading { Sensor = -3, Value = null, Label = null, Ok = false, At = 7 },
            new Reading { Sensor = 0, Value = 1e308, Label = "", Ok = true, At = long.MaxValue },
        };
        var codec = BlockCodec.For<Reading>();
        var bytes = codec.Encode(rows);
        Assert.Multiple(() =>
        {
            Assert.That(codec.IsColumnar);
            Assert.That(bytes[0], Is.EqualTo(BlockCodec.ArrowFormat));
            Assert.That(codec.DecodeRows(bytes), Is.EqualTo(rows));
            Assert.That(new DatasetSchema(typeof(Reading)).ToString(), Is.EqualTo("Reading (Arrow blocks): Sensor: int32, Value: double, Label: utf8, Ok: bool, At: int64"));
        });
    }

    [Test]
    public void Single_values_are_one_column_and_other_rows_are_MemoryPack_arrays()
    {
        var strings = BlockCodec.For<string>();
        var back = strings.DecodeRows(strings.Encode(new[] { "x", null!, "" }));
        Assert.Multiple(() =>
        {
            Assert.That(back, Is.EqualTo(new[] { "x", null, "" }));
            Assert.That(BlockCodec.For<int>().IsColumnar);
            Assert.That(BlockCodec.For<Person>().IsColumnar, Is.False, "a DateTime field");
            Assert.That(BlockCodec.For<Blob>().IsColumnar, Is.False, "a byte[] field");
            Assert.That(BlockCodec.For<(string, long)>().IsColumnar, Is.False, "a tuple");
            Assert.That(BlockCodec.For<Person>().Encode([new Person()])[0], Is.EqualTo(BlockCodec.MemoryPackFormat));
        });
    }
}

/// <summary>The terminal's progress lines and the stats table.</summary>
public sealed class ProgressTests
{
    [Test]
    public void Progress_shows_one_line_per_operator_with_rows_blocks_bytes_and_time()
    {
        var stats = new DatasetStats([new OperatorStats("ReadCsv", "ReadCsv->Map") { RowsOut = 1234567 }, new OperatorStats("Map", "ReadCsv->Map") { RowsOut = 1000, BlocksOut = 3, BytesOut = 3 << 20 }]);
        var lines = RayGen.Data.Stats.ProgressView.Render(stats, System.TimeSpan.FromSeconds(2.5));
        Assert.That(lines, Has.Length.EqualTo(2));
        Assert.That(lines[0], Does.StartWith("ReadCsv").And.Contain("1,234,567 rows").And.EndWith("2.50 s"));
        Assert.That(lines[1], Does.Contain("1,000 rows").And.Contain("3 blocks").And.Contain("3.0 MiB"));
    }
}
