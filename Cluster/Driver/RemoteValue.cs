using System;
using System.Buffers;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Core;

namespace RayGen.Cluster.Driver;

/// <summary>
/// A large value a node holds for this driver (a task's result made there, or an object a result referred to): the
/// driver's entry completes with it at once, so waits and dependent tasks go on, while its bytes stay on the node
/// until the driver asks for them (a Get, an argument no node can give). Tasks elsewhere pull it node to node.
/// Reading its span brings the bytes here once; if the node died, a task's value is made again by running the
/// task again (Ray's lineage), whose own arguments are made again the same way when they were lost too.
/// </summary>
internal sealed class RemoteValue : MemoryManager<byte>
{
    private readonly Func<RemoteValue, Task<byte[]>> _fetch;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[]? _local;

    public RemoteValue(int length, TaskSpec? producer, Func<RemoteValue, Task<byte[]>> fetch)
    {
        Length = length;
        Producer = producer;
        _fetch = fetch;
    }

    /// <summary>The task that made it, run again if its copy is lost; null for an object put on a node (not made again).</summary>
    public TaskSpec? Producer { get; }

    public int Length { get; }

    /// <summary>Whether the bytes are here already.</summary>
    public bool IsLocal => Volatile.Read(ref _local) is not null;

    /// <summary>Where the value is now; replaced when its task ran again after its node died.</summary>
    public ClusterBackend.HeldCopy? Copy
    {
        get => Volatile.Read(ref _copy);
        set => Volatile.Write(ref _copy, value);
    }

    private ClusterBackend.HeldCopy? _copy;

    /// <summary>Takes bytes that came another way (a value made again that came back inline).</summary>
    public void SetLocal(byte[] bytes) => Interlocked.CompareExchange(ref _local, bytes, null);

    public override Memory<byte> Memory => CreateMemory(Length);

    public override Span<byte> GetSpan() => Local();

    /// <summary>The bytes, pulled here first if they are not; blocks the caller meanwhile.</summary>
    public byte[] Local() => Volatile.Read(ref _local) ?? LocalAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>The bytes, pulled here first if they are not (once, whoever asks first).</summary>
    public async ValueTask<byte[]> LocalAsync()
    {
        if (Volatile.Read(ref _local) is { } local) return local;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_local is { } pulled) return pulled;
            var bytes = await _fetch(this).ConfigureAwait(false);
            Volatile.Write(ref _local, bytes);
            return bytes;
        }
        finally
        {
            _gate.Release();
        }
    }

    public override MemoryHandle Pin(int elementIndex = 0) => Local().AsMemory(elementIndex).Pin();

    public override void Unpin()
    {
    }

    protected override bool TryGetArray(out ArraySegment<byte> segment)
    {
        segment = new ArraySegment<byte>(Local());
        return true;
    }

    protected override void Dispose(bool disposing)
    {
    }
}
