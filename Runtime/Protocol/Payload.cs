using System;
using MemoryPack;

namespace RayGen.Protocol;

/// <summary>
/// A value's bytes in a frame: inline when small, or the name of a file in the session's shared-memory
/// directory (tmpfs) when it is 100 KiB or more, so large values never squeeze through the socket.
/// </summary>
[MemoryPackable]
internal partial struct Payload
{
    public ReadOnlyMemory<byte> Inline { get; set; }

    /// <summary>File name inside the shared-memory directory; null for an inline payload.</summary>
    public string? File { get; set; }

    public int Length { get; set; }

    /// <summary>The file is in the session's spill directory on disk, not in shared memory.</summary>
    public bool Spilled { get; set; }

    /// <summary>The receiver owns the file and deletes it once read (worker results and puts moving to the driver).</summary>
    public bool Transfer { get; set; }
}
