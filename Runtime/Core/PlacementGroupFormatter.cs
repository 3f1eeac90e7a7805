using System.Collections.Generic;
using MemoryPack;

namespace RayGen.Core;

/// <summary>Writes a placement group as its id and shape; reading it back finds the same group in the current runtime.</summary>
internal sealed class PlacementGroupFormatter : MemoryPackFormatter<PlacementGroup>
{
    public override void Serialize<TBufferWriter>(ref MemoryPackWriter<TBufferWriter> writer, scoped ref PlacementGroup? value)
    {
        if (value is null)
        {
            writer.WriteNullObjectHeader();
            return;
        }

        writer.WriteObjectHeader(3);
        writer.WriteUnmanaged(value.Number, (int)value.Strategy, value.BundleCount);
        foreach (var bundle in value.BundleSpecs)
        {
            writer.WriteUnmanaged(bundle.NumCpus, bundle.NumGpus);
            var resources = bundle.Resources is null ? null : new Dictionary<string, double>(bundle.Resources);
            writer.WriteValue(resources);
        }
    }

    public override void Deserialize(ref MemoryPackReader reader, scoped ref PlacementGroup? value)
    {
        if (!reader.TryReadObjectHeader(out _))
        {
            value = null;
            return;
        }

        reader.ReadUnmanaged(out long id, out int strategy, out int count);
        var bundles = new Bundle[count];
        for (var i = 0; i < count; i++)
        {
            reader.ReadUnmanaged(out double cpus, out double gpus);
            var resources = reader.ReadValue<Dictionary<string, double>>();
            bundles[i] = new Bundle { NumCpus = cpus, NumGpus = gpus, Resources = resources };
        }

        value = RuntimeCore.CurrentOrThrow("read a PlacementGroup").PlacementGroupById(id, bundles, (PlacementStrategy)strategy);
    }
}
