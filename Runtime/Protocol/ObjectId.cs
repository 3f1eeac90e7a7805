using MemoryPack;

namespace RayGen.Protocol;

/// <summary>Identifies one object in a runtime: the process that minted it and a sequence number.</summary>
[MemoryPackable]
internal readonly partial record struct ObjectId(long Owner, long Sequence)
{
    private static long s_next;

    /// <summary>Mints an id unique within this process; <paramref name="owner"/> keeps ids of different processes apart.</summary>
    public static ObjectId Next(long owner) => new(owner, System.Threading.Interlocked.Increment(ref s_next));

    public override string ToString() => $"{Owner:x}:{Sequence:x}";
}
