using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using RayGen.Shapes;

namespace RayGen.Analyzers;

/// <summary>
/// RAY001: the generator adds members to every type that holds [Remote] code, and to reach a nested
/// type it must reopen each type around it, so all of them must be partial.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PartialTypeAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.NotPartial);

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

        foreach (var violation in RemoteShape.HolderViolations(type))
        {
            if (violation.Rule == ShapeRule.NotPartial)
                context.ReportDiagnostic(shapes.Create(violation, reason));
        }
    }
}
