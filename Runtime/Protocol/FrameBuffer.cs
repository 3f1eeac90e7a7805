using System;
using System.Buffers;
using System.Buffers.Binary;

namespace RayGen.Protocol;

/// <summary>
/// A growable byte buffer frames are serialized into, each as [int32 length][body]; it drops back to its first
/// size after a large frame. Not thread-safe: its connection serializes access.
/// </summary>
internal sealed class FrameBuffer : IBufferWriter<byte>
{
    private readonly int _initialSize;
    private byte[] _buffer;

    public FrameBuffer(int initialSize = 16 * 1024)
    {
        _initialSize = initialSize;
        _buffer = new byte[initialSize];
    }

    public int Count { get; private set; }

    /// <summary>The buffer's size now (grows with the frames in it).</summary>
    public int Capacity => _buffer.Length;

    public Span<byte> Written => _buffer.AsSpan(0, Count);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, Count);

    /// <summary>Reserves the length header of a new frame and returns where it starts.</summary>
    public int BeginFrame()
    {
        // The header needs its own room: the previous frame may have filled the buffer to its last byte.
        Ensure(FrameCodec.HeaderBytes);
        var header = Count;
        Count += FrameCodec.HeaderBytes;
        return header;
    }

    /// <summary>Writes the length of the frame begun at <paramref name="header"/>, now that its body is written.</summary>
    public void EndFrame(int header, int maxFrameBytes)
    {
        var length = Count - header - FrameCodec.HeaderBytes;
        if (length > maxFrameBytes) throw new InvalidOperationException($"A frame of {length} bytes is too large to send.");
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(header, FrameCodec.HeaderBytes), length);
    }

    /// <summary>Drops everything written from <paramref name="count"/> on (a frame that failed half-way).</summary>
    public void Truncate(int count)
    {
        if ((uint)count > (uint)Count) throw new ArgumentOutOfRangeException(nameof(count));
        Count = count;
    }

    public void Reset()
    {
        Count = 0;
        if (_buffer.Length > 1024 * 1024) _buffer = new byte[_initialSize];
    }

    public void Advance(int count)
    {
        // A writer that advances past the span it was given would corrupt every later frame: fail here instead.
        if (count < 0 || count > _buffer.Length - Count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Advance({count}) with {_buffer.Length - Count} bytes free.");
        Count += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(Count);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(Count);
    }

    private void Ensure(int sizeHint)
    {
        var need = Math.Max(sizeHint, 256);
        if (_buffer.Length - Count >= need) return;
        var size = (int)Math.Min(Array.MaxLength, Math.Max((long)_buffer.Length * 2, (long)Count + need));
        var grown = GC.AllocateUninitializedArray<byte>(size);
        _buffer.AsSpan(0, Count).CopyTo(grown);
        _buffer = grown;
    }
}
