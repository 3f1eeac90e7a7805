using System;
using System.Collections.Concurrent;
using MemoryPack;

namespace RayGen.Data.Blocks;

/// <summary>Turns a block's rows into the bytes that sit in the object store, and back.</summary>
internal interface IBlockCodec
{
    /// <summary>The row type.</summary>
    Type RowType { get; }

    /// <summary>The bytes of <paramref name="rows"/> (a <c>T[]</c>).</summary>
    byte[] Encode(Array rows);

    /// <summary>The rows (a <c>T[]</c>) of a block's bytes.</summary>
    Array Decode(byte[] bytes);
}

/// <summary>
/// Picks a block's format by row type: Arrow record batches (columnar) for rows whose fields are all primitive,
/// string or date values, MemoryPack arrays for any other row. The first byte of a block names its format, so a
/// reader never has to be told.
/// </summary>
internal static class BlockCodec
{
    public const byte MemoryPackFormat = 1;
    public const byte ArrowFormat = 2;

    private static readonly ConcurrentDictionary<Type, IBlockCodec> s_codecs = new();

    public static IBlockCodec For(Type rowType) => s_codecs.GetOrAdd(rowType, static t => Create(t));

    public static BlockCodec<T> For<T>() => (BlockCodec<T>)For(typeof(T));

    private static IBlockCodec Create(Type rowType) =>
        (IBlockCodec)Activator.CreateInstance(typeof(BlockCodec<>).MakeGenericType(rowType))!;
}

/// <summary>The codec of one row type.</summary>
internal sealed class BlockCodec<T> : IBlockCodec
{
    private readonly ArrowRows<T>? _arrow = ArrowRows<T>.TryCreate();

    public Type RowType => typeof(T);

    /// <summary>Whether this row type's blocks are Arrow record batches.</summary>
    public bool IsColumnar => _arrow is not null;

    public byte[] Encode(Array rows) => Encode((T[])rows);

    public Array Decode(byte[] bytes) => DecodeRows(bytes);

    public byte[] Encode(T[] rows)
    {
        if (_arrow is not null) return _arrow.Encode(rows);
        var writer = new System.Buffers.ArrayBufferWriter<byte>(64 + rows.Length * 8);
        writer.GetSpan(1)[0] = BlockCodec.MemoryPackFormat;
        writer.Advance(1);
        MemoryPackSerializer.Serialize(writer, rows);
        return writer.WrittenSpan.ToArray();
    }

    public T[] DecodeRows(byte[] bytes)
    {
        if (bytes.Length == 0) return [];
        return bytes[0] switch
        {
            BlockCodec.MemoryPackFormat => MemoryPackSerializer.Deserialize<T[]>(bytes.AsSpan(1)) ?? [],
            BlockCodec.ArrowFormat when _arrow is not null => _arrow.Decode(bytes),
            var format => throw new InvalidOperationException($"A block of {typeof(T).Name} rows has format {format}, which this row type cannot read."),
        };
    }
}
