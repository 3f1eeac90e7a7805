using System;
using System.Runtime.CompilerServices;
using MemoryPack;

namespace RayGen.Store;

/// <summary>Values as the store holds them: a byte array when small, a <see cref="SharedObject"/> when large.</summary>
internal static class ObjectValues
{
    /// <summary>
    /// Serializes a value that goes into the store (a put, a task's result). With shared memory on, a large value
    /// is written straight into it; types without references are small and fixed-size, so they take the plain path.
    /// </summary>
    public static object Serialize<T>(T value, string usage, SharedStore? store) => Serialize(value, usage, store, out _);

    /// <summary>
    /// <see cref="Serialize{T}(T, string, SharedStore?)"/>, also returning the refs serialized into the value (null
    /// when none), which a worker reports with a task's result.
    /// </summary>
    public static object Serialize<T>(T value, string usage, SharedStore? store, out ObjectEntry[]? refs)
    {
        refs = null;
        if (!RuntimeHelpers.IsReferenceOrContainsReferences<T>() || IsSmallPrimitiveArray(value, store)) return ValueCodec<T>.Serialize(value, usage);
        // A worker reports the refs in its puts and results to the driver with the value (see Containment.HeldBy).
        var scope = Containment.Open(forward: true);
        object? stored = null;
        try
        {
            if (store is null) return stored = ValueCodec<T>.Serialize(value, usage);
            ValueCodec<T>.EnsureSupported(usage);
            return stored = StoreWriter.Serialize(value, store);
        }
        catch (MemoryPackSerializationException e)
        {
            throw ValueCodec<T>.Unsupported(usage, e.Message, e);
        }
        finally
        {
            refs = Containment.Close(scope, stored);
        }
    }

    /// <summary>Serializes a value with the plain codec; the bytes hold the refs serialized into them (see <see cref="Containment"/>).</summary>
    public static byte[] SerializeInline<T>(T value, string usage)
    {
        if (CannotHoldRefs<T>()) return ValueCodec<T>.Serialize(value, usage);
        // In a worker the refs go to the driver with the argument (a nested submission's WireArg).
        var scope = Containment.Open(forward: true);
        byte[]? bytes = null;
        try
        {
            return bytes = ValueCodec<T>.Serialize(value, usage);
        }
        finally
        {
            Containment.Close(scope, bytes);
        }
    }

    /// <summary>Whether no ref can be serialized into a <typeparamref name="T"/>, so serializing one needs no containment scope.</summary>
    public static bool CannotHoldRefs<T>() => !RuntimeHelpers.IsReferenceOrContainsReferences<T>() || ValueCodec<T>.IsPrimitiveArray;

    // A primitive array holds no refs; unless it is large enough for shared memory (with the store on), the plain
    // codec writes it in one exact-size copy, with no containment scope around it.
    private static bool IsSmallPrimitiveArray<T>(T value, SharedStore? store) =>
        ValueCodec<T>.IsPrimitiveArray && (store is null || ValueCodec<T>.PrimitiveArraySize(value) < SharedStore.Threshold);

    /// <summary>Deserializes a completed entry's value, in place when it is in shared memory.</summary>
    public static T Read<T>(ObjectEntry entry)
    {
        if (entry.Data is { } data) return Read<T>(entry, data);
        if (entry.Remote is { } remote) return ReadRemote<T>(entry, remote);
        if (CannotHoldRefs<T>()) return ReadShared<T>(entry);
        // Refs inside the value resolve in the entry's own runtime, whichever is current.
        using var reading = entry.Host.Objects.BeginReading();
        return ReadShared<T>(entry);
    }

    /// <summary>Deserializes <paramref name="data"/>, the inline value of <paramref name="entry"/>.</summary>
    public static T Read<T>(ObjectEntry entry, byte[] data)
    {
        if (CannotHoldRefs<T>()) return ValueCodec<T>.Deserialize(data);
        using var reading = entry.Host.Objects.BeginReading();
        return ValueCodec<T>.Deserialize(data);
    }

    // Reading the span brings the bytes here (once); the remote value keeps them for the next reader.
    private static T ReadRemote<T>(ObjectEntry entry, System.Buffers.MemoryManager<byte> remote)
    {
        if (CannotHoldRefs<T>()) return ValueCodec<T>.Deserialize(remote.GetSpan());
        using var reading = entry.Host.Objects.BeginReading();
        return ValueCodec<T>.Deserialize(remote.GetSpan());
    }

    private static unsafe T ReadShared<T>(ObjectEntry entry)
    {
        var shared = entry.Shared ?? throw new InvalidOperationException($"Object {entry.Id} has no value.");
        var pointer = shared.Acquire();
        try
        {
            return ValueCodec<T>.Deserialize(new ReadOnlySpan<byte>(pointer, shared.Length));
        }
        finally
        {
            shared.Release();
        }
    }
}
