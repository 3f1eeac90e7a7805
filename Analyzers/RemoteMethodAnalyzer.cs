using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace RayGen.Analyzers;

/// <summary>
/// [Remote] on a method: a static method is a task, called as Type.Remote.M (so not as an extension,
/// RAY013), and must have a remotable signature; an instance method only makes sense on an actor class
/// (RAY002), whose members <see cref="ActorClassAnalyzer"/> checks.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RemoteMethodAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.InstanceMethodOutsideActor,
        DiagnosticDescriptors.NotSerializable,
        DiagnosticDescriptors.ByReference,
        DiagnosticDescriptors.GenericRemoteMethod,
        DiagnosticDescriptors.ExtensionRemoteMethod,
        DiagnosticDescriptors.ParamsCollection);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownSymbols.TryCreate(start.Compilation);
            if (known is null)
                return;
            var signatures = new SignatureChecker(known);
            start.RegisterSymbolAction(symbol => Analyze(symbol, known, signatures), SymbolKind.Method);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, KnownSymbols known, SignatureChecker signatures)
    {
        var method = (IMethodSymbol)context.Symbol;
        if (method.MethodKind != MethodKind.Ordinary || !known.HasRemoteAttribute(method))
            return;

        if (method.IsExtensionMethod)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.ExtensionRemoteMethod, method.Locations[0], method.Name, method.ContainingType.Name));
        }

        if (method.IsStatic)
        {
            signatures.Check(method, context.ReportDiagnostic);
            return;
        }

        if (!known.IsActor(method.ContainingType))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.InstanceMethodOutsideActor, method.Locations[0], method.Name, method.ContainingType.Name));
        }
    }
}
