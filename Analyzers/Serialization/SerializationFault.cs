using Microsoft.CodeAnalysis;

namespace RayGen.Analyzers.Serialization;

/// <summary>The innermost type MemoryPack cannot handle, and why (a predicate: "is a delegate: ..."), so the message can point at it.</summary>
internal sealed class SerializationFault
{
    public SerializationFault(ITypeSymbol type, string reason)
    {
        Type = type;
        Reason = reason;
    }

    public ITypeSymbol Type { get; }

    public string Reason { get; }
}
