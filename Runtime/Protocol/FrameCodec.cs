using System;
using System.Buffers.Binary;
using MemoryPack;

namespace RayGen.Protocol;

/// <summary>
/// The wire format: each frame is [int32 little-endian length][MemoryPack body of an <see cref="IFrame"/>]. Both
/// ends are ours, but a connection may come from anyone who can reach the socket, so every length and body is
/// checked and a bad one ends that connection alone, with a message naming what was wrong.
/// </summary>
internal static class FrameCodec
{
    public const int HeaderBytes = 4;

    /// <summary>Frames above this are refused as malformed; large values belong in the shared-memory store.</summary>
    public const int MaxFrameBytes = int.MaxValue - 64;

    /// <summary>Appends one frame to <paramref name="buffer"/>; a frame that fails half-way leaves nothing behind.</summary>
    public static void Write(FrameBuffer buffer, IFrame frame)
    {
        var header = buffer.BeginFrame();
        try
        {
            MemoryPackSerializer.Serialize(buffer, frame);
            buffer.EndFrame(header, MaxFrameBytes);
        }
        catch
        {
            // Half a frame on the wire would make the peer read garbage from then on.
            buffer.Truncate(header);
            throw;
        }
    }

    /// <summary>
    /// Decodes the frame at the start of <paramref name="buffer"/>; false when its bytes have not all arrived yet.
    /// Throws <see cref="MalformedFrameException"/> for a length out of range or a body that does not decode.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> buffer, out IFrame frame, out int consumed)
    {
        frame = null!;
        consumed = 0;
        if (buffer.Length < HeaderBytes) return false;
        var length = BinaryPrimitives.ReadInt32LittleEndian(buffer);
        if (length <= 0) throw new MalformedFrameException($"a frame announced {length} bytes");
        // Refused before its body arrives: waiting for 2 GiB from a stranger would grow the buffer to match.
        if (length > MaxFrameBytes) throw new MalformedFrameException($"a frame announced {length} bytes, more than the {MaxFrameBytes} a frame may hold");
        if (buffer.Length < (long)HeaderBytes + length) return false;
        try
        {
            frame = MemoryPackSerializer.Deserialize<IFrame>(buffer.Slice(HeaderBytes, length))
                    ?? throw new MalformedFrameException("a frame decoded to nothing");
        }
        catch (Exception e) when (e is not MalformedFrameException)
        {
            // MemoryPack reports bad input with several exception types; any of them means the peer sent garbage.
            throw new MalformedFrameException($"a frame could not be decoded ({e.GetType().Name}: {e.Message})");
        }

        consumed = HeaderBytes + length;
        return true;
    }

    /// <summary>The close error of a connection that ended with <paramref name="leftOver"/> bytes of a frame unread (none: a clean end).</summary>
    public static string? Tail(int leftOver) =>
        leftOver == 0 ? null : $"the connection ended inside a frame ({leftOver} bytes left over)";
}

/// <summary>The peer sent bytes that are not a frame; its message names the problem.</summary>
internal sealed class MalformedFrameException(string message) : Exception(message);
