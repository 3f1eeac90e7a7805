using System;
using System.Collections.Generic;
using System.Linq;
using MemoryPack;
using NUnit.Framework;
using RayGen.Store;
using RayGen.Core;

namespace RayGen.Tests;

/// <summary>Primitive arrays take a direct copy instead of MemoryPack's pooled writer and reader; the bytes must be MemoryPack's all the same.</summary>
[TestFixture]
public class ValueCodecTests
{
    /// <summary>Arrays large enough for the direct copy, with contents that tell a shifted or truncated copy apart.</summary>
    private static IEnumerable<TestCaseData> LargeArrays()
    {
        var bytes = new byte[200_000];
        new Random(7).NextBytes(bytes);
        yield return new TestCaseData(Enumerable.Range(0, 100_000).Select(i => i * 7919L - 3).ToArray()).SetArgDisplayNames("long[100000]");
        yield return new TestCaseData(Enumerable.Range(0, 50_000).Select(i => -i).ToArray()).SetArgDisplayNames("int[50000]");
        yield return new TestCaseData(Enumerable.Range(0, 50_000).Select(i => i / 3.0).ToArray()).SetArgDisplayNames("double[50000]");
        yield return new TestCaseData(bytes).SetArgDisplayNames("byte[200000]");
    }

    private static IEnumerable<TestCaseData> SmallArrays()
    {
        yield return new TestCaseData(new long[] { 1, 2, 3 }).SetArgDisplayNames("long[3]");
        yield return new TestCaseData(Array.Empty<byte>()).SetArgDisplayNames("byte[0]");
    }

    /// <summary>Arrays MemoryPack wrote, of every kind of element the direct copy reads.</summary>
    private static IEnumerable<TestCaseData> WrittenByMemoryPack()
    {
        yield return new TestCaseData("ok"u8.ToArray()).SetArgDisplayNames("byte[2]");
        yield return new TestCaseData(Array.Empty<byte>()).SetArgDisplayNames("byte[0]");
        yield return new TestCaseData(new[] { true, false, true }).SetArgDisplayNames("bool[3]");
        yield return new TestCaseData("raygen".ToCharArray()).SetArgDisplayNames("char[6]");
        yield return new TestCaseData(new[] { 0.5, -1e300 }).SetArgDisplayNames("double[2]");
    }

    [TestCaseSource(nameof(LargeArrays))]
    public void A_large_primitive_array_is_written_in_MemoryPacks_layout<T>(T[] value) where T : unmanaged =>
        Assert.That(ValueCodec<T[]>.Serialize(value, "test"), Is.EqualTo(MemoryPackSerializer.Serialize(value)));

    [TestCaseSource(nameof(LargeArrays))]
    public void A_large_primitive_array_written_by_the_codec_reads_back_through_MemoryPack<T>(T[] value) where T : unmanaged =>
        Assert.That(MemoryPackSerializer.Deserialize<T[]>(ValueCodec<T[]>.Serialize(value, "test")), Is.EqualTo(value));

    [TestCaseSource(nameof(SmallArrays))]
    public void A_small_or_empty_primitive_array_is_written_in_MemoryPacks_layout_too<T>(T[] value) where T : unmanaged =>
        Assert.That(ValueCodec<T[]>.Serialize(value, "test"), Is.EqualTo(MemoryPackSerializer.Serialize(value)));

    [Test]
    public void A_null_array_is_written_in_MemoryPacks_layout() =>
        Assert.That(ValueCodec<long[]?>.Serialize(null, "test"), Is.EqualTo(MemoryPackSerializer.Serialize<long[]?>(null)));

    [TestCaseSource(nameof(WrittenByMemoryPack))]
    public void A_primitive_array_written_by_MemoryPack_reads_back_the_same<T>(T[] value) where T : unmanaged =>
        Assert.That(ValueCodec<T[]>.Deserialize(MemoryPackSerializer.Serialize(value)), Is.EqualTo(value));

    [Test]
    public void A_null_array_written_by_MemoryPack_reads_back_as_null() =>
        Assert.That(ValueCodec<int[]?>.Deserialize(MemoryPackSerializer.Serialize<int[]?>(null)), Is.Null);

    [Test]
    public void A_truncated_array_is_left_to_MemoryPack_to_reject()
    {
        var bytes = MemoryPackSerializer.Serialize(new long[] { 1, 2, 3 });
        Assert.That(() => ValueCodec<long[]>.Deserialize(bytes.AsSpan(0, bytes.Length - 1)), Throws.InstanceOf<MemoryPackSerializationException>());
    }

    private sealed class NotPackable
    {
        public int X { get; set; }
    }

    [Test]
    public void A_type_MemoryPack_cannot_serialize_fails_with_an_error_naming_it_and_its_use()
    {
        var error = Assert.Throws<RayException>(() => ObjectValues.Serialize(new NotPackable { X = 1 }, "Ray.Put", store: null))!;
        Assert.That(error.Message, Does.Contain(typeof(NotPackable).FullName!).And.Contain("used by Ray.Put").And.Contain("[MemoryPackable]"));
    }
}
