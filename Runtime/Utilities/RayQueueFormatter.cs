using MemoryPack;

namespace RayGen.Utilities;

/// <summary>Writes a queue as its actor's handle and size limit, so it reaches the same queue wherever it is read.</summary>
internal sealed class RayQueueFormatter<T> : MemoryPackFormatter<RayQueue<T>>
{
    public override void Serialize<TBufferWriter>(ref MemoryPackWriter<TBufferWriter> writer, scoped ref RayQueue<T>? value)
    {
        if (value is null)
        {
            writer.WriteNullObjectHeader();
            return;
        }

        writer.WriteObjectHeader(2);
        writer.WriteValue(value.Actor);
        writer.WriteUnmanaged(value.MaxSize);
    }

    public override void Deserialize(ref MemoryPackReader reader, scoped ref RayQueue<T>? value)
    {
        if (!reader.TryReadObjectHeader(out _))
        {
            value = null;
            return;
        }

        var actor = reader.ReadValue<ActorHandle<QueueActor>>()!;
        reader.ReadUnmanaged(out int maxSize);
        value = new RayQueue<T>(actor, maxSize);
    }
}
