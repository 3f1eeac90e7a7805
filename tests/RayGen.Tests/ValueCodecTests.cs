using System;
using MemoryPack;
using NUnit.Framework;
using RayGen.Store;
using RayGen.Core;

namespace RayGen.Tests;

/// <summary>Primitive arrays take a direct copy instead of MemoryPack's pooled writer and reader; the bytes must be MemoryPack's all the same.</summary>
[TestFixture]
public class ValueCodecTests
{
    [Test]
    public void A_large_long_array_is_written_in_MemoryPacks_layout()
    {
        var value = new long[100_000];
        for (var i = 0; i < value.Length; i++) value[i] = i * 7919L - 3;
        Assert.That(ValueCodec<long[]>.Serialize(value, "test"), Is.EqualTo(MemoryPackSerializer.Serialize(value)));
    }

    [Test]
    public void Large_int_double_and_byte_arrays_round_trip_through_MemoryPack()
    {
        var ints = new int[50_000];
        var doubles = new double[50_000];
        var bytes = new byte[200_000];
        for (var i = 0; i < ints.Length; i++)
        {
            ints[i] = -i;
            doubles[i] = i / 3.0;
        }

        new Random(7).NextBytes(bytes);
        Assert.That(MemoryPackSerializer.Deserialize<int[]>(ValueCodec<int[]>.Serialize(ints, "test")), Is.EqualTo(ints));
        Assert.That(MemoryPackSerializer.Deserialize<double[]>(ValueCodec<double[]>.Serialize(doubles, "test")), Is.EqualTo(doubles));
        Assert.That(ValueCodec<byte[]>.Serialize(bytes, "test"), Is.EqualTo(MemoryPackSerializer.Serialize(bytes)));
    }

    [Test]
    public void Null_and_small_arrays_are_written_in_MemoryPacks_layout_too()
    {
        Assert.That(ValueCodec<long[]?>.Serialize(null, "test"), Is.EqualTo(MemoryPackSerializer.Serialize<long[]?>(null)));
        Assert.That(ValueCodec<long[]>.Serialize(new long[] { 1, 2, 3 }, "test"), Is.EqualTo(MemoryPackSerializer.Serialize(new long[] { 1, 2, 3 })));
        Assert.That(ValueCodec<byte[]>.Serialize(Array.Empty<byte>(), "test"), Is.EqualTo(MemoryPackSerializer.Serialize(Array.Empty<byte>())));
    }

    [Test]
    public void Primitive_arrays_written_by_MemoryPack_read_back_the_same()
    {
        Assert.That(ValueCodec<byte[]>.Deserialize(MemoryPackSerializer.Serialize("ok"u8.ToArray())), Is.EqualTo("ok"u8.ToArray()));
        Assert.That(ValueCodec<byte[]>.Deserialize(MemoryPackSerializer.Serialize(Array.Empty<byte>())), Is.Empty);
        Assert.That(ValueCodec<int[]?>.Deserialize(MemoryPackSerializer.Serialize<int[]?>(null)), Is.Null);
        Assert.That(ValueCodec<bool[]>.Deserialize(MemoryPackSerializer.Serialize(new[] { true, false, true })), Is.EqualTo(new[] { true, false, true }));
        Assert.That(ValueCodec<char[]>.Deserialize(MemoryPackSerializer.Serialize("raygen".ToCharArray())), Is.EqualTo("raygen".ToCharArray()));
        Assert.That(ValueCodec<double[]>.Deserialize(MemoryPackSerializer.Serialize(new[] { 0.5, -1e300 })), Is.EqualTo(new[] { 0.5, -1e300 }));
    }

    [Test]
    public void A_truncated_array_is_left_to_MemoryPack_to_reject()
    {
        var bytes = MemoryPackSerializer.Serialize(new long[] { 1, 2, 3 });
        Assert.That(() => ValueCodec<long[]>.Deserialize(bytes.AsSpan(0, bytes.Length - 1)), Throws.InstanceOf<MemoryPackSerializationException>());
    }
}
