using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace RayGen.Analyzers.Tests.Infrastructure;

/// <summary>
/// Runs source with diagnostic markup (<c>{|RAY001:Name|}</c>) through all analyzers and, for fixes,
/// compares the fixed source. Compiler errors in the source fail the test too, so samples stay honest.
/// </summary>
internal static class Verify
{
    private const string Usings = "using System;\nusing System.Collections.Generic;\nusing System.IO;\nusing System.Threading;\nusing System.Threading.Tasks;\nusing MemoryPack;\nusing RayGen;\n\n";

    public static DiagnosticResult Error(string id) => new(id, Microsoft.CodeAnalysis.DiagnosticSeverity.Error);

    public static DiagnosticResult Warning(string id) => new(id, Microsoft.CodeAnalysis.DiagnosticSeverity.Warning);

    public static Task Analyzer(string source, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = Usings + source };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    public static Task CodeFix(string source, string fixedSource, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = Usings + source, FixedCode = Usings + fixedSource };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync();
    }

    private sealed class Test : CSharpCodeFixTest<EmptyDiagnosticAnalyzer, EmptyCodeFixProvider, DefaultVerifier>
    {
        public Test()
        {
            ReferenceAssemblies = TestReferences.Net10;
            TestState.AdditionalReferences.AddRange(TestReferences.RayGen);
            // Pointer parameters (RAY004) need unsafe code to compile at all.
            SolutionTransforms.Add((solution, projectId) =>
            {
                var options = (CSharpCompilationOptions)solution.GetProject(projectId)!.CompilationOptions!;
                return solution.WithProjectCompilationOptions(projectId, options.WithAllowUnsafe(true));
            });
        }

        protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => RayGenAnalyzers.All();

        protected override IEnumerable<CodeFixProvider> GetCodeFixProviders() => RayGenAnalyzers.AllFixes();
    }
}
