using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using RayGen.Analyzers.BlockingGet;

namespace RayGen.Analyzers;

/// <summary>
/// Warnings for the two ways a blocking Get wastes the cluster: inside an async method it parks a
/// thread the async code needs (RAY009, Ray issue 7197), and inside the loop that submits the ref it
/// turns parallel calls into sequential ones (RAY010).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BlockingGetAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property telling the code fix how to spell <c>await</c>; absent when no fix applies.</summary>
    public const string AwaitFixProperty = "AwaitFix";
    public const string FixRayGet = "RayGet";
    public const string FixInstanceGet = "InstanceGet";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.BlockingGetInAsync, DiagnosticDescriptors.GetInSubmittingLoop);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownSymbols.TryCreate(start.Compilation);
            if (known is not null)
                start.RegisterOperationAction(operation => Analyze(operation, known), OperationKind.Invocation);
        });
    }

    private static void Analyze(OperationAnalysisContext context, KnownSymbols known)
    {
        var call = GetCall.TryCreate((IInvocationOperation)context.Operation, known);
        if (call is null)
            return;

        var syntax = call.Invocation.Syntax;
        if (EnclosingScope.IsInAsyncFunction(syntax))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.BlockingGetInAsync, syntax.GetLocation(), AwaitFix(call), call.DisplayName));
        }

        var loop = EnclosingScope.InnermostLoop(syntax);
        if (loop is not null && call.Reference is not null
            && LoopSubmission.IsSubmittedIn(call.Reference, loop, call.Invocation.SemanticModel!, known))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.GetInSubmittingLoop, syntax.GetLocation(), call.DisplayName));
        }
    }

    private static ImmutableDictionary<string, string?> AwaitFix(GetCall call)
    {
        if (call.Reference is null || call.HasTimeout || EnclosingScope.ForbidsAwait(call.Invocation.Syntax))
            return ImmutableDictionary<string, string?>.Empty;
        return ImmutableDictionary<string, string?>.Empty.Add(AwaitFixProperty, call.IsRayGet ? FixRayGet : FixInstanceGet);
    }
}
