using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace RayGen.Analyzers;

/// <summary>
/// The generator names every type that holds [Remote] code from outside it (the Remote property's struct,
/// the module initializer that registers invokers), which it cannot do for a generic type (RAY011) or a
/// type that only its container can see (RAY012).
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
            if (known is not null)
                start.RegisterSymbolAction(symbol => Analyze(symbol, known), SymbolKind.NamedType);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, KnownSymbols known)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var reason = RemoteCode.WhyGeneratorExtends(type, known);
        if (reason is null)
            return;

        // Only the type's own type parameters: a type nested in a generic one is reported at that one.
        if (type.TypeParameters.Length > 0)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.GenericContainingType, type.Locations[0], type.Name, reason));
        }

        var hidden = HiddenAccessibility(type.DeclaredAccessibility);
        if (hidden is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.InaccessibleContainingType, type.Locations[0], type.Name, hidden, reason));
        }
    }

    private static string? HiddenAccessibility(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Private => "private",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedAndInternal => "private protected",
        _ => null,
    };
}
