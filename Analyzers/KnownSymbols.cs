using Microsoft.CodeAnalysis;

namespace RayGen.Analyzers;

/// <summary>The types the analyzers compare against, resolved once per compilation.</summary>
internal sealed class KnownSymbols
{
    private KnownSymbols(Compilation compilation, INamedTypeSymbol remoteAttribute)
    {
        RemoteAttribute = remoteAttribute;
        Ray = compilation.GetTypeByMetadataName("RayGen.Ray");
        ObjectRef = compilation.GetTypeByMetadataName("RayGen.ObjectRef");
        ObjectRefOfT = compilation.GetTypeByMetadataName("RayGen.ObjectRef`1");
        ActorHandle = compilation.GetTypeByMetadataName("RayGen.ActorHandle`1");
        PlacementGroup = compilation.GetTypeByMetadataName("RayGen.PlacementGroup");
        RayQueue = compilation.GetTypeByMetadataName("RayGen.RayQueue`1");
        ObjectRefStream = compilation.GetTypeByMetadataName("RayGen.ObjectRefStream`1");
        MemoryPackable = compilation.GetTypeByMetadataName("MemoryPack.MemoryPackableAttribute");
        MemoryPackUnion = compilation.GetTypeByMetadataName("MemoryPack.MemoryPackUnionAttribute");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
    }

    public INamedTypeSymbol RemoteAttribute { get; }
    public INamedTypeSymbol? Ray { get; }
    public INamedTypeSymbol? ObjectRef { get; }
    public INamedTypeSymbol? ObjectRefOfT { get; }
    public INamedTypeSymbol? ActorHandle { get; }
    public INamedTypeSymbol? PlacementGroup { get; }
    public INamedTypeSymbol? RayQueue { get; }
    public INamedTypeSymbol? ObjectRefStream { get; }
    public INamedTypeSymbol? MemoryPackable { get; }
    public INamedTypeSymbol? MemoryPackUnion { get; }
    public INamedTypeSymbol? CancellationToken { get; }
    public INamedTypeSymbol? Task { get; }
    public INamedTypeSymbol? TaskOfT { get; }
    public INamedTypeSymbol? ValueTask { get; }
    public INamedTypeSymbol? ValueTaskOfT { get; }

    /// <summary>Null when the compilation does not reference RayGen: then there is nothing to check.</summary>
    public static KnownSymbols? TryCreate(Compilation compilation)
    {
        var remote = compilation.GetTypeByMetadataName("RayGen.RemoteAttribute");
        return remote is null ? null : new KnownSymbols(compilation, remote);
    }

    public bool HasRemoteAttribute(ISymbol symbol) => HasAttribute(symbol, RemoteAttribute);

    /// <summary>ObjectRef, ObjectRef&lt;T&gt;, ActorHandle&lt;T&gt;, ObjectRefStream&lt;T&gt;, PlacementGroup or RayQueue&lt;T&gt;: values the runtime serializes itself.</summary>
    public bool IsRayValueType(ITypeSymbol type)
    {
        var definition = type.OriginalDefinition;
        return Is(definition, ObjectRef) || Is(definition, ObjectRefOfT) || Is(definition, ActorHandle) || Is(definition, ObjectRefStream) ||
               Is(definition, PlacementGroup) || Is(definition, RayQueue);
    }

    public bool IsObjectRef(ITypeSymbol? type)
    {
        var definition = type?.OriginalDefinition;
        return definition is not null && (Is(definition, ObjectRef) || Is(definition, ObjectRefOfT));
    }

    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? known) =>
        known is not null && SymbolEqualityComparer.Default.Equals(type, known);

    public static bool HasAttribute(ISymbol symbol, INamedTypeSymbol? attribute)
    {
        if (attribute is null)
            return false;
        foreach (var data in symbol.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute))
                return true;
        }
        return false;
    }
}
