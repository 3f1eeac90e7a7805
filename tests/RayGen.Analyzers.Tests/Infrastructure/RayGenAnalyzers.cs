using System.Collections.Generic;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using RayGen.Analyzers.CodeFixes;

namespace RayGen.Analyzers.Tests.Infrastructure;

/// <summary>All of RayGen's analyzers and fixes: tests run them together, as a user's build does.</summary>
internal static class RayGenAnalyzers
{
    public static IEnumerable<DiagnosticAnalyzer> All() =>
    [
        new PartialTypeAnalyzer(),
        new ContainingTypeAnalyzer(),
        new RemoteMethodAnalyzer(),
        new ActorClassAnalyzer(),
        new BlockingGetAnalyzer(),
        new DataTransformAnalyzer(),
    ];

    public static IEnumerable<CodeFixProvider> AllFixes() =>
    [
        new AddPartialCodeFix(),
        new AwaitInsteadOfGetCodeFix(),
        new MakeTransformStaticCodeFix(),
        new InlineCapturedConstantsCodeFix(),
    ];
}
