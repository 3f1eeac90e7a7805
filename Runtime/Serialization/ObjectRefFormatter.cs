using MemoryPack;
using RayGen.ObjectStore;

namespace RayGen.Serialization;

/// <summary>Writes a ref as its id; reading it back finds the same object in the current runtime.</summary>
internal sealed class ObjectRefFormatter<T> : MemoryPackFormatter<ObjectRef<T>>
{
    public override void Serialize<TBufferWriter>(ref MemoryPackWriter<TBufferWriter> writer, scoped ref ObjectRef<T>? value)
    {
        if (value is null)
        {
            writer.WriteNullObjectHeader();
            return;
        }

        writer.WriteObjectHeader(2);
        var id = value.Entry.Runtime.Objects.Export(value.Entry);
        writer.WriteUnmanaged(id.Owner, id.Sequence);
    }

    public override void Deserialize(ref MemoryPackReader reader, scoped ref ObjectRef<T>? value)
    {
        if (!reader.TryReadObjectHeader(out _))
        {
            value = null;
            return;
        }

        reader.ReadUnmanaged(out long owner, out long sequence);
        value = new ObjectRef<T>(Ray.CurrentCore("read an ObjectRef").Objects.Import(new ObjectId(owner, sequence)));
    }
}

/// <summary>The untyped ref's formatter; same wire shape as the typed one, so either can read the other.</summary>
internal sealed class ObjectRefFormatter : MemoryPackFormatter<ObjectRef>
{
    public override void Serialize<TBufferWriter>(ref MemoryPackWriter<TBufferWriter> writer, scoped ref ObjectRef? value)
    {
        if (value is null)
        {
            writer.WriteNullObjectHeader();
            return;
        }

        writer.WriteObjectHeader(2);
        var id = value.Entry.Runtime.Objects.Export(value.Entry);
        writer.WriteUnmanaged(id.Owner, id.Sequence);
    }

    public override void Deserialize(ref MemoryPackReader reader, scoped ref ObjectRef? value)
    {
        if (!reader.TryReadObjectHeader(out _))
        {
            value = null;
            return;
        }

        reader.ReadUnmanaged(out long owner, out long sequence);
        value = new ObjectRef(Ray.CurrentCore("read an ObjectRef").Objects.Import(new ObjectId(owner, sequence)));
    }
}
