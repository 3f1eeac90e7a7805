using MemoryPack;

namespace RayGen.Core;

/// <summary>Writes a handle as its actor's id; reading it back finds the same actor in the current runtime.</summary>
internal sealed class ActorHandleFormatter<TActor> : MemoryPackFormatter<ActorHandle<TActor>> where TActor : class
{
    public override void Serialize<TBufferWriter>(ref MemoryPackWriter<TBufferWriter> writer, scoped ref ActorHandle<TActor>? value)
    {
        if (value is null)
        {
            writer.WriteNullObjectHeader();
            return;
        }

        writer.WriteObjectHeader(1);
        writer.WriteUnmanaged(value.State.Id);
    }

    public override void Deserialize(ref MemoryPackReader reader, scoped ref ActorHandle<TActor>? value)
    {
        if (!reader.TryReadObjectHeader(out _))
        {
            value = null;
            return;
        }

        reader.ReadUnmanaged(out long id);
        value = new ActorHandle<TActor>(RuntimeCore.CurrentOrThrow("read an ActorHandle").ActorById(id, typeof(TActor)));
    }
}
