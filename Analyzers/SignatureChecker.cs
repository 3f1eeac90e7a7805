using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RayGen.Analyzers.Serialization;

namespace RayGen.Analyzers;

/// <summary>
/// The checks every remotely callable signature must pass, whether it is a [Remote] task or a public
/// member of an actor: not generic (RAY005), nothing by reference (RAY004), params only as arrays (RAY014),
/// serializable types (RAY003).
/// </summary>
internal sealed class SignatureChecker
{
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.MinimallyQualifiedFormat;

    private readonly KnownSymbols _known;
    private readonly SerializabilityChecker _serializability;

    public SignatureChecker(KnownSymbols known)
    {
        _known = known;
        _serializability = new SerializabilityChecker(known);
    }

    public void Check(IMethodSymbol method, Action<Diagnostic> report)
    {
        var name = Describe(method);
        if (method.IsGenericMethod)
            report(Diagnostic.Create(DiagnosticDescriptors.GenericRemoteMethod, method.Locations[0], name));

        foreach (var parameter in method.Parameters)
            CheckParameter(parameter, name, report);

        if (method.MethodKind != MethodKind.Constructor)
            CheckReturn(method, name, report);
    }

    private void CheckParameter(IParameterSymbol parameter, string methodName, Action<Diagnostic> report)
    {
        var syntax = DeclaringSyntax<ParameterSyntax>(parameter);
        var how = ByReferenceKind(parameter);
        if (how is not null)
        {
            var location = syntax?.GetLocation() ?? parameter.Locations[0];
            report(Diagnostic.Create(DiagnosticDescriptors.ByReference, location, $"Parameter '{parameter.Name}'", methodName, how));
            return;
        }

        // Arg<T> stubs cannot take a params collection; only arrays keep the call shape.
        if (parameter.IsParams && parameter.Type is not IArrayTypeSymbol)
        {
            var element = ElementTypeOf(parameter.Type)?.ToDisplayString(TypeFormat) ?? "T";
            report(Diagnostic.Create(
                DiagnosticDescriptors.ParamsCollection, syntax?.GetLocation() ?? parameter.Locations[0],
                parameter.Name, methodName, parameter.Type.ToDisplayString(TypeFormat), element));
            return;
        }

        // The runtime supplies the token and signals it on Ray.Cancel; it never travels.
        if (KnownSymbols.Is(parameter.Type, _known.CancellationToken))
            return;

        var fault = _serializability.Check(parameter.Type);
        if (fault is not null)
        {
            var location = syntax?.Type?.GetLocation() ?? parameter.Locations[0];
            report(NotSerializable(location, $"Parameter '{parameter.Name}'", methodName, parameter.Type, fault));
        }
    }

    private void CheckReturn(IMethodSymbol method, string methodName, Action<Diagnostic> report)
    {
        var location = DeclaringSyntax<MethodDeclarationSyntax>(method)?.ReturnType.GetLocation() ?? method.Locations[0];
        if (method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            report(Diagnostic.Create(DiagnosticDescriptors.ByReference, location, "The return value", methodName, "returned by reference"));
            return;
        }

        var value = AwaitedValueType(method.ReturnType);
        if (value is null)
            return;

        var fault = _serializability.Check(value);
        if (fault is null)
            return;

        // Names the awaited type: that is the value that crosses the wire.
        report(NotSerializable(location, "The return value", methodName, value, fault));
    }

    /// <summary>The type whose value crosses the wire: T for T, Task&lt;T&gt; and ValueTask&lt;T&gt;; null for void, Task, ValueTask.</summary>
    private ITypeSymbol? AwaitedValueType(ITypeSymbol returnType)
    {
        if (returnType.SpecialType == SpecialType.System_Void
            || KnownSymbols.Is(returnType, _known.Task)
            || KnownSymbols.Is(returnType, _known.ValueTask))
            return null;

        if (returnType is INamedTypeSymbol { IsGenericType: true } named
            && (KnownSymbols.Is(named.OriginalDefinition, _known.TaskOfT) || KnownSymbols.Is(named.OriginalDefinition, _known.ValueTaskOfT)))
            return named.TypeArguments[0];

        return returnType;
    }

    private static Diagnostic NotSerializable(Location location, string what, string methodName, ITypeSymbol declared, SerializationFault fault)
    {
        var culprit = fault.Type.ToDisplayString(TypeFormat);
        var why = SymbolEqualityComparer.Default.Equals(fault.Type, declared)
            ? $"'{culprit}' {fault.Reason}"
            : $"its element '{culprit}' {fault.Reason}";
        return Diagnostic.Create(DiagnosticDescriptors.NotSerializable, location, what, methodName, declared.ToDisplayString(TypeFormat), why);
    }

    private static ITypeSymbol? ElementTypeOf(ITypeSymbol type) =>
        type is INamedTypeSymbol { TypeArguments.Length: 1 } named ? named.TypeArguments[0] : null;

    private static string? ByReferenceKind(IParameterSymbol parameter)
    {
        switch (parameter.RefKind)
        {
            case RefKind.Ref:
                return "passed by ref";
            case RefKind.Out:
                return "an out parameter";
            case RefKind.In:
            case RefKind.RefReadOnlyParameter:
                return "passed by readonly reference";
        }
        return parameter.Type is IPointerTypeSymbol or IFunctionPointerTypeSymbol ? "a pointer" : null;
    }

    private static string Describe(IMethodSymbol method) =>
        method.MethodKind == MethodKind.Constructor
            ? $"the constructor of '{method.ContainingType.Name}'"
            : $"'{method.ContainingType.Name}.{method.Name}'";

    private static T? DeclaringSyntax<T>(ISymbol symbol) where T : SyntaxNode
    {
        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is T node)
                return node;
        }
        return null;
    }
}
