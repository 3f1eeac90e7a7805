using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RayGen.Generators.Model;

namespace RayGen.Generators.Parsing;

/// <summary>
/// Turns [Remote] symbols into models. Anything it cannot generate for (a type that is not partial, a
/// ref parameter, a generic method...) yields null: the analyzers report it, the generator stays silent.
/// </summary>
internal static class Parser
{
    public const string RemoteAttributeName = "RayGen.RemoteAttribute";
    private const string MemoryPackableAttributeName = "MemoryPack.MemoryPackableAttribute";

    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static readonly SymbolDisplayFormat IdFormat = SymbolDisplayFormat.CSharpErrorMessageFormat;

    public static RemoteMethodEntry? ParseStaticMethod(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method || !method.IsStatic || method.IsGenericMethod ||
            method.MethodKind != MethodKind.Ordinary || method.IsExtensionMethod)
            return null;
        var type = ParseType(method.ContainingType, cancellationToken);
        if (type is null) return null;
        var model = ParseMethod(method, type, method.Name, context.Attributes[0]);
        if (model is null) return null;
        return new RemoteMethodEntry(type, model, CollectFormatterTypes(new[] { method }));
    }

    public static ActorEntry? ParseActor(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol actor || actor.TypeKind != TypeKind.Class || actor.IsStatic ||
            actor.IsAbstract || actor.IsGenericType)
            return null;
        var type = ParseType(actor, cancellationToken);
        if (type is null || !IsAccessibleFromAssembly(actor)) return null;

        var constructors = new List<MethodModel>();
        foreach (var ctor in actor.InstanceConstructors)
        {
            if (ctor.DeclaredAccessibility != Accessibility.Public) continue;
            var model = ParseMethod(ctor, type, "New", context.Attributes[0]);
            if (model is not null) constructors.Add(model);
        }

        if (constructors.Count == 0) return null;

        var methods = new List<MethodModel>();
        var used = new List<IMethodSymbol>(actor.InstanceConstructors);
        foreach (var member in actor.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member is not IMethodSymbol method || method.IsStatic || method.MethodKind != MethodKind.Ordinary ||
                method.DeclaredAccessibility != Accessibility.Public || method.IsGenericMethod)
                continue;
            var model = ParseMethod(method, type, method.Name, attribute: null);
            if (model is null) continue;
            methods.Add(model);
            used.Add(method);
        }

        return new ActorEntry(type, constructors.ToEquatableArray(), methods.ToEquatableArray(), CollectFormatterTypes(used));
    }

    private static TypeIdentity? ParseType(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        var chain = new List<ContainingType>();
        var isPublic = true;
        for (var current = type; current is not null; current = current.ContainingType)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (current.IsGenericType || !IsPartial(current)) return null;
            var keyword = Keyword(current);
            if (keyword is null) return null;
            chain.Insert(0, new ContainingType(keyword, current.Name));
            isPublic &= current.DeclaredAccessibility == Accessibility.Public;
        }

        var ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
        var metadataName = (ns is null ? "" : ns + ".") + string.Join("+", chain.Select(c => c.Name));
        return new TypeIdentity(ns, chain.ToEquatableArray(), type.ToDisplayString(TypeFormat), metadataName, isPublic);
    }

    private static bool IsPartial(INamedTypeSymbol type) =>
        type.DeclaringSyntaxReferences.Any(r =>
            r.GetSyntax() is TypeDeclarationSyntax declaration && declaration.Modifiers.Any(SyntaxKind.PartialKeyword));

    private static string? Keyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Class } => "class",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => null,
    };

    /// <summary>A module initializer can only name types the whole assembly can see.</summary>
    private static bool IsAccessibleFromAssembly(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.ContainingType)
        {
            if (current.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal))
                return false;
        }

        return true;
    }

    private static MethodModel? ParseMethod(IMethodSymbol method, TypeIdentity type, string name, AttributeData? attribute)
    {
        if (!IsAccessibleFromAssembly(method.ContainingType)) return null;
        var parameters = new List<ParameterModel>();
        foreach (var p in method.Parameters)
        {
            if (p.RefKind != RefKind.None || p.Type is IPointerTypeSymbol or IFunctionPointerTypeSymbol || p.IsParams && p.Type is not IArrayTypeSymbol)
                return null;
            if (p.Type.TypeKind == TypeKind.Error) return null;
            parameters.Add(new ParameterModel(p.Name, p.Type.ToDisplayString(TypeFormat), KindOf(p.Type)));
        }

        var (returnKind, resultType) = method.MethodKind == MethodKind.Constructor
            ? (ReturnKind.Void, null)
            : ParseReturn(method.ReturnType);
        if (method.ReturnsByRef || method.ReturnsByRefReadonly || method.ReturnType.TypeKind == TypeKind.Error) return null;

        var idParameters = string.Join(",", method.Parameters.Select(p => p.Type.ToDisplayString(IdFormat)));
        var memberName = method.MethodKind == MethodKind.Constructor ? ".ctor" : method.Name;
        return new MethodModel(
            name,
            name,
            $"{type.MetadataName}.{memberName}({idParameters})",
            method.DeclaredAccessibility == Accessibility.Public,
            parameters.ToEquatableArray(),
            returnKind,
            resultType,
            attribute is null ? EquatableArray<OptionModel>.Empty : ParseOptions(attribute));
    }

    private static ParameterKind KindOf(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol named && named.ContainingNamespace?.ToDisplayString() is { } ns)
        {
            if (ns == "System.Threading" && named.Name == "CancellationToken") return ParameterKind.CancellationToken;
            if (ns == "RayGen" && named.Name == "ObjectRef") return ParameterKind.Reference;
        }

        return ParameterKind.Value;
    }

    private static (ReturnKind, string?) ParseReturn(ITypeSymbol returnType)
    {
        if (returnType.SpecialType == SpecialType.System_Void) return (ReturnKind.Void, null);
        if (returnType is INamedTypeSymbol named && named.ContainingNamespace?.ToDisplayString() == "System.Threading.Tasks")
        {
            var generic = named.IsGenericType && named.TypeArguments.Length == 1;
            switch (named.Name)
            {
                case "Task" when generic: return (ReturnKind.TaskOfT, named.TypeArguments[0].ToDisplayString(TypeFormat));
                case "Task": return (ReturnKind.Task, null);
                case "ValueTask" when generic: return (ReturnKind.ValueTaskOfT, named.TypeArguments[0].ToDisplayString(TypeFormat));
                case "ValueTask": return (ReturnKind.ValueTask, null);
            }
        }

        return (ReturnKind.Value, returnType.ToDisplayString(TypeFormat));
    }

    private static EquatableArray<OptionModel> ParseOptions(AttributeData attribute)
    {
        var options = new List<OptionModel>();
        foreach (var pair in attribute.NamedArguments)
        {
            var value = pair.Value;
            if (value.Kind != TypedConstantKind.Primitive || value.Value is null) continue;
            var literal = value.Value switch
            {
                bool b => b ? "true" : "false",
                string s => SymbolDisplay.FormatLiteral(s, quote: true),
                double d => d.ToString("R", CultureInfo.InvariantCulture) + "d",
                int i => i.ToString(CultureInfo.InvariantCulture),
                _ => null,
            };
            if (literal is not null) options.Add(new OptionModel(pair.Key, literal));
        }

        return options.OrderBy(o => o.Name, System.StringComparer.Ordinal).ToEquatableArray();
    }

    /// <summary>[MemoryPackable] types in the signatures, registered explicitly at load (static constructors do not run under NativeAOT).</summary>
    private static EquatableArray<string> CollectFormatterTypes(IEnumerable<IMethodSymbol> methods)
    {
        var found = new SortedSet<string>(System.StringComparer.Ordinal);
        foreach (var method in methods)
        {
            foreach (var p in method.Parameters) Collect(p.Type, found);
            if (method.MethodKind != MethodKind.Constructor) Collect(method.ReturnType, found);
        }

        return found.ToEquatableArray();
    }

    private static void Collect(ITypeSymbol type, SortedSet<string> found)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                Collect(array.ElementType, found);
                break;
            case INamedTypeSymbol named:
                foreach (var argument in named.TypeArguments) Collect(argument, found);
                if (!named.IsUnboundGenericType && named.TypeArguments.All(a => a is not ITypeParameterSymbol) &&
                    named.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == MemoryPackableAttributeName))
                    found.Add(named.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat));
                break;
        }
    }
}
