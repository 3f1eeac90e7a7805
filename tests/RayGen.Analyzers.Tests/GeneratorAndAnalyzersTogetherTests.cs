using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;
using RayGen.Generators;

namespace RayGen.Analyzers.Tests;

/// <summary>
/// What a user's build does: the generator runs first, then the compiler and the analyzers see its output.
/// Each misuse must surface as its own RAY error, not as a generator crash or a pile of errors in generated code.
/// </summary>
public sealed class GeneratorAndAnalyzersTogetherTests
{
    private const string ProjectWithEveryMistake = """
        using System.IO;
        using RayGen;

        public static class NotPartial
        {
            [Remote] public static int Add(int x, int y) => x + y;
        }

        public partial class NotAnActor
        {
            [Remote] public int Twice(int x) => 2 * x;
        }

        public static partial class Files
        {
            [Remote] public static long Length(Stream stream) => stream.Length;
        }

        public static partial class Counters
        {
            [Remote] public static int Bump(ref int value) => ++value;
        }

        public static partial class Good
        {
            [Remote] public static int One() => 1;
        }

        [Remote]
        public partial class Counter
        {
            private int _n;
            public Counter(int start) => _n = start;
            public int Increment() => ++_n;
        }

        public static class Program
        {
            public static int Main()
            {
                ObjectRef<int> one = Good.Remote.One();
                ActorHandle<Counter> counter = Counter.Remote.New(1);
                return one.Get() + counter.Increment().Get();
            }
        }
        """;

    [Test]
    public async Task Project_with_RAY001_to_RAY004_reports_each_once_with_no_generator_failure_and_no_other_errors()
    {
        var compilation = await CreateCompilationAsync(ProjectWithEveryMistake);

        GeneratorDriver driver = CSharpGeneratorDriver.Create(new RemoteGenerator());
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var generated, out var generatorDiagnostics);
        var run = driver.GetRunResult();

        Assert.That(run.Results.Select(r => r.Exception), Is.All.Null, "the generator threw");
        Assert.That(generatorDiagnostics, Is.Empty, "the generator reported diagnostics itself");
        Assert.That(run.GeneratedTrees, Is.Not.Empty, "the generator wrote nothing for the valid types");

        var all = await generated
            .WithAnalyzers(RayGenAnalyzers.All().ToImmutableArray())
            .GetAllDiagnosticsAsync(CancellationToken.None);
        var errors = all.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();

        Assert.That(errors.Select(Describe), Is.EquivalentTo(new[]
        {
            "RAY001 at NotPartial",
            "RAY002 at Twice",
            "RAY003 at Stream",
            "RAY004 at ref int value",
        }), "expected exactly one error per mistake: " + string.Join("; ", errors.Select(e => e.ToString())));
    }

    private static string Describe(Diagnostic diagnostic)
    {
        var location = diagnostic.Location;
        var text = location.SourceTree?.GetText().ToString(location.SourceSpan) ?? "?";
        return $"{diagnostic.Id} at {text}";
    }

    private static async Task<Compilation> CreateCompilationAsync(string source)
    {
        var references = await TestReferences.Net10.ResolveAsync(LanguageNames.CSharp, CancellationToken.None);
        return CSharpCompilation.Create(
            "UserApp",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            references.AddRange(TestReferences.RayGen),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
    }
}
