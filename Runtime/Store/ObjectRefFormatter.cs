using MemoryPack;
using RayGen.Protocol;

namespace RayGen.Store;

/// <summary>Writes a ref as its id; reading it back finds the same object in the current runtime.</summary>
internal sealed class ObjectRefFormatter<T> : MemoryPackFormatter<ObjectRef<T>>
{
    public override void Serialize<TBufferWriter>(ref MemoryPackWriter<TBufferWriter> writer, scoped ref ObjectRef<T>? value) =>
        RefWire.Write(ref writer, value?.Entry);

    public override void Deserialize(ref MemoryPackReader reader, scoped ref ObjectRef<T>? value) =>
        value = RefWire.Read(ref reader) is { } entry ? new ObjectRef<T>(entry) : null;
}

/// <summary>The untyped ref's formatter; same wire shape as the typed one, so either can read the other.</summary>
internal sealed class ObjectRefFormatter : MemoryPackFormatter<ObjectRef>
{
    public override void Serialize<TBufferWriter>(ref MemoryPackWriter<TBufferWriter> writer, scoped ref ObjectRef? value) =>
        RefWire.Write(ref writer, value?.Entry);

    public override void Deserialize(ref MemoryPackReader reader, scoped ref ObjectRef? value) =>
        value = RefWire.Read(ref reader) is { } entry ? new ObjectRef(entry) : null;
}

/// <summary>The wire shape of every ref: a two-member object holding the id, or null.</summary>
internal static class RefWire
{
    public static void Write<TBufferWriter>(ref MemoryPackWriter<TBufferWriter> writer, ObjectEntry? entry)
        where TBufferWriter : System.Buffers.IBufferWriter<byte>
    {
        if (entry is null)
        {
            writer.WriteNullObjectHeader();
            return;
        }

        writer.WriteObjectHeader(2);
        var id = entry.Host.Objects.Export(entry);
        writer.WriteUnmanaged(id.Owner, id.Sequence);
    }

    public static ObjectEntry? Read(ref MemoryPackReader reader)
    {
        if (!reader.TryReadObjectHeader(out _)) return null;
        reader.ReadUnmanaged(out long owner, out long sequence);
        return ObjectDirectory.Reading("read an ObjectRef").Import(new ObjectId(owner, sequence));
    }
}
