using System;
using System.Buffers;
using System.IO;
using System.Threading;

namespace RayGen.Store;

/// <summary>
/// A value whose MemoryPack bytes live in a file of the session's shared-memory directory (or, spilled, of its
/// spill directory), read in place through one map per process. The driver owns every such file: its copy is
/// <see cref="Owned"/> (it deletes the file when freed); a worker's copy only maps and unmaps it.
/// </summary>
/// <remarks>
/// Reads hold a pin while they use the bytes; a pinned object is neither spilled nor freed. Deleting a file that
/// some process still maps is safe on Linux (the pages stay until the last unmap), so only accounting depends
/// on the pins, never memory safety across processes.
/// </remarks>
internal sealed unsafe class SharedObject : MemoryManager<byte>
{
    private byte* _map;
    private long _mapLength;
    private int _pins;
    private bool _freed;
    // The map is the writable one this process wrote the value through: freed, the file can be reused with it (FilePool),
    // by the driver at once, by a worker (which handed the file over) once the driver gives it back (SharedStore.Lending).
    private bool _writable;

    internal SharedObject(SharedStore store, string name, int length, bool owned, bool spilled, long charged, byte* map = null, long mapLength = 0, bool writable = false)
    {
        Store = store;
        _writable = writable && map is not null && !spilled;
        Name = name;
        Length = length;
        Owned = owned;
        Spilled = spilled;
        if (spilled) SpillCharged = charged;
        else Charged = charged;
        _map = map;
        _mapLength = mapLength;
    }

    /// <summary>The file's name; the same in the shared-memory and the spill directory.</summary>
    /// <summary>The store (one per runtime) that counts this object's bytes and frees its file.</summary>
    public SharedStore Store { get; }

    public string Name { get; }

    /// <summary>The value's serialized length (the file's size).</summary>
    public int Length { get; }

    /// <summary>This process deletes the file when the object is freed (the driver).</summary>
    public bool Owned { get; private set; }

    /// <summary>The file is in the spill directory on disk rather than in shared memory.</summary>
    public bool Spilled { get; private set; }

    /// <summary>Bytes counted against the store's capacity.</summary>
    public long Charged { get; private set; }

    /// <summary>Bytes counted against the spill directory's limit.</summary>
    public long SpillCharged { get; private set; }

    /// <summary>The entry that holds this object, weakly: once it is collected (and no pin is held) the object is freed by a sweep.</summary>
    public WeakReference<ObjectEntry>? Owner { get; set; }

    /// <summary>The pid of the process that wrote the value (file names start with it).</summary>
    public int CreatorPid => int.Parse(Name.AsSpan(0, Name.IndexOf('-')), provider: System.Globalization.CultureInfo.InvariantCulture);

    private object? _pendingLent;

    /// <summary>
    /// Worker: the value was written into a file the driver lent back, which the driver still charges to the store. A
    /// put of no more bytes than that charge hands it over with the file (<see cref="TakePendingLent"/>); any other
    /// hand-over, or freeing the value here, settles the lent file first (<see cref="SharedStore.SettleLent"/>).
    /// </summary>
    internal LentCharge? PendingLent
    {
        get => Volatile.Read(ref _pendingLent) as LentCharge;
        set => Volatile.Write(ref _pendingLent, value);
    }

    /// <summary>Worker: takes the lent file's charge for the hand-over (once: null after the first call).</summary>
    internal LentCharge? TakePendingLent() => Interlocked.Exchange(ref _pendingLent, null) as LentCharge;

    /// <summary>Worker: tells the driver to stop counting the lent file this value was written into, unless that was done or taken over.</summary>
    internal void SettlePendingLent()
    {
        if (TakePendingLent() is { } lent) Store.SettleLent(lent.Name);
    }

    public bool IsFreed => Volatile.Read(ref _freed);

    public int Pins => Volatile.Read(ref _pins);

    /// <summary>Once freed, its file would be kept for reuse (the driver's writable map, not pinned now).</summary>
    internal bool IsReusable => _writable && !_freed && _pins == 0;

    /// <summary>Where this process maps the bytes (0 when not mapped); with <see cref="MappedLength"/>, for tests.</summary>
    internal nint Address => (nint)_map;

    internal long MappedLength => _mapLength;

    public string FilePath => Store.PathOf(Name, Spilled);

    /// <summary>Maps the bytes if needed (restoring a spilled value when there is room) and pins them until <see cref="Release"/>.</summary>
    /// <exception cref="ObjectLostException">The object was freed.</exception>
    public byte* Acquire()
    {
        lock (this)
        {
            ThrowIfFreed();
            if (Spilled && Owned && _pins == 0 && TryRestoreLocked())
            {
                // Read from disk in place until now; from here on, from shared memory.
                Native.Unmap(_map, _mapLength);
                _map = null;
                _writable = false;
            }

            if (_map is null)
            {
                _map = Native.MapFile(FilePath, Length);
                _mapLength = Length;
            }

            _pins++;
            return _map;
        }
    }

    /// <summary>Pins without mapping: a run in a worker reads the file, so it must stay where its frame says.</summary>
    public void AddPin()
    {
        lock (this)
        {
            ThrowIfFreed();
            _pins++;
        }
    }

    public void Release()
    {
        lock (this) _pins--;
    }

    private void ThrowIfFreed()
    {
        if (_freed) throw new ObjectLostException($"The shared-memory object {Name} was freed.");
    }

    /// <summary>Moves a spilled value back into shared memory when it fits without evicting anything and no worker maps it.</summary>
    private bool TryRestoreLocked()
    {
        if (Owner is null || !Owner.TryGetTarget(out var entry) || entry.Borrowers > 0) return false;
        if (!Store.TryCharge(Length)) return false;
        var spillPath = FilePath;
        try
        {
            File.Copy(spillPath, Store.PathOf(Name, spilled: false));
        }
        catch (IOException)
        {
            Store.Uncharge(Length);
            return false;
        }

        Spilled = false;
        Charged = Length;
        SharedStore.TryDelete(spillPath);
        Store.UnchargeSpill(SpillCharged);
        SpillCharged = 0;
        return true;
    }

    /// <summary>Copies the value to the spill directory and gives its shared memory back; false when it is in use.</summary>
    public bool TrySpill()
    {
        lock (this)
        {
            if (_freed || Spilled || !Owned || _pins > 0) return false;
            if (Owner is not null && Owner.TryGetTarget(out var entry) && entry.Borrowers > 0) return false;
            if (!Store.TryChargeSpill(Length)) return false;
            var path = FilePath;
            try
            {
                File.Copy(path, Store.PathOf(Name, spilled: true, create: true));
            }
            catch (IOException)
            {
                Store.UnchargeSpill(Length);
                return false;
            }

            Native.Unmap(_map, _mapLength);
            _map = null;
            _mapLength = 0;
            _writable = false;
            Spilled = true;
            SpillCharged = Length;
            SharedStore.TryDelete(path);
            Store.Uncharge(Charged);
            Charged = 0;
            return true;
        }
    }

    /// <summary>Unmaps, and for the owner deletes the file and gives its bytes back; false while pinned.</summary>
    public bool TryFree(bool force = false)
    {
        lock (this)
        {
            if (_freed || (_pins > 0 && !force)) return _freed;
            _freed = true;
            if (!Owned) SettlePendingLent();
            if (_writable && _pins == 0 && !Store.IsDisposed &&
                (Owned ? Store.Files.TryKeep(Name, _map, _mapLength, Charged, Store.Capacity) : Store.HoldHandedOver(Name, _map, _mapLength, Length)))
            {
                // The pool holds the file, its map and its charge now.
                _map = null;
                _mapLength = 0;
                Charged = 0;
                return true;
            }

            Native.Unmap(_map, _mapLength);
            _map = null;
            _mapLength = 0;
            if (Owned)
            {
                // A file a worker wrote goes back to it, still charged (nothing maps it now: see SharedStore.Lending).
                if (!Spilled && _pins == 0 && !Store.IsDisposed && !Store.Files.Refusing && Store.LendBack is { } lendBack && lendBack(this))
                {
                    Charged = 0;
                    return true;
                }

                // At shutdown the session's directories go as a whole.
                if (!Store.IsDisposed) SharedStore.TryDelete(FilePath);
                Store.Uncharge(Charged);
                Store.UnchargeSpill(SpillCharged);
            }

            return true;
        }
    }

    /// <summary>The driver takes over a file a worker wrote: it is now the one to delete it.</summary>
    public override Span<byte> GetSpan()
    {
        var pointer = Acquire();
        Release(); // MemoryManager spans have no release; the object's owner keeps the map alive.
        return new Span<byte>(pointer, Length);
    }

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        var pointer = Acquire();
        return new MemoryHandle(pointer + elementIndex, default, this);
    }

    public override void Unpin() => Release();

    protected override void Dispose(bool disposing) => TryFree(force: true);

    public override string ToString() => $"SharedObject({Name}, {Length} bytes{(Spilled ? ", spilled" : "")})";
}

/// <summary>A file the driver lent a worker, by name, and the bytes the driver charges the store for it.</summary>
internal sealed record LentCharge(string Name, long Size);
