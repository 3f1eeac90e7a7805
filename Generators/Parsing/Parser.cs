using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RayGen.Generators.Model;
using RayGen.Shapes;

namespace RayGen.Generators.Parsing;

/// <summary>
/// Turns [Remote] symbols into models. What it generates for is decided by <see cref="RemoteShape"/>, the
/// rules the analyzers report from: anything they reject yields null here, and the generator stays silent.
/// </summary>
internal static class Parser
{
    public const string RemoteAttributeName = RemoteShape.RemoteAttributeName;
    private const string MemoryPackableAttributeName = "MemoryPack.MemoryPackableAttribute";

    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static readonly SymbolDisplayFormat IdFormat = SymbolDisplayFormat.CSharpErrorMessageFormat;

    public static RemoteMethodEntry? ParseStaticMethod(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        // An instance method with [Remote] is either an actor member (ParseActor writes it) or RAY002.
        if (context.TargetSymbol is not IMethodSymbol { IsStatic: true } method ||
            RemoteShape.RemoteMethodViolations(method).Any() || RemoteShape.ChainViolations(method.ContainingType).Any())
            return null;
        var type = ParseType(method.ContainingType, cancellationToken);
        if (type is null) return null;
        var model = ParseMethod(method, type, method.Name, context.Attributes[0]);
        if (model is null) return null;
        return new RemoteMethodEntry(type, model, CollectFormatterTypes(new[] { method }));
    }

    public static ActorEntry? ParseActor(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol actor ||
            RemoteShape.ActorTypeViolations(actor).Any() || RemoteShape.ChainViolations(actor).Any())
            return null;
        var type = ParseType(actor, cancellationToken);
        if (type is null) return null;

        var used = new List<IMethodSymbol>();
        var constructors = new List<MethodModel>();
        foreach (var ctor in RemoteShape.ActorConstructors(actor))
        {
            if (RemoteShape.SignatureViolations(ctor).Any()) continue;
            var model = ParseMethod(ctor, type, "New", context.Attributes[0]);
            if (model is null) continue;
            constructors.Add(model);
            used.Add(ctor);
        }

        if (constructors.Count == 0) return null;

        var methods = new List<MethodModel>();
        foreach (var method in RemoteShape.ActorMethods(actor))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (RemoteShape.SignatureViolations(method).Any()) continue;
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
            var keyword = Keyword(current);
            if (keyword is null) return null;
            chain.Insert(0, new ContainingType(keyword, current.Name));
            isPublic &= current.DeclaredAccessibility == Accessibility.Public;
        }

        var ns = type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString();
        var metadataName = (ns is null ? "" : ns + ".") + string.Join("+", chain.Select(c => c.Name));
        return new TypeIdentity(ns, chain.ToEquatableArray(), type.ToDisplayString(TypeFormat), metadataName, isPublic);
    }

    private static string? Keyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Class } => "class",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => null,
    };

    private static MethodModel? ParseMethod(IMethodSymbol method, TypeIdentity type, string name, AttributeData? attribute)
    {
        // Shape rules are RemoteShape's; a type that does not resolve is the compiler's error, not ours to add to.
        var parameters = new List<ParameterModel>();
        foreach (var p in method.Parameters)
        {
            if (p.Type.TypeKind == TypeKind.Error) return null;
            parameters.Add(new ParameterModel(p.Name, p.Type.ToDisplayString(TypeFormat), KindOf(p.Type)));
        }

        var (returnKind, resultType) = method.MethodKind == MethodKind.Constructor
            ? (ReturnKind.Void, null)
            : ParseReturn(method.ReturnType);
        if (method.ReturnType.TypeKind == TypeKind.Error) return null;

        var idParameters = string.Join(",", method.Parameters.Select(p => p.Type.ToDisplayString(IdFormat)));
        var memberName = method.MethodKind == MethodKind.Constructor ? ".ctor" : method.Name;
        return new MethodModel(
            name,
            FieldNameFor(name),
            $"{type.MetadataName}.{memberName}({idParameters})",
            method.DeclaredAccessibility == Accessibility.Public,
            parameters.ToEquatableArray(),
            returnKind,
            resultType,
            attribute is null ? EquatableArray<OptionModel>.Empty : ParseOptions(attribute));
    }

    // The field and its invoker are named after the method; a keyword name (@event) needs a plain identifier there.
    private static string FieldNameFor(string name) =>
        SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None ? name : "_" + name;

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
        if (RemoteShape.StreamItemType(returnType) is { } item)
            return (RemoteShape.IsAsyncStream(returnType) ? ReturnKind.AsyncStream : ReturnKind.Stream, item.ToDisplayString(TypeFormat));
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
