using System;
using System.Buffers;
using System.IO;
using System.IO.MemoryMappedFiles;

namespace RayGen.Store;

/// <summary>
/// A shared-memory payload mapped into this process and read in place: deserializing an argument from it
/// allocates only the resulting value, never a second copy of the bytes. Disposed when the run is done.
/// </summary>
/// <remarks>Named maps are unsupported on Linux, so the map is made from the file itself.</remarks>
internal sealed unsafe class MappedPayload : MemoryManager<byte>
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly int _length;
    private byte* _pointer;

    public MappedPayload(string path, int length)
    {
        _length = length;
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        try
        {
            _view = _file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _pointer);
            _pointer += _view.PointerOffset;
        }
        catch
        {
            _view?.Dispose();
            _file.Dispose();
            throw;
        }
    }

    public override Span<byte> GetSpan() => _pointer is null ? throw new ObjectDisposedException(nameof(MappedPayload)) : new Span<byte>(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (_pointer is null) return;
        _pointer = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
