using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using RayGen.Analyzers.Serialization;
using RayGen.Shapes;

namespace RayGen.Analyzers;

/// <summary>
/// Turns the shared shape rules' rejections (<see cref="RemoteShape"/>, the same rules the generator skips
/// by) into RAY diagnostics, and adds the one check the generator does not need: serializability (RAY003),
/// which fails at run time, not in the generated code.
/// </summary>
internal sealed class ShapeDiagnostics
{
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.MinimallyQualifiedFormat;

    private readonly KnownSymbols _known;
    private readonly SerializabilityChecker _serializability;

    public ShapeDiagnostics(KnownSymbols known)
    {
        _known = known;
        _serializability = new SerializabilityChecker(known);
    }

    /// <summary>A method marked [Remote]: what the shape rules reject and, for a task, what MemoryPack cannot carry.</summary>
    public void CheckRemoteMethod(IMethodSymbol method, Action<Diagnostic> report) =>
        Check(method, RemoteShape.RemoteMethodViolations(method), RemoteShape.IsTask(method), report);

    /// <summary>An actor's public method or public constructor.</summary>
    public void CheckSignature(IMethodSymbol method, Action<Diagnostic> report) =>
        Check(method, RemoteShape.SignatureViolations(method), checkSerializability: true, report);

    private void Check(IMethodSymbol method, IEnumerable<ShapeViolation> violations, bool checkSerializability, Action<Diagnostic> report)
    {
        var rejected = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        var resultRejected = false;
        foreach (var violation in violations)
        {
            report(Create(violation));
            rejected.Add(violation.Symbol);
            resultRejected |= violation.Symbol is IMethodSymbol && violation.Rule is ShapeRule.ByReference or ShapeRule.NotATypeArgument;
        }

        if (!checkSerializability)
            return;

        var name = Describe(method);
        foreach (var parameter in method.Parameters)
        {
            // The runtime supplies the token and signals it on Ray.Cancel; it never travels.
            if (rejected.Contains(parameter) || KnownSymbols.Is(parameter.Type, _known.CancellationToken))
                continue;
            var fault = _serializability.Check(parameter.Type);
            if (fault is not null)
                report(NotSerializable(new ShapeViolation(ShapeRule.NotATypeArgument, parameter).GetLocation(), $"Parameter '{parameter.Name}'", name, parameter.Type, fault));
        }

        if (method.MethodKind == MethodKind.Constructor || resultRejected)
            return;
        var value = AwaitedValueType(method.ReturnType);
        var returnFault = value is null ? null : _serializability.Check(value);
        // Names the awaited type: that is the value that crosses the wire.
        if (returnFault is not null)
            report(NotSerializable(new ShapeViolation(ShapeRule.NotATypeArgument, method).GetLocation(), ResultNoun(method), name, value!, returnFault));
    }

    private static string ResultNoun(IMethodSymbol method) =>
        RemoteShape.StreamItemType(method.ReturnType) is null ? "The return value" : "Each stream item";

    /// <summary>
    /// RAY017: StreamBackpressure set in [Remote] on a method that does not return a stream (the option would do
    /// nothing), or to a count that is not positive (every call would throw).
    /// </summary>
    public void CheckStreamBackpressure(ISymbol symbol, Action<Diagnostic> report)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (!KnownSymbols.Is(attribute.AttributeClass, _known.RemoteAttribute) || attribute.ApplicationSyntaxReference is not { } syntax)
                continue;
            foreach (var pair in attribute.NamedArguments)
            {
                if (pair.Key != "StreamBackpressure" || pair.Value.Value is not int bound)
                    continue;
                var location = syntax.GetSyntax().GetLocation();
                var name = symbol is IMethodSymbol m ? Describe(m) : $"'{symbol.Name}'";
                if (bound <= 0)
                    report(Diagnostic.Create(DiagnosticDescriptors.StreamBackpressure, location, name,
                        $"sets StreamBackpressure = {bound}; it must be positive: the number of items produced and not yet read at which the producer pauses"));
                else if (symbol is IMethodSymbol method && RemoteShape.StreamItemType(method.ReturnType) is null)
                    report(Diagnostic.Create(DiagnosticDescriptors.StreamBackpressure, location, name,
                        $"sets StreamBackpressure, but it returns '{method.ReturnType.ToDisplayString(TypeFormat)}', not a stream; only a method returning IEnumerable<T> or IAsyncEnumerable<T> streams its items"));
            }
        }
    }

    /// <summary>The diagnostic for one rejection; <paramref name="reason"/> says why a holder type matters (RAY001, RAY011, RAY012).</summary>
    public Diagnostic Create(ShapeViolation violation, string? reason = null)
    {
        var location = violation.GetLocation();
        var symbol = violation.Symbol;
        switch (violation.Rule)
        {
            case ShapeRule.NotPartial:
                return Diagnostic.Create(DiagnosticDescriptors.NotPartial, location, symbol.Name, reason);
            case ShapeRule.GenericContainingType:
                return Diagnostic.Create(DiagnosticDescriptors.GenericContainingType, location, symbol.Name, reason);
            case ShapeRule.InaccessibleContainingType:
                return Diagnostic.Create(DiagnosticDescriptors.InaccessibleContainingType, location,
                    symbol.Name, RemoteShape.HiddenAccessibility((INamedTypeSymbol)symbol), reason);
            case ShapeRule.InstanceMethodOutsideActor:
                return Diagnostic.Create(DiagnosticDescriptors.InstanceMethodOutsideActor, location, symbol.Name, symbol.ContainingType.Name);
            case ShapeRule.ExtensionMethod:
                return Diagnostic.Create(DiagnosticDescriptors.ExtensionRemoteMethod, location, symbol.Name, symbol.ContainingType.Name);
            case ShapeRule.GenericMethod:
                return Diagnostic.Create(DiagnosticDescriptors.GenericRemoteMethod, location, Describe((IMethodSymbol)symbol));
            case ShapeRule.AbstractActor:
                return Diagnostic.Create(DiagnosticDescriptors.AbstractActor, location, symbol.Name);
            case ShapeRule.NoPublicConstructor:
                return Diagnostic.Create(DiagnosticDescriptors.ActorWithoutPublicConstructor, location, symbol.Name);
            case ShapeRule.StaticActor:
                return Diagnostic.Create(DiagnosticDescriptors.StaticActor, location, symbol.Name);
            case ShapeRule.ActorNotAClass:
                return Diagnostic.Create(DiagnosticDescriptors.ActorNotAClass, location, symbol.Name, KindOf((INamedTypeSymbol)symbol));
            case ShapeRule.NotAnOrdinaryMethod:
                return Diagnostic.Create(DiagnosticDescriptors.NotAnOrdinaryMethod, location, DescribeMember((IMethodSymbol)symbol));
            case ShapeRule.ParamsCollection:
            {
                var parameter = (IParameterSymbol)symbol;
                var element = ElementTypeOf(parameter.Type)?.ToDisplayString(TypeFormat) ?? "T";
                return Diagnostic.Create(DiagnosticDescriptors.ParamsCollection, location,
                    parameter.Name, Describe((IMethodSymbol)parameter.ContainingSymbol), parameter.Type.ToDisplayString(TypeFormat), element);
            }
            case ShapeRule.ByReference when symbol is IParameterSymbol parameter:
                return Diagnostic.Create(DiagnosticDescriptors.ByReference, location,
                    $"Parameter '{parameter.Name}'", Describe((IMethodSymbol)parameter.ContainingSymbol), ByReferenceKind(parameter));
            case ShapeRule.ByReference:
                return Diagnostic.Create(DiagnosticDescriptors.ByReference, location, "The return value", Describe((IMethodSymbol)symbol), "returned by reference");
            case ShapeRule.NotATypeArgument when symbol is IParameterSymbol parameter:
                return NotSerializable(location, $"Parameter '{parameter.Name}'", Describe((IMethodSymbol)parameter.ContainingSymbol),
                    parameter.Type, _serializability.Check(parameter.Type));
            case ShapeRule.NotATypeArgument:
            {
                var method = (IMethodSymbol)symbol;
                var value = AwaitedValueType(method.ReturnType) ?? method.ReturnType;
                return NotSerializable(location, ResultNoun(method), Describe(method), value, _serializability.Check(value));
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(violation), violation.Rule, "a shape rule without a diagnostic");
        }
    }

    /// <summary>The type whose value crosses the wire: T for T, Task&lt;T&gt;, ValueTask&lt;T&gt; and each item of a stream; null for void, Task, ValueTask.</summary>
    private ITypeSymbol? AwaitedValueType(ITypeSymbol returnType)
    {
        if (RemoteShape.StreamItemType(returnType) is { } item)
            return item;
        if (returnType.SpecialType == SpecialType.System_Void
            || KnownSymbols.Is(returnType, _known.Task)
            || KnownSymbols.Is(returnType, _known.ValueTask))
            return null;

        if (returnType is INamedTypeSymbol { IsGenericType: true } named
            && (KnownSymbols.Is(named.OriginalDefinition, _known.TaskOfT) || KnownSymbols.Is(named.OriginalDefinition, _known.ValueTaskOfT)))
            return named.TypeArguments[0];

        return returnType;
    }

    private static Diagnostic NotSerializable(Location location, string what, string methodName, ITypeSymbol declared, SerializationFault? fault)
    {
        // A type the rules reject as a type argument always has a fault; the fallback only keeps the message whole.
        fault ??= new SerializationFault(declared, "cannot be a type argument of Arg<T> or ObjectRef<T>");
        var culprit = fault.Type.ToDisplayString(TypeFormat);
        var why = SymbolEqualityComparer.Default.Equals(fault.Type, declared)
            ? $"'{culprit}' {fault.Reason}"
            : $"its element '{culprit}' {fault.Reason}";
        return Diagnostic.Create(DiagnosticDescriptors.NotSerializable, location, what, methodName, declared.ToDisplayString(TypeFormat), why);
    }

    private static ITypeSymbol? ElementTypeOf(ITypeSymbol type) =>
        type is INamedTypeSymbol { TypeArguments.Length: 1 } named ? named.TypeArguments[0] : null;

    private static string ByReferenceKind(IParameterSymbol parameter) => parameter.RefKind switch
    {
        RefKind.Ref => "passed by ref",
        RefKind.Out => "an out parameter",
        RefKind.In or RefKind.RefReadOnlyParameter => "passed by readonly reference",
        _ => "a pointer",
    };

    private static string KindOf(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "a record struct",
        { TypeKind: TypeKind.Struct } => "a struct",
        { TypeKind: TypeKind.Interface } => "an interface",
        { TypeKind: TypeKind.Enum } => "an enum",
        { TypeKind: TypeKind.Delegate } => "a delegate",
        _ => "not a class",
    };

    private static string DescribeMember(IMethodSymbol method) => method.MethodKind switch
    {
        MethodKind.UserDefinedOperator => $"operator '{method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}'",
        MethodKind.Conversion => $"a conversion operator of '{method.ContainingType.Name}'",
        MethodKind.PropertyGet or MethodKind.PropertySet or MethodKind.EventAdd or MethodKind.EventRemove =>
            $"the accessor '{method.Name}' of '{method.ContainingType.Name}'",
        MethodKind.Constructor => $"a constructor of '{method.ContainingType.Name}', which is not a [Remote] actor class",
        MethodKind.StaticConstructor => $"the static constructor of '{method.ContainingType.Name}'",
        MethodKind.Destructor => $"the finalizer of '{method.ContainingType.Name}'",
        MethodKind.LocalFunction => $"local function '{method.Name}'",
        MethodKind.AnonymousFunction => "a lambda",
        _ when method.IsStatic && method.IsAbstract => $"static abstract member '{method.ContainingType.Name}.{method.Name}'",
        _ when method.IsStatic && method.IsVirtual => $"static virtual member '{method.ContainingType.Name}.{method.Name}'",
        _ => $"'{method.ContainingType.Name}.{method.Name}'",
    };

    private static string Describe(IMethodSymbol method) =>
        method.MethodKind == MethodKind.Constructor
            ? $"the constructor of '{method.ContainingType.Name}'"
            : $"'{method.ContainingType.Name}.{method.Name}'";
}
