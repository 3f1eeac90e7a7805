using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using RayGen.ObjectStore;

namespace RayGen;

/// <summary>
/// A read-only view of an array of unmanaged values (<c>int[]</c>, <c>double[]</c>, structs without
/// references) straight over the object store's copy of it: reading it copies nothing. Get it with
/// <see cref="ArrayViews.GetView{T}(ObjectRef{T[]})"/>; dispose it when done, and do not use its span after.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <remarks>
/// <see cref="ObjectRef{T}.Get()"/> deserializes a fresh array every time, which for large arrays means
/// allocating and copying all of it. A view shares the stored bytes instead, so it is the way to read a
/// large array many times, or to read a part of it. The stored value never changes, so the view is
/// read-only. Disposing releases the view's hold on the bytes.
/// </remarks>
public readonly struct ArrayView<T> : IDisposable where T : unmanaged
{
    private readonly byte[]? _bytes;
    private readonly int _offset;

    internal ArrayView(byte[] bytes, int offset, int length)
    {
        _bytes = bytes;
        _offset = offset;
        Length = length;
    }

    /// <summary>How many elements the array has.</summary>
    public int Length { get; }

    /// <summary>Whether the stored array was <see langword="null"/>.</summary>
    public bool IsNull => _bytes is null;

    /// <summary>The elements, in place.</summary>
    public ReadOnlySpan<T> Span =>
        _bytes is null ? ReadOnlySpan<T>.Empty : MemoryMarshal.Cast<byte, T>(_bytes.AsSpan(_offset, Length * Unsafe.SizeOf<T>()));

    /// <summary>One element.</summary>
    public T this[int index] => Span[index];

    /// <summary>Copies the elements into a new array (what <c>Get()</c> returns).</summary>
    public T[] ToArray() => Span.ToArray();

    /// <summary>Releases the view. The span must not be used afterwards.</summary>
    public void Dispose()
    {
        // Values live in this process's memory today; with a mapped store this unmaps the region.
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
        if (entry.Data is not { } data)
        {
            entry.Runtime.WaitReady(entry, Timeout.InfiniteTimeSpan);
            data = entry.Data!;
        }

        return View<T>(data);
    }

    /// <summary>Reads MemoryPack's layout of an unmanaged array: an int32 count (-1 for null), then the raw elements.</summary>
    internal static ArrayView<T> View<T>(byte[] data) where T : unmanaged
    {
        if (data.Length < 4) throw new RayException("The stored value is not an array.");
        var count = BitConverter.ToInt32(data, 0);
        if (count == -1) return default;
        if (count < 0 || (long)count * Unsafe.SizeOf<T>() > data.Length - 4)
            throw new RayException($"The stored value is not an array of {typeof(T).Name}.");
        return new ArrayView<T>(data, 4, count);
    }
}
