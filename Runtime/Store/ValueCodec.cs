using System;
using System.Buffers.Binary;
using System.Reflection;
using System.Runtime.InteropServices;
using MemoryPack;

namespace RayGen.Store;

/// <summary>Serializes values that cross a task boundary, turning MemoryPack's errors into ones that name the call.</summary>
internal static class ValueCodec<T>
{
    // Serializing default(T) once per type is the cheapest reliable probe: MemoryPack resolves the
    // formatter even for null, and throws the same error a real value would.
    private static readonly string? s_unsupported = Probe();

    private static string? Probe()
    {
        try
        {
            MemoryPackSerializer.Serialize<T>(default!);
            return null;
        }
        catch (Exception e) when (e is MemoryPackSerializationException or NotSupportedException or InvalidOperationException)
        {
            return e.Message;
        }
    }

    /// <summary>Throws a <see cref="RayException"/> naming the type and <paramref name="usage"/> when MemoryPack cannot serialize <typeparamref name="T"/>.</summary>
    public static void EnsureSupported(string usage)
    {
        if (s_unsupported is not null) throw Unsupported(usage, s_unsupported);
    }

    public static byte[] Serialize(T value, string usage)
    {
        EnsureSupported(usage);
        if (s_primitiveArray && value is Array array) return SerializePrimitiveArray(array);
        try
        {
            return MemoryPackSerializer.Serialize(value);
        }
        catch (MemoryPackSerializationException e)
        {
            throw Unsupported(usage, e.Message, e);
        }
    }

    // MemoryPack writes a primitive array as an int32 count and the raw elements, but through a pooled
    // buffer that it copies out at the end: two copies, and for a small one (a task's bytes) the rent and
    // return of the buffer cost more than the copy. It is written here into one uninitialized array of the
    // exact size instead, in the same layout.
    private static readonly bool s_primitiveArray =
        typeof(T).IsSZArray && typeof(T).GetElementType() is { IsPrimitive: true } element && element != typeof(IntPtr) && element != typeof(UIntPtr);

    /// <summary>Whether <typeparamref name="T"/> is an array of primitives: no ref can be serialized into it.</summary>
    public static bool IsPrimitiveArray => s_primitiveArray;

    /// <summary>The serialized size of a primitive array (<see cref="IsPrimitiveArray"/>); -1 for null.</summary>
    public static long PrimitiveArraySize(T value) => value is Array array ? sizeof(int) + (long)Buffer.ByteLength(array) : -1;

    private static byte[] SerializePrimitiveArray(Array array)
    {
        var length = Buffer.ByteLength(array);
        var bytes = GC.AllocateUninitializedArray<byte>(sizeof(int) + length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes, array.Length);
        Buffer.BlockCopy(array, 0, bytes, sizeof(int), length);
        return bytes;
    }

    public static T Deserialize(ReadOnlySpan<byte> data)
    {
        if (s_primitiveArray && TryDeserializePrimitiveArray(data, out var array)) return array;
        return MemoryPackSerializer.Deserialize<T>(data)!;
    }

    // The reverse of SerializePrimitiveArray, for the same reason: a caller reading many small results (a Get of a
    // thousand refs) paid MemoryPack's reader set-up per value. Anything but a well-formed array of exactly the
    // data's length (null, a short buffer) is left to MemoryPack, which reads or rejects it as it always did.
    private static bool TryDeserializePrimitiveArray(ReadOnlySpan<byte> data, out T value)
    {
        value = default!;
        if (data.Length < sizeof(int)) return false;
        var count = BinaryPrimitives.ReadInt32LittleEndian(data);
        var payload = data[sizeof(int)..];
        if (count < 0 || (long)count * s_elementSize != payload.Length) return false;
        var array = s_allocate!(count);
        payload.CopyTo(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(array), payload.Length));
        value = (T)(object)array;
        return true;
    }

    private static readonly int s_elementSize = s_primitiveArray ? Buffer.ByteLength(Array.CreateInstance(typeof(T).GetElementType()!, 1)) : 0;

    private static readonly Func<int, Array>? s_allocate = s_primitiveArray
        ? typeof(ValueCodec<T>).GetMethod(nameof(Allocate), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(typeof(T).GetElementType()!).CreateDelegate<Func<int, Array>>()
        : null;

    private static Array Allocate<TElement>(int count) => GC.AllocateUninitializedArray<TElement>(count);

    /// <summary>The error that names <typeparamref name="T"/>, <paramref name="usage"/> and why it cannot be serialized.</summary>
    internal static RayException Unsupported(string usage, string reason, Exception? inner = null) =>
        new($"RayGen cannot serialize type '{TypeNames.Display(typeof(T))}' used by {usage}: {reason} " +
            "Mark the type [MemoryPackable] (and partial), or use a type MemoryPack supports.", inner);
}

internal static class TypeNames
{
    public static string Display(Type type)
    {
        if (!type.IsGenericType) return type.FullName ?? type.Name;
        var name = type.GetGenericTypeDefinition().FullName ?? type.Name;
        var tick = name.IndexOf('`');
        if (tick >= 0) name = name[..tick];
        return name + "<" + string.Join(", ", Array.ConvertAll(type.GetGenericArguments(), Display)) + ">";
    }
}
