using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using RayGen.Shapes;

namespace RayGen.Analyzers;

/// <summary>
/// A [Remote] type is an actor: the runtime must be able to construct it (RAY006-RAY008, RAY015), and every
/// public constructor and public instance method becomes a remote call, so each needs a remotable signature.
/// Which members those are is <see cref="RemoteShape.ActorMethods"/>, the list the generator writes stubs for.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ActorClassAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.AbstractActor,
        DiagnosticDescriptors.ActorWithoutPublicConstructor,
        DiagnosticDescriptors.StaticActor,
        DiagnosticDescriptors.ActorNotAClass,
        DiagnosticDescriptors.NotSerializable,
        DiagnosticDescriptors.ByReference,
        DiagnosticDescriptors.GenericRemoteMethod,
        DiagnosticDescriptors.ParamsCollection,
        DiagnosticDescriptors.StreamBackpressure);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownSymbols.TryCreate(start.Compilation);
            if (known is null)
                return;
            var shapes = new ShapeDiagnostics(known);
            start.RegisterSymbolAction(symbol => Analyze(symbol, known, shapes), SymbolKind.NamedType);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, KnownSymbols known, ShapeDiagnostics shapes)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!known.HasRemoteAttribute(type))
            return;

        // On an actor the bound applies to every stream method it has; only the count itself can be wrong here.
        shapes.CheckStreamBackpressure(type, context.ReportDiagnostic);

        var constructible = true;
        foreach (var violation in RemoteShape.ActorTypeViolations(type))
        {
            context.ReportDiagnostic(shapes.Create(violation));
            constructible &= violation.Rule == ShapeRule.NoPublicConstructor;
        }

        // A struct, static or abstract class has no members to call remotely; one without a public
        // constructor still does, and fixing the constructor should not reveal a second round of errors.
        if (!constructible)
            return;

        foreach (var constructor in RemoteShape.ActorConstructors(type))
            shapes.CheckSignature(constructor, context.ReportDiagnostic);

        foreach (var method in RemoteShape.ActorMethods(type))
            shapes.CheckSignature(method, context.ReportDiagnostic);
    }
}
