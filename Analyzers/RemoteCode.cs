using Microsoft.CodeAnalysis;
using RayGen.Shapes;

namespace RayGen.Analyzers;

/// <summary>Which types the generator writes into: those holding [Remote] code, and every type around them.</summary>
internal static class RemoteCode
{
    /// <summary>Why the generator must extend <paramref name="type"/> ("it declares [Remote] method 'Add'"), or null when it leaves it alone.</summary>
    public static string? WhyGeneratorExtends(INamedTypeSymbol type)
    {
        if (RemoteShape.IsActor(type))
            return "it is a [Remote] actor class";

        foreach (var member in type.GetMembers())
        {
            if (member is IMethodSymbol method && RemoteShape.HasRemoteAttribute(method))
                return $"it declares [Remote] method '{method.Name}'";
        }

        foreach (var nested in type.GetTypeMembers())
        {
            if (WhyGeneratorExtends(nested) is not null)
                return $"it contains '{nested.Name}', which holds [Remote] code";
        }

        return null;
    }
}
