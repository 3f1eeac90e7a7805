using System;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace RayGen.Store;

/// <summary>
/// The few libc calls the store maps files with. MemoryMappedFile would do, but it cannot grow a map in place,
/// reserve tmpfs pages up front (a write to an unreserved page of a full tmpfs is a SIGBUS, not an exception),
/// or skip its per-map allocations that a view open would pay.
/// </summary>
internal static unsafe partial class Native
{
    private const int ProtRead = 1;
    private const int ProtWrite = 2;
    private const int MapShared = 1;
    private static readonly IntPtr MapFailed = new(-1);

    [LibraryImport("libc", SetLastError = true)]
    private static partial IntPtr mmap(IntPtr addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int munmap(IntPtr addr, nuint length);

    [LibraryImport("libc")]
    private static partial int posix_fallocate(int fd, long offset, long length);

    /// <summary>Maps <paramref name="length"/> bytes of an open file, shared, read-only or read-write.</summary>
    public static byte* Map(SafeFileHandle file, long length, bool writable)
    {
        var fd = (int)file.DangerousGetHandle();
        var address = mmap(IntPtr.Zero, (nuint)length, writable ? ProtRead | ProtWrite : ProtRead, MapShared, fd, 0);
        if (address == MapFailed) throw new IOException($"mmap of {length} bytes failed (errno {Marshal.GetLastPInvokeError()}).");
        return (byte*)address;
    }

    /// <summary>Maps a whole file read-only by path; the descriptor is closed at once, the map stays valid.</summary>
    public static byte* MapFile(string path, long length)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        return Map(file, length, writable: false);
    }

    public static void Unmap(byte* address, long length)
    {
        if (address is not null) munmap((IntPtr)address, (nuint)length);
    }

    /// <summary>Gives the file real pages up to <paramref name="length"/> (and that size), so that writing through a map cannot fault on a full tmpfs.</summary>
    public static void Allocate(SafeFileHandle file, long length) => Allocate(file, 0, length);

    /// <summary>
    /// Gives the file real pages from <paramref name="from"/> up to <paramref name="to"/> (and at least that size). Pages
    /// below <paramref name="from"/> must be there already: asking for them again costs a walk over every one of them.
    /// </summary>
    public static void Allocate(SafeFileHandle file, long from, long to)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.SetLength(file, to);
            return;
        }

        var error = posix_fallocate((int)file.DangerousGetHandle(), from, to - from);
        if (error != 0) throw new IOException($"Reserving {to - from} bytes of shared memory failed (errno {error}).");
    }
}
