using System;
using System.Buffers;
using System.IO;
using MemoryPack;

namespace RayGen.Store;

/// <summary>
/// The buffer MemoryPack serializes a value into: a reused array while the value is small, and once it reaches
/// the inline threshold a file in the session's shared-memory directory, mapped and written in place (grown by
/// reserving more of the file and remapping; the pages already written stay where they are). A large value is
/// thus serialized once, straight into shared memory, and the map that wrote it is the one that reads it.
/// </summary>
internal sealed unsafe class StoreWriter : IBufferWriter<byte>
{
    private const int InitialBuffer = 4096;
    private const int KeepBuffer = 256 * 1024;
    private const long Granularity = 64 * 1024;

    [ThreadStatic]
    private static StoreWriter? t_cached;

    private byte[] _buffer = new byte[InitialBuffer];
    private long _written;
    private SharedStore _store = null!;
    // The driver owns what it writes: charged against the capacity, spilled, written into kept files (see SharedStore's constructor).
    private bool _driver;

    private FileStream? _file;
    private string? _name;
    private bool _spilled;
    private byte* _map;
    private long _mapLength;
    // Bytes of the file reserved for the value (and charged); at most _mapLength.
    private long _capacity;
    // A worker writing into a file the driver lent it: that file's name and the bytes the driver still charges for it.
    private string? _lentName;
    private long _lentSize;

    /// <summary>
    /// Serializes <paramref name="value"/>: a byte array when small, a <see cref="SharedObject"/> of
    /// <paramref name="store"/> when large. In the owner's store it is counted against the capacity (spilling, then
    /// <see cref="ObjectStoreFullException"/>, when it does not fit); a worker's file is counted by the driver when
    /// it takes it over.
    /// </summary>
    public static object Serialize<T>(T value, SharedStore store)
    {
        var writer = t_cached ?? new StoreWriter();
        t_cached = null; // a value whose formatter serializes another value gets a writer of its own
        writer._store = store;
        writer._driver = store.IsOwner;
        try
        {
            MemoryPackSerializer.Serialize(writer, value);
            return writer.Complete();
        }
        catch
        {
            writer.Abort();
            throw;
        }
        finally
        {
            writer.Reset();
            t_cached = writer;
        }
    }

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (_map is not null) throw new NotSupportedException("The store writer hands out spans only once it writes to shared memory.");
        EnsureBuffer(Math.Max(sizeHint, 1));
        return _buffer.AsMemory((int)_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (_map is null)
        {
            if (needed <= _buffer.Length) return _buffer.AsSpan((int)_written);
            if (needed < SharedStore.Threshold || !TryStartFile(needed))
            {
                EnsureBuffer(Math.Max(sizeHint, 1));
                return _buffer.AsSpan((int)_written);
            }
        }

        if (needed > _capacity) Grow(needed);
        return new Span<byte>(_map + _written, (int)Math.Min(_capacity - _written, int.MaxValue));
    }

    private void EnsureBuffer(int sizeHint)
    {
        var needed = _written + sizeHint;
        if (needed <= _buffer.Length) return;
        if (needed > Array.MaxLength) throw new InsufficientMemoryException("The value is too large to serialize.");
        var grown = GC.AllocateUninitializedArray<byte>((int)Math.Min(Array.MaxLength, Math.Max(needed, (long)_buffer.Length * 2)));
        _buffer.AsSpan(0, (int)_written).CopyTo(grown);
        _buffer = grown;
    }

    private static long RoundUp(long length) => (length + Granularity - 1) / Granularity * Granularity;

    /// <summary>Moves to a file of exactly the size asked for (a large array asks for all of itself at once).</summary>
    private bool TryStartFile(long needed)
    {
        if (_store.ReusesWrites && TryReuse(needed)) return true;
        var capacity = RoundUp(needed);
        var spilled = false;
        if (_driver && !_store.Reserve(capacity))
        {
            if (!_store.TryChargeSpill(capacity)) throw Full(capacity);
            spilled = true;
        }

        try
        {
            Open(_store.NewName(), spilled, capacity);
        }
        catch (IOException)
        {
            // tmpfs is full or gone: the value stays on the heap and crosses inline.
            Uncharge(spilled, capacity);
            return false;
        }

        new ReadOnlySpan<byte>(_buffer, 0, (int)_written).CopyTo(new Span<byte>(_map, (int)_written));
        return true;
    }

    /// <summary>Writes the value into a freed file the driver kept mapped (<see cref="FilePool"/>): its pages are touched already.</summary>
    private bool TryReuse(long needed)
    {
        if (!_store.TryTakeKept(needed, out var kept)) return false;
        // The kept file's bytes are charged already; only growth past its size (within its map) is charged anew.
        var capacity = kept.Size >= needed ? kept.Size : Math.Min(RoundUp(needed), kept.MapLength);
        if (_driver && capacity > kept.Size && !_store.Reserve(capacity - kept.Size))
        {
            _store.Files.Drop(kept);
            return false;
        }

        var name = _store.NewName();
        var file = _store.Files.Reopen(kept, name);
        if (file is null)
        {
            if (_driver) _store.Uncharge(capacity - kept.Size);
            return false;
        }

        try
        {
            if (capacity > kept.Size) Native.Allocate(file.SafeFileHandle, kept.Size, capacity);
        }
        catch (IOException)
        {
            file.Dispose();
            _store.Files.Drop(kept with { Name = name });
            if (_driver) _store.Uncharge(capacity - kept.Size);
            // Dropped under its new name, which the driver does not know: the lent one is settled here.
            else _store.SettleLent(kept.Name);
            return false;
        }

        if (!_driver)
        {
            // The driver still charges the lent file: a put of no more bytes takes that charge over (no round trip),
            // anything else settles it first (see SharedObject.PendingLent).
            _lentName = kept.Name;
            _lentSize = kept.Size;
            _store.NoteHandedOverReuse();
        }

        _file = file;
        _name = name;
        _spilled = false;
        _map = (byte*)kept.Map;
        _mapLength = kept.MapLength;
        _capacity = capacity;
        new ReadOnlySpan<byte>(_buffer, 0, (int)_written).CopyTo(new Span<byte>(_map, (int)_written));
        return true;
    }

    private ObjectStoreFullException Full(long length) => new(
        $"The object store is full: {_store.Used} of its capacity in use and {_store.SpillUsed} bytes spilled, " +
        $"and {length} more bytes fit neither after freeing unreachable values nor in the spill directory.");

    private void Open(string name, bool spilled, long capacity)
    {
        var path = _store.PathOf(name, spilled, create: spilled);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var file = new FileStream(path, options);
        try
        {
            Native.Allocate(file.SafeFileHandle, capacity);
            _map = Native.Map(file.SafeFileHandle, capacity, writable: true);
        }
        catch
        {
            file.Dispose();
            SharedStore.TryDelete(path);
            throw;
        }

        _file = file;
        _name = name;
        _spilled = spilled;
        _capacity = capacity;
        _mapLength = capacity;
    }

    private void Grow(long needed)
    {
        var capacity = RoundUp(Math.Max(needed, _capacity * 2));
        var delta = capacity - _capacity;
        if (_driver && !_spilled && !_store.Reserve(delta))
        {
            MoveToSpill(capacity);
            return;
        }

        if (_driver && _spilled && !_store.TryChargeSpill(delta)) throw Full(delta);
        try
        {
            Native.Allocate(_file!.SafeFileHandle, _capacity, capacity);
            if (capacity > _mapLength)
            {
                Native.Unmap(_map, _mapLength);
                _map = null;
                _map = Native.Map(_file.SafeFileHandle, capacity, writable: true);
                _mapLength = capacity;
            }
        }
        catch
        {
            Uncharge(_spilled, delta);
            throw;
        }

        _capacity = capacity;
    }

    /// <summary>Shared memory ran out mid-value: what is written so far moves to a file in the spill directory.</summary>
    private void MoveToSpill(long capacity)
    {
        if (!_store.TryChargeSpill(capacity)) throw Full(capacity);
        var oldMap = _map;
        var (oldCapacity, oldMapLength, oldFile, oldName) = (_capacity, _mapLength, _file!, _name!);
        try
        {
            Open(_store.NewName(), spilled: true, capacity);
        }
        catch
        {
            _store.UnchargeSpill(capacity);
            _map = oldMap;
            _mapLength = oldMapLength;
            throw;
        }

        Buffer.MemoryCopy(oldMap, _map, capacity, _written);
        Native.Unmap(oldMap, oldMapLength);
        oldFile.Dispose();
        SharedStore.TryDelete(_store.PathOf(oldName, spilled: false));
        _store.Uncharge(oldCapacity);
    }

    private void Uncharge(bool spilled, long length)
    {
        if (!_driver) return;
        if (spilled) _store.UnchargeSpill(length);
        else _store.Uncharge(length);
    }

    private object Complete()
    {
        if (_map is null) return _buffer.AsSpan(0, (int)_written).ToArray();
        if (_written > int.MaxValue) throw new InsufficientMemoryException("A stored value must be under 2 GiB.");
        // The tail reserved for growth goes back to tmpfs; the map keeps its length (nothing reads past the value).
        _file!.SetLength(_written);
        _file!.Dispose();
        _file = null;
        var charged = _driver ? _written : 0;
        Uncharge(_spilled, _capacity - charged);
        var shared = new SharedObject(_store, _name!, (int)_written, owned: _driver, spilled: _spilled, charged: charged, _map, _mapLength, writable: _store.ReusesWrites);
        if (_lentName is not null) shared.PendingLent = new LentCharge(_lentName, _lentSize);
        _lentName = null;
        _map = null;
        _store.Track(shared);
        return shared;
    }

    private void Abort()
    {
        if (_lentName is not null) _store.SettleLent(_lentName);
        _lentName = null;
        if (_name is null) return;
        Native.Unmap(_map, _mapLength);
        _map = null;
        _file?.Dispose();
        _file = null;
        SharedStore.TryDelete(_store.PathOf(_name, _spilled));
        Uncharge(_spilled, _capacity);
    }

    private void Reset()
    {
        _written = 0;
        _map = null;
        _file = null;
        _name = null;
        _capacity = 0;
        _mapLength = 0;
        _spilled = false;
        _lentName = null;
        _lentSize = 0;
        _store = null!;
        if (_buffer.Length > KeepBuffer) _buffer = new byte[InitialBuffer];
    }
}
