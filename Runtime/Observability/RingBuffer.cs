using System;
using System.Collections.Generic;
using System.Threading;

namespace RayGen.Observability;

/// <summary>
/// The last <see cref="Capacity"/> items added, oldest dropped first. Adding takes no lock (an index claimed with one
/// interlocked increment, then a reference stored), so threads that finish tasks never meet here; a reader copies
/// what is there, and one item being overwritten while it reads may be seen as either of the two.
/// </summary>
internal sealed class RingBuffer<T> where T : class
{
    private readonly T?[] _items;
    private long _added;

    public RingBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _items = new T?[capacity];
    }

    public int Capacity => _items.Length;

    /// <summary>Items added since the buffer was made, dropped ones included.</summary>
    public long Added => Interlocked.Read(ref _added);

    public void Add(T item)
    {
        var index = Interlocked.Increment(ref _added) - 1;
        Volatile.Write(ref _items[index % _items.Length], item);
    }

    /// <summary>The items held now, oldest first.</summary>
    public List<T> Snapshot() => Snapshot(int.MaxValue);

    /// <summary>The newest <paramref name="last"/> items held now (fewer when fewer are held), oldest first.</summary>
    public List<T> Snapshot(int last)
    {
        var added = Added;
        var count = (int)Math.Min(Math.Min(added, _items.Length), Math.Max(0, last));
        var list = new List<T>(count);
        for (var i = added - count; i < added; i++)
        {
            if (Volatile.Read(ref _items[i % _items.Length]) is { } item) list.Add(item);
        }

        return list;
    }
}
