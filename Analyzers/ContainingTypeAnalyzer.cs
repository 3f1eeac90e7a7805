using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using RayGen.Shapes;

namespace RayGen.Analyzers;

/// <summary>
/// The generator names every type that holds [Remote] code from outside it (the Remote property's struct,
/// the module initializer that registers invokers), which it cannot do for a generic type (RAY011) or a
/// type that only its container (or its file) can see (RAY012).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ContainingTypeAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.GenericContainingType,
        DiagnosticDescriptors.InaccessibleContainingType);

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
            start.RegisterSymbolAction(symbol => Analyze(symbol, shapes), SymbolKind.NamedType);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, ShapeDiagnostics shapes)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var reason = RemoteCode.WhyGeneratorExtends(type);
        if (reason is null)
            return;

        // Only the type's own type parameters and accessibility: a type nested in a bad one is reported at that one.
        foreach (var violation in RemoteShape.HolderViolations(type))
        {
            if (violation.Rule is ShapeRule.GenericContainingType or ShapeRule.InaccessibleContainingType)
                context.ReportDiagnostic(shapes.Create(violation, reason));
        }
    }
}
