using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using RayGen.Store;

namespace RayGen;

/// <summary>
/// A read-only view of an array of unmanaged values (<c>int[]</c>, <c>double[]</c>, structs without
/// references) straight over the object store's copy of it: reading it copies nothing. Get it with
/// <see cref="ArrayViews.GetView{T}(ObjectRef{T[]})"/>; dispose it when done, and do not use its span after.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <remarks>
/// <see cref="ObjectRef{T}.Get()"/> deserializes a fresh array every time, which for large arrays means
/// allocating and copying all of it. A view points into the stored bytes instead: in process mode a large
/// array lives in a file in shared memory that every process maps, and the view's span is that mapping,
/// just past MemoryPack's four-byte length. Opening a view maps the file at most once per process and
/// touches no page but the first, so it costs the same for a kilobyte and a gigabyte. While a view is open
/// the value stays where it is (it is neither freed nor spilled); disposing releases that hold.
/// </remarks>
public readonly unsafe struct ArrayView<T> : IDisposable where T : unmanaged
{
    private readonly byte[]? _bytes;
    private readonly ViewLease? _lease;
    private readonly byte* _pointer;

    internal ArrayView(byte[] bytes, int offset, int length)
    {
        _bytes = bytes;
        _lease = null;
        _pointer = null;
        Offset = offset;
        Length = length;
    }

    internal ArrayView(ViewLease lease, byte* pointer, int length)
    {
        _bytes = null;
        _lease = lease;
        _pointer = pointer;
        Offset = 0;
        Length = length;
    }

    private int Offset { get; }

    /// <summary>How many elements the array has.</summary>
    public int Length { get; }

    /// <summary>Whether the stored array was <see langword="null"/>.</summary>
    public bool IsNull => _bytes is null && _lease is null;

    /// <summary>Where the elements start in memory; for tests that check the view lies in the mapped file.</summary>
    internal nint Address => _lease is not null ? (nint)_pointer : 0;

    /// <summary>The elements, in place.</summary>
    public ReadOnlySpan<T> Span
    {
        get
        {
            if (_lease is not null)
            {
                _lease.ThrowIfReleased();
                return new ReadOnlySpan<T>(_pointer, Length);
            }

            return _bytes is null ? ReadOnlySpan<T>.Empty : MemoryMarshal.Cast<byte, T>(_bytes.AsSpan(Offset, Length * Unsafe.SizeOf<T>()));
        }
    }

    /// <summary>One element.</summary>
    public T this[int index] => Span[index];

    /// <summary>Copies the elements into a new array (what <c>Get()</c> returns).</summary>
    public T[] ToArray() => Span.ToArray();

    /// <summary>Releases the view's hold on the stored bytes. The span must not be used afterwards; disposing twice is harmless.</summary>
    public void Dispose() => _lease?.Release();
}

/// <summary>A view's pin on a shared-memory object, released once however many copies of the view are disposed.</summary>
/// <remarks>
/// It holds the object's entry too: while a view is open its ref counts as reachable, so a worker does not report it
/// released (nor the driver free it and reuse the file) while the view still reads the mapped bytes.
/// </remarks>
internal sealed class ViewLease(SharedObject shared, ObjectEntry entry)
{
    private int _released;
    private ObjectEntry? _entry = entry;

    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0) return;
        shared.Release();
        _entry = null;
    }

    public void ThrowIfReleased()
    {
        if (Volatile.Read(ref _released) != 0) throw new ObjectDisposedException(nameof(ArrayView<byte>), "The array view was disposed.");
    }
}

/// <summary>Zero-copy reads of stored arrays; see <see cref="ArrayView{T}"/>.</summary>
public static class ArrayViews
{
    /// <summary>Waits until the array is ready and returns a view over the stored bytes, without copying them.</summary>
    /// <exception cref="RayException">The task that produces the array failed (the same errors as <c>Get</c>).</exception>
    public static ArrayView<T> GetView<T>(this ObjectRef<T[]> reference) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(reference);
        var entry = reference.Entry;
        if (!entry.IsCompleted || entry.IsFailed) entry.Host.WaitReady(entry, Timeout.InfiniteTimeSpan);
        if (entry.Shared is { } shared) return View<T>(shared, entry);
        // A value held on another node comes here whole first (the remote value keeps the array it pulled).
        if (entry.Remote is { } remote && System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(remote.Memory, out var pulled))
            return View<T>(pulled.Array!);
        return View<T>(entry.Data!);
    }

    /// <summary>Reads MemoryPack's layout of an unmanaged array: an int32 count (-1 for null), then the raw elements.</summary>
    internal static ArrayView<T> View<T>(byte[] data) where T : unmanaged
    {
        var count = Count<T>(data);
        return count == -1 ? default : new ArrayView<T>(data, 4, count);
    }

    private static unsafe ArrayView<T> View<T>(SharedObject shared, ObjectEntry entry) where T : unmanaged
    {
        var pointer = shared.Acquire();
        try
        {
            var count = Count<T>(new ReadOnlySpan<byte>(pointer, Math.Min(shared.Length, 4)), shared.Length);
            if (count == -1)
            {
                shared.Release();
                return default;
            }

            return new ArrayView<T>(new ViewLease(shared, entry), pointer + 4, count);
        }
        catch
        {
            shared.Release();
            throw;
        }
    }

    private static int Count<T>(ReadOnlySpan<byte> data, int length = -1) where T : unmanaged
    {
        if (length < 0) length = data.Length;
        if (length < 4) throw new RayException("The stored value is not an array.");
        var count = MemoryMarshal.Read<int>(data);
        if (count == -1) return -1;
        if (count < 0 || (long)count * Unsafe.SizeOf<T>() > length - 4)
            throw new RayException($"The stored value is not an array of {typeof(T).Name}.");
        return count;
    }
}
