using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RayGen.Generators;

namespace RayGen.Generators.Tests;

/// <summary>Compiles test sources against the real runtime and runs the generator over them.</summary>
internal static class GeneratorHarness
{
    // The symbols a net10.0 build defines: MemoryPack's generator picks its code shape by them.
    public static readonly CSharpParseOptions ParseOptions = new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.Diagnose,
        preprocessorSymbols: new[] { "NET", "NETCOREAPP", "NET10_0", "NET5_0_OR_GREATER", "NET6_0_OR_GREATER", "NET7_0_OR_GREATER", "NET8_0_OR_GREATER", "NET9_0_OR_GREATER", "NET10_0_OR_GREATER" })
        // As RayGen's build file sets InterceptorsNamespaces for every project that gets the package.
        .WithFeatures(new[] { new KeyValuePair<string, string>("InterceptorsNamespaces", "RayGen.Data.Generated") });

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System", StringComparison.Ordinal) || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Concat(new[]
            {
                typeof(RayGen.Ray).Assembly.Location,
                typeof(MemoryPack.MemoryPackSerializer).Assembly.Location,
                typeof(RayGen.Data.RayData).Assembly.Location,
            })
            .Distinct();
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    });

    public static CSharpCompilation Compile(params string[] sources) =>
        CSharpCompilation.Create(
            "Tests",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>MemoryPack's own generator runs beside ours, as in a real build: it makes [MemoryPackable] types registrable.</summary>
    private static readonly Lazy<ISourceGenerator[]> s_memoryPackGenerators = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "generators", "MemoryPack.Generator.dll");
        var assembly = System.Reflection.Assembly.LoadFrom(path);
        return assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.GetCustomAttributes(typeof(GeneratorAttribute), false).Length > 0)
            .Select(t => Activator.CreateInstance(t) switch
            {
                IIncrementalGenerator incremental => incremental.AsSourceGenerator(),
                ISourceGenerator classic => classic,
                _ => throw new InvalidOperationException($"{t} is not a generator"),
            })
            .ToArray();
    });

    public static GeneratorDriver CreateDriver(bool withMemoryPack = true) =>
        CSharpGeneratorDriver.Create(
            new[] { new RemoteGenerator().AsSourceGenerator(), new Data.DataFunctionGenerator().AsSourceGenerator() }.Concat(withMemoryPack ? s_memoryPackGenerators.Value : Array.Empty<ISourceGenerator>()),
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns the output compilation and the run result.</summary>
    public static (Compilation Output, GeneratorDriverRunResult Result) Run(params string[] sources)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(Compile(sources), out var output, out _);
        return (output, driver.GetRunResult());
    }

    /// <summary>The RayGen generator's part of a run.</summary>
    public static GeneratorRunResult RayGenResult(GeneratorDriverRunResult result) =>
        result.Results.Single(r => r.Generator.GetGeneratorType() == typeof(RemoteGenerator));

    /// <summary>The data function generator's part of a run.</summary>
    public static GeneratorRunResult DataResult(GeneratorDriverRunResult result) =>
        result.Results.Single(r => r.Generator.GetGeneratorType() == typeof(Data.DataFunctionGenerator));

    /// <summary>
    /// Runs the generator over <paramref name="source"/> and checks what every snapshot case holds: no diagnostics or
    /// exception from the generator, and output that compiles with no warnings. Returns the files it wrote.
    /// </summary>
    public static System.Collections.Immutable.ImmutableArray<GeneratedSourceResult> GenerateCleanly(string source, Func<GeneratorDriverRunResult, GeneratorRunResult> which)
    {
        var (output, result) = Run(source);
        var ours = which(result);
        NUnit.Framework.Assert.That(ours.Diagnostics, NUnit.Framework.Is.Empty, "the generator reports nothing; diagnostics are the analyzers' job");
        NUnit.Framework.Assert.That(ours.Exception, NUnit.Framework.Is.Null);
        NUnit.Framework.Assert.That(WarningsAndErrors(output).Select(d => d.ToString()), NUnit.Framework.Is.Empty,
            "the generated code compiles with no warnings (for data functions: the interceptors match their calls)");
        return ours.GeneratedSources;
    }

    /// <summary>Errors anywhere, and warnings in generated files (the test sources themselves may lack XML docs).</summary>
    public static IReadOnlyList<Diagnostic> WarningsAndErrors(Compilation compilation) =>
        compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error ||
                        (d.Severity == DiagnosticSeverity.Warning && (d.Location.SourceTree?.FilePath.EndsWith(".RayGen.g.cs", StringComparison.Ordinal) == true || d.Location.SourceTree?.FilePath.EndsWith(".Functions.g.cs", StringComparison.Ordinal) == true)))
            .ToList();
}
