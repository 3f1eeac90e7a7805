using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

// Compiled into both the generator and the analyzers (linked from Analyzers/RayGen.Analyzers.csproj), so the
// code the generator writes and the errors the analyzers report come from one set of rules: the generator
// skips exactly what these rules reject, and the analyzers report exactly those rejections. Nothing here
// reports a diagnostic or formats a message; the analyzers map each rule to its descriptor.
namespace RayGen.Shapes;

/// <summary>Why a [Remote] shape cannot get a stub; each value is one RAY error.</summary>
internal enum ShapeRule
{
    /// <summary>RAY001: a type the generator must reopen is not partial.</summary>
    NotPartial,

    /// <summary>RAY002: [Remote] on an instance method of a type that is not an actor.</summary>
    InstanceMethodOutsideActor,

    /// <summary>RAY003: a parameter or result type cannot even be a type argument of Arg&lt;T&gt; or ObjectRef&lt;T&gt; (a ref struct, a pointer result).</summary>
    NotATypeArgument,

    /// <summary>RAY004: a ref, out, in or pointer parameter, or a ref return.</summary>
    ByReference,

    /// <summary>RAY005: a generic remote method.</summary>
    GenericMethod,

    /// <summary>RAY006: an abstract actor class.</summary>
    AbstractActor,

    /// <summary>RAY007: an actor class without a public constructor.</summary>
    NoPublicConstructor,

    /// <summary>RAY008: [Remote] on a static class.</summary>
    StaticActor,

    /// <summary>RAY011: a generic type holds [Remote] code.</summary>
    GenericContainingType,

    /// <summary>RAY012: a type holding [Remote] code is hidden from the rest of its assembly.</summary>
    InaccessibleContainingType,

    /// <summary>RAY013: a [Remote] extension method.</summary>
    ExtensionMethod,

    /// <summary>RAY014: a params parameter that is not an array.</summary>
    ParamsCollection,

    /// <summary>RAY015: [Remote] on a struct, record struct or interface.</summary>
    ActorNotAClass,

    /// <summary>RAY016: [Remote] on a method a worker cannot call by name (operator, accessor, constructor, local function, static abstract member...).</summary>
    NotAnOrdinaryMethod,
}

/// <summary>One rejection: the rule, the symbol at fault (a type, method or parameter) and, for RAY001, the declaration that lacks partial.</summary>
internal readonly struct ShapeViolation
{
    public ShapeViolation(ShapeRule rule, ISymbol symbol, SyntaxReference? declaration = null)
    {
        Rule = rule;
        Symbol = symbol;
        Declaration = declaration;
    }

    public ShapeRule Rule { get; }

    public ISymbol Symbol { get; }

    public SyntaxReference? Declaration { get; }

    /// <summary>
    /// Where the error goes: computed on demand because only the analyzers need it. Parameters are reported
    /// whole (<c>ref int value</c>) or at their type (a type fault), results at the return type, types and methods
    /// at their name.
    /// </summary>
    public Location GetLocation()
    {
        if (Declaration?.GetSyntax() is TypeDeclarationSyntax declaration)
            return declaration.Identifier.GetLocation();
        switch (Symbol)
        {
            case IParameterSymbol parameter:
            {
                // A type fault points at the type; anything about how the parameter is passed, at all of it.
                var syntax = RemoteShape.DeclaringSyntax<ParameterSyntax>(parameter);
                SyntaxNode? node = Rule == ShapeRule.NotATypeArgument ? syntax?.Type : syntax;
                return node?.GetLocation() ?? parameter.Locations[0];
            }
            case IMethodSymbol method when Rule is ShapeRule.ByReference or ShapeRule.NotATypeArgument:
                return RemoteShape.DeclaringSyntax<MethodDeclarationSyntax>(method)?.ReturnType.GetLocation() ?? method.Locations[0];
            default:
                return Symbol.Locations[0];
        }
    }
}

/// <summary>The one definition of a valid [Remote] shape: tasks, actors, their members and the types around them.</summary>
internal static class RemoteShape
{
    public const string RemoteAttributeName = "RayGen.RemoteAttribute";

    public static bool HasRemoteAttribute(ISymbol symbol)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass is { Name: "RemoteAttribute", ContainingNamespace: { Name: "RayGen", ContainingNamespace.IsGlobalNamespace: true } })
                return true;
        }

        return false;
    }

    /// <summary>A [Remote] class that is not static: an actor, whether or not it is a valid one.</summary>
    public static bool IsActor(INamedTypeSymbol type) =>
        type.TypeKind == TypeKind.Class && !type.IsStatic && HasRemoteAttribute(type);

    /// <summary>
    /// What is wrong with <paramref name="type"/> itself as a type the generator reopens (its own declarations,
    /// type parameters and accessibility); a type nested in a bad one is not blamed for it, the outer one is.
    /// </summary>
    public static IEnumerable<ShapeViolation> HolderViolations(INamedTypeSymbol type)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is TypeDeclarationSyntax declaration && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                yield return new ShapeViolation(ShapeRule.NotPartial, type, reference);
        }

        if (type.TypeParameters.Length > 0)
            yield return new ShapeViolation(ShapeRule.GenericContainingType, type);
        if (HiddenAccessibility(type) is not null)
            yield return new ShapeViolation(ShapeRule.InaccessibleContainingType, type);
    }

    /// <summary>The holder rules for <paramref name="type"/> and every type around it: the generator reopens them all.</summary>
    public static IEnumerable<ShapeViolation> ChainViolations(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.ContainingType)
        {
            foreach (var violation in HolderViolations(current))
                yield return violation;
        }
    }

    /// <summary>
    /// Why the generated module initializer, which lives outside the type, cannot name it: "private" and so on,
    /// or "file-local" (a generated partial of a file-local type would be another type). Null when it can.
    /// </summary>
    public static string? HiddenAccessibility(INamedTypeSymbol type)
    {
        if (type.IsFileLocal)
            return "file-local";
        return type.DeclaredAccessibility switch
        {
            Accessibility.Private => "private",
            Accessibility.Protected => "protected",
            Accessibility.ProtectedAndInternal => "private protected",
            _ => null,
        };
    }

    /// <summary>
    /// A method carrying [Remote]: a static ordinary method is a task and must have a remotable signature; an
    /// instance method needs an actor around it, whose members <see cref="ActorMethods"/> lists and
    /// <see cref="SignatureViolations"/> checks.
    /// The types around it are checked separately (<see cref="ChainViolations"/>), once per type.
    /// </summary>
    public static IEnumerable<ShapeViolation> RemoteMethodViolations(IMethodSymbol method)
    {
        // Every public constructor of an actor is remote anyway; [Remote] on one says nothing new.
        if (method.MethodKind == MethodKind.Constructor && IsActor(method.ContainingType))
            yield break;

        if (!IsCallableByName(method))
        {
            yield return new ShapeViolation(ShapeRule.NotAnOrdinaryMethod, method);
            yield break;
        }

        if (method.IsExtensionMethod)
            yield return new ShapeViolation(ShapeRule.ExtensionMethod, method);

        if (!method.IsStatic)
        {
            if (!IsActor(method.ContainingType))
                yield return new ShapeViolation(ShapeRule.InstanceMethodOutsideActor, method);
            yield break;
        }

        foreach (var violation in SignatureViolations(method))
            yield return violation;
    }

    /// <summary>A [Remote] method that runs as a task: static, and callable by name.</summary>
    public static bool IsTask(IMethodSymbol method) => method.IsStatic && IsCallableByName(method);

    /// <summary>The type's own verdict as an actor: a class the runtime can construct.</summary>
    public static IEnumerable<ShapeViolation> ActorTypeViolations(INamedTypeSymbol type)
    {
        if (type.TypeKind != TypeKind.Class)
        {
            yield return new ShapeViolation(ShapeRule.ActorNotAClass, type);
            yield break;
        }

        if (type.IsStatic)
        {
            yield return new ShapeViolation(ShapeRule.StaticActor, type);
            yield break;
        }

        if (type.IsAbstract)
        {
            yield return new ShapeViolation(ShapeRule.AbstractActor, type);
            yield break;
        }

        if (!ActorConstructors(type).Any())
            yield return new ShapeViolation(ShapeRule.NoPublicConstructor, type);
    }

    /// <summary>Each public constructor is a Remote.New overload (a record's copy constructor is never public).</summary>
    public static IEnumerable<IMethodSymbol> ActorConstructors(INamedTypeSymbol type) =>
        type.InstanceConstructors.Where(c => c.DeclaredAccessibility == Accessibility.Public);

    /// <summary>
    /// Which of an actor's methods become remote calls: the public instance methods the user wrote. Not the
    /// object members (ActorHandle has its own Equals, GetHashCode, ToString), and not a record's equality,
    /// printing and deconstruction, whether the compiler wrote them or the user customized them.
    /// </summary>
    public static IEnumerable<IMethodSymbol> ActorMethods(INamedTypeSymbol type) =>
        type.GetMembers().OfType<IMethodSymbol>().Where(IsActorMethod);

    private static bool IsActorMethod(IMethodSymbol method) =>
        method is { MethodKind: MethodKind.Ordinary, IsStatic: false, IsImplicitlyDeclared: false, DeclaredAccessibility: Accessibility.Public }
        && !OverridesObjectMember(method)
        && !IsRecordPlumbing(method);

    /// <summary>What every remote signature needs, task, actor method or actor constructor alike.</summary>
    public static IEnumerable<ShapeViolation> SignatureViolations(IMethodSymbol method)
    {
        if (method.IsGenericMethod)
            yield return new ShapeViolation(ShapeRule.GenericMethod, method);

        foreach (var parameter in method.Parameters)
        {
            var rule = ParameterRule(parameter);
            if (rule is not null)
                yield return new ShapeViolation(rule.Value, parameter);
        }

        if (method.MethodKind == MethodKind.Constructor)
            yield break;
        if (method.ReturnsByRef || method.ReturnsByRefReadonly)
            yield return new ShapeViolation(ShapeRule.ByReference, method);
        else if (!CanBeTypeArgument(AwaitedOrSelf(method.ReturnType)))
            yield return new ShapeViolation(ShapeRule.NotATypeArgument, method);
    }

    /// <summary>The rule a parameter breaks, or null; the CancellationToken the runtime supplies breaks none.</summary>
    public static ShapeRule? ParameterRule(IParameterSymbol parameter)
    {
        if (parameter.RefKind != RefKind.None || parameter.Type is IPointerTypeSymbol or IFunctionPointerTypeSymbol)
            return ShapeRule.ByReference;
        if (parameter.IsParams && parameter.Type is not IArrayTypeSymbol)
            return ShapeRule.ParamsCollection;
        return CanBeTypeArgument(parameter.Type) ? null : ShapeRule.NotATypeArgument;
    }

    /// <summary>Stubs wrap parameters in Arg&lt;T&gt; and results in ObjectRef&lt;T&gt;, which neither pointers nor ref structs can be.</summary>
    private static bool CanBeTypeArgument(ITypeSymbol type) =>
        type is not (IPointerTypeSymbol or IFunctionPointerTypeSymbol) && !type.IsRefLikeType;

    // Task<T> and ValueTask<T> results travel as T, a stream's items as T each; anything else travels as itself.
    private static ITypeSymbol AwaitedOrSelf(ITypeSymbol type)
    {
        if (StreamItemType(type) is { } item) return item;
        return type is INamedTypeSymbol { Name: "Task" or "ValueTask", TypeArguments.Length: 1 } named
               && named.ContainingNamespace?.ToDisplayString() == "System.Threading.Tasks"
            ? named.TypeArguments[0]
            : type;
    }

    /// <summary>
    /// The item type of a stream result: a method declared to return <c>IEnumerable&lt;T&gt;</c> or
    /// <c>IAsyncEnumerable&lt;T&gt;</c> streams its items (the stub returns <c>ObjectRefStream&lt;T&gt;</c>); null for any
    /// other result, a collection type included (a <c>List&lt;T&gt;</c> is one value).
    /// </summary>
    public static ITypeSymbol? StreamItemType(ITypeSymbol returnType) =>
        returnType is INamedTypeSymbol { Name: "IEnumerable" or "IAsyncEnumerable", TypeArguments.Length: 1 } named
        && named.ContainingNamespace?.ToDisplayString() == "System.Collections.Generic"
            ? named.TypeArguments[0]
            : null;

    /// <summary>Whether a stream result is awaited item by item (<c>IAsyncEnumerable&lt;T&gt;</c>).</summary>
    public static bool IsAsyncStream(ITypeSymbol returnType) => StreamItemType(returnType) is not null && returnType.Name == "IAsyncEnumerable";

    /// <summary>
    /// An ordinary method with a body a worker can call as Type.M(...): not an operator, accessor, constructor,
    /// finalizer or local function, and not a static abstract or virtual interface member (callable only
    /// through a type parameter).
    /// </summary>
    private static bool IsCallableByName(IMethodSymbol method) =>
        method.MethodKind == MethodKind.Ordinary
        && !(method.IsStatic && (method.IsAbstract || method.IsVirtual) && method.ContainingType.TypeKind == TypeKind.Interface);

    private static bool OverridesObjectMember(IMethodSymbol method)
    {
        if (!method.IsOverride)
            return false;
        var root = method;
        while (root.OverriddenMethod is { } overridden)
            root = overridden;
        return root.ContainingType.SpecialType == SpecialType.System_Object;
    }

    private static bool IsRecordPlumbing(IMethodSymbol method)
    {
        if (!method.ContainingType.IsRecord)
            return false;
        return method.Name switch
        {
            "Equals" => method.Parameters.Length == 1
                && SymbolEqualityComparer.Default.Equals(method.Parameters[0].Type.OriginalDefinition, method.ContainingType.OriginalDefinition),
            "PrintMembers" or "Deconstruct" => true,
            _ => false,
        };
    }

    internal static T? DeclaringSyntax<T>(ISymbol symbol) where T : SyntaxNode
    {
        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is T node)
                return node;
        }

        return null;
    }
}
