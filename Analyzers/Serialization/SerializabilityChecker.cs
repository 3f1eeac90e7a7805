using Microsoft.CodeAnalysis;

namespace RayGen.Analyzers.Serialization;

/// <summary>
/// Decides at compile time what MemoryPack decides at run time: whether a formatter exists for a type.
/// It answers with the innermost type at fault so that <c>List&lt;Stream&gt;</c> blames <c>Stream</c>.
/// </summary>
internal sealed class SerializabilityChecker
{
    private readonly KnownSymbols _known;

    public SerializabilityChecker(KnownSymbols known) => _known = known;

    /// <summary>Null when MemoryPack can serialize <paramref name="type"/>.</summary>
    public SerializationFault? Check(ITypeSymbol type)
    {
        switch (type)
        {
            case ITypeParameterSymbol:
            case IErrorTypeSymbol:
                // Unknowable here: generic methods get RAY005 and broken types a compiler error instead.
                return null;
            case IPointerTypeSymbol:
            case IFunctionPointerTypeSymbol:
                return Fault(type, "is a pointer, an address that means nothing in another process");
            case IDynamicTypeSymbol:
                return Fault(type, "is dynamic, which names no type to deserialize into");
            case IArrayTypeSymbol array:
                // MemoryPack has formatters for ranks 1 to 4 only.
                return array.Rank > 4 ? Fault(type, "is an array of rank above 4, which has no formatter") : Check(array.ElementType);
            case INamedTypeSymbol named:
                return CheckNamed(named);
            default:
                return Fault(type, "has no MemoryPack formatter");
        }
    }

    private SerializationFault? CheckNamed(INamedTypeSymbol type)
    {
        if (type.SpecialType == SpecialType.System_Object)
            return Fault(type, "names no type to deserialize into");
        if (type.IsRefLikeType)
            return Fault(type, "is a ref struct, which cannot leave the stack");
        if (type.TypeKind == TypeKind.Delegate)
            return Fault(type, "is a delegate: code, not data");
        if (type.IsAnonymousType)
            return Fault(type, "is an anonymous type; use a tuple or a [MemoryPackable] record");
        if (_known.IsRayValueType(type))
            return null;
        if (KnownSymbols.HasAttribute(type.OriginalDefinition, _known.MemoryPackable))
            return CheckTypeArguments(type);
        if (KnownSymbols.HasAttribute(type.OriginalDefinition, _known.MemoryPackUnion))
            return null;
        if (WellKnownSerializableTypes.IsNonGeneric(type))
            return null;
        if (WellKnownSerializableTypes.IsGenericContainer(type))
            return CheckTypeArguments(type);
        // Enums and structs without references are copied as raw bytes by MemoryPack's unmanaged formatter.
        if (type.TypeKind == TypeKind.Enum || type.IsUnmanagedType)
            return null;
        return Fault(type, ReasonFor(type));
    }

    private SerializationFault? CheckTypeArguments(INamedTypeSymbol type)
    {
        foreach (var argument in type.TypeArguments)
        {
            var fault = Check(argument);
            if (fault is not null)
                return fault;
        }
        return null;
    }

    private static string ReasonFor(INamedTypeSymbol type) => type.TypeKind switch
    {
        TypeKind.Interface => "is an interface without [MemoryPackUnion]",
        TypeKind.Struct => "is a struct that holds references and has no [MemoryPackable]",
        _ when type.IsAbstract => "is an abstract class without [MemoryPackUnion]",
        _ => "is a class without [MemoryPackable]",
    };

    private static SerializationFault Fault(ITypeSymbol type, string reason) => new(type, reason);
}
