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

    public static DiagnosticResult Info(string id) => new(id, Microsoft.CodeAnalysis.DiagnosticSeverity.Info);

    public static Task Analyzer(string source, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = Usings + source };
        Expect(test, expected);
        return test.RunAsync();
    }

    /// <summary>As <see cref="Analyzer"/>, with the test project compiled as the assembly <paramref name="assemblyName"/>.</summary>
    public static Task AnalyzerInAssembly(string assemblyName, string source, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = Usings + source };
        test.SolutionTransforms.Add((solution, projectId) => solution.WithProjectAssemblyName(projectId, assemblyName));
        Expect(test, expected);
        return test.RunAsync();
    }

    public static Task CodeFix(string source, string fixedSource, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = Usings + source, FixedCode = Usings + fixedSource };
        Expect(test, expected);
        return test.RunAsync();
    }

    // RAY020 (information: a function left to reflection) is checked by the tests that expect it; the others keep to their own ids.
    private static void Expect(Test test, DiagnosticResult[] expected)
    {
        test.ExpectedDiagnostics.AddRange(expected);
        if (!System.Array.Exists(expected, d => d.Id == "RAY020")) test.DisabledDiagnostics.Add("RAY020");
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
                var project = solution.GetProject(projectId)!;
                var options = (CSharpCompilationOptions)project.CompilationOptions!;
                // As RayGen's build file sets for every project that gets the package: the data function registry's interceptors.
                var parse = project.ParseOptions!.WithFeatures(new[] { new KeyValuePair<string, string>("InterceptorsNamespaces", "RayGen.Data.Generated") });
                return solution.WithProjectCompilationOptions(projectId, options.WithAllowUnsafe(true)).WithProjectParseOptions(projectId, parse);
            });
        }

        protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => RayGenAnalyzers.All();

        protected override IEnumerable<CodeFixProvider> GetCodeFixProviders() => RayGenAnalyzers.AllFixes();
    }
}
