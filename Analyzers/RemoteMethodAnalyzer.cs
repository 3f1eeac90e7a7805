using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace RayGen.Analyzers;

/// <summary>
/// [Remote] on a method: a static method is a task, called as Type.Remote.M (so not as an extension,
/// RAY013), and must have a remotable signature; an instance method only makes sense on an actor class
/// (RAY002), whose members <see cref="ActorClassAnalyzer"/> checks; anything that is not an ordinary method
/// (an operator, accessor, local function, lambda...) has no name a worker could call (RAY016).
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
        DiagnosticDescriptors.ParamsCollection,
        DiagnosticDescriptors.NotAnOrdinaryMethod,
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
            start.RegisterSymbolAction(symbol => Analyze((IMethodSymbol)symbol.Symbol, symbol.ReportDiagnostic, known, shapes), SymbolKind.Method);
            // Local functions and lambdas are not symbols of the declaration tree; they surface as operations.
            start.RegisterOperationAction(
                operation => Analyze(((ILocalFunctionOperation)operation.Operation).Symbol, operation.ReportDiagnostic, known, shapes),
                OperationKind.LocalFunction);
            start.RegisterOperationAction(
                operation => Analyze(((IAnonymousFunctionOperation)operation.Operation).Symbol, operation.ReportDiagnostic, known, shapes),
                OperationKind.AnonymousFunction);
        });
    }

    private static void Analyze(IMethodSymbol method, System.Action<Diagnostic> report, KnownSymbols known, ShapeDiagnostics shapes)
    {
        if (!known.HasRemoteAttribute(method))
            return;
        shapes.CheckRemoteMethod(method, report);
        shapes.CheckStreamBackpressure(method, report);
    }
}
