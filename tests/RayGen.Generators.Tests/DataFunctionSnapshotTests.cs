using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NUnit.Framework;

namespace RayGen.Generators.Tests;

/// <summary>
/// The data function registry, one verified file per shape: each case compiles with the interceptors in place (a
/// wrong location or signature is a compile error) and with no warnings in the generated file.
/// </summary>
public class DataFunctionSnapshotTests
{
    private static string Verify(string source, [CallerMemberName] string test = "")
    {
        var files = GeneratorHarness.GenerateCleanly(source, GeneratorHarness.DataResult);
        Assert.That(files, Has.Length.EqualTo(1), "one registry file per assembly");
        var text = files[0].SourceText.ToString();
        Snapshot.Match($"{nameof(DataFunctionSnapshotTests)}.{test}", text);
        return text;
    }

    [Test]
    public void Row_functions_name_types_statics_and_constants_globally() => Verify("""
        using System;
        using RayGen.Data;
        namespace Demo;
        public sealed record Trip(double Fare, double Distance, string City);
        internal static class Rules
        {
            public const double MinimumFare = 2.5;
            public static bool Valid(Trip t) => t.Distance > 0;
        }
        public static class Pipeline
        {
            public static Dataset<double> Fares(Dataset<Trip> trips)
            {
                const int scale = 100;
                return trips
                    .Filter(static t => Rules.Valid(t) && t.Fare >= Rules.MinimumFare)
                    .Map(static t => Math.Round(t.Fare / t.Distance * scale) / scale)
                    .FlatMap(static f => new[] { f, -f });
            }
        }
        """);

    [Test]
    public void Method_groups_are_registered_by_their_global_names() => Verify("""
        using RayGen.Data;
        namespace Demo;
        public static class Cleaning
        {
            public static string Trim(string s) => s.Trim();
            internal static bool NotEmpty(string s) => s.Length > 0;
            public static T Same<T>(T value) => value;
        }
        public static class Pipeline
        {
            public static Dataset<string> Clean(Dataset<string> lines) =>
                lines.Map(Cleaning.Trim).Filter(Cleaning.NotEmpty).Map(Cleaning.Same<string>);
        }
        """);

    [Test]
    public void Extension_methods_in_a_batch_function_are_called_in_their_static_form()
    {
        var text = Verify("""
            using System.Linq;
            using RayGen.Data;
            namespace Demo;
            public static class Pipeline
            {
                public static Dataset<double> Normalized(Dataset<double> values) =>
                    values.MapBatches(static (double[] batch) => batch.Select(v => v / batch.Max()).ToArray(), batchSize: 1024);
            }
            """);
        Assert.That(text, Does.Contain("global::System.Linq.Enumerable.ToArray(global::System.Linq.Enumerable.Select(batch"));
    }

    [Test]
    public void Sort_GroupBy_and_a_three_function_Aggregate_register_each_function() => Verify("""
        using RayGen.Data;
        namespace Demo;
        public sealed record Sale(string Region, long Cents);
        public static class Pipeline
        {
            public static Dataset<(string Key, long Value)> Totals(Dataset<Sale> sales) =>
                sales.Sort(static s => s.Cents, descending: true)
                     .GroupBy(static s => s.Region)
                     .Aggregate(static () => 0L, static (acc, s) => acc + s.Cents, static (a, b) => a + b);
        }
        """);

    [Test]
    public void Functions_that_name_private_code_or_capture_are_left_to_the_runtime()
    {
        var text = Verify("""
            using RayGen.Data;
            namespace Demo;
            public static class Pipeline
            {
                private static int Secret(int x) => x * 7;
                public static Dataset<int> Run(Dataset<int> numbers)
                {
                    static int Local(int x) => x + 1;
                    return numbers
                        .Map(static x => Secret(x))
                        .Map(Local)
                        .Map(static x => x + 1);
                }
            }
            """);
        Assert.That(text, Does.Not.Contain("Secret").And.Not.Contain("Local"));
        Assert.That(text.Split("[global::System.Runtime.CompilerServices.InterceptsLocation(").Length - 1, Is.EqualTo(1),
            "only the third call, whose lambda names nothing private, is intercepted");
    }

    [Test]
    public void Nothing_is_generated_where_the_project_does_not_enable_the_interceptors()
    {
        const string source = """
            using RayGen.Data;
            namespace Demo;
            public static class Pipeline { public static Dataset<int> Run(Dataset<int> d) => d.Map(static x => x + 1); }
            """;
        var options = GeneratorHarness.ParseOptions.WithFeatures(System.Array.Empty<System.Collections.Generic.KeyValuePair<string, string>>());
        var compilation = CSharpCompilation.Create("Tests", new[] { CSharpSyntaxTree.ParseText(source, options) },
            GeneratorHarness.Compile().References, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var driver = CSharpGeneratorDriver.Create(new[] { new Data.DataFunctionGenerator().AsSourceGenerator() }, parseOptions: options)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        Assert.That(driver.GetRunResult().GeneratedTrees, Is.Empty);
        Assert.That(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error), Is.Empty, "the build still succeeds; the runtime binds the functions itself");
    }

    [Test]
    public void A_call_whose_row_type_is_private_is_not_intercepted()
    {
        const string source = """
            using RayGen.Data;
            namespace Demo;
            public static class Pipeline
            {
                private sealed record Hidden(int Value);
                public static int Run(Dataset<int> d) => d.Map(static x => new Hidden(x)).Map(static h => h.Value).Take(1)[0];
            }
            """;
        var (output, result) = GeneratorHarness.Run(source);
        Assert.That(GeneratorHarness.DataResult(result).GeneratedSources, Is.Empty);
        Assert.That(GeneratorHarness.WarningsAndErrors(output), Is.Empty);
    }
}
