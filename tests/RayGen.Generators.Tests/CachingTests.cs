using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NUnit.Framework;

namespace RayGen.Generators.Tests;

/// <summary>The pipeline is incremental: unrelated edits reuse every RayGen stage, and models hold no compiler objects.</summary>
public class CachingTests
{
    private const string Tasks = """
        using System.Threading.Tasks;
        using RayGen;
        namespace Demo;
        public static partial class MathTasks
        {
            [Remote]
            public static int Add(int x, int y) => x + y;

            [Remote]
            public static Task<int> AddAsync(int x, int y) => Task.FromResult(x + y);
        }
        [Remote]
        public partial class Counter
        {
            private int _n;
            public int Increment() => ++_n;
        }
        """;

    private const string Unrelated = "namespace Demo; public static class Helpers { public static int One() => 1; }";

    private static readonly string[] StageNames = { TrackingNames.RemoteMethods, TrackingNames.Actors, TrackingNames.RemoteTypes };

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun()
    {
        var compilation = GeneratorHarness.Compile(Tasks, Unrelated);
        var driver = GeneratorHarness.CreateDriver(withMemoryPack: false).RunGenerators(compilation);
        return (driver, compilation);
    }

    private static IEnumerable<(string Stage, IncrementalStepRunReason Reason)> RayGenSteps(GeneratorDriver driver) =>
        Steps(GeneratorHarness.RayGenResult(driver.GetRunResult()), StageNames);

    /// <summary>Each tracked output of the named stages, with why it ran.</summary>
    private static IEnumerable<(string Stage, IncrementalStepRunReason Reason)> Steps(GeneratorRunResult result, string[] stages) =>
        result.TrackedSteps
            .Where(kv => stages.Contains(kv.Key))
            .SelectMany(kv => kv.Value.SelectMany(step => step.Outputs.Select(o => (kv.Key, o.Reason))));

    [Test]
    public void An_unrelated_edit_reruns_with_every_RayGen_stage_cached_or_unchanged()
    {
        var (driver, compilation) = FirstRun();
        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText(Unrelated.Replace("=> 1", "=> 2"), GeneratorHarness.ParseOptions, path: "Source1.cs"));
        driver = driver.RunGenerators(edited);

        var steps = RayGenSteps(driver).ToList();
        Assert.That(steps.Select(s => s.Stage).Distinct(), Is.EquivalentTo(StageNames), "every stage ran and was tracked");
        Assert.That(steps.Select(s => s.Reason), Has.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
    }

    [Test]
    public void Editing_a_remote_method_body_leaves_the_generated_model_unchanged()
    {
        var (driver, compilation) = FirstRun();
        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.First(),
            CSharpSyntaxTree.ParseText(Tasks.Replace("=> x + y;", "=> y + x;"), GeneratorHarness.ParseOptions, path: "Source0.cs"));
        driver = driver.RunGenerators(edited);

        var types = RayGenSteps(driver).Where(s => s.Stage == TrackingNames.RemoteTypes).Select(s => s.Reason).ToList();
        Assert.That(types, Is.Not.Empty);
        Assert.That(types, Has.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
    }

    [Test]
    public void Changing_a_signature_regenerates_that_type()
    {
        var (driver, compilation) = FirstRun();
        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.First(),
            CSharpSyntaxTree.ParseText(Tasks.Replace("Add(int x, int y) =>", "Add(int x, long y) => (int)"), GeneratorHarness.ParseOptions, path: "Source0.cs"));
        driver = driver.RunGenerators(edited);

        var reasons = RayGenSteps(driver).Where(s => s.Stage == TrackingNames.RemoteTypes).Select(s => s.Reason);
        Assert.That(reasons, Has.Some.EqualTo(IncrementalStepRunReason.Modified));
    }

    [Test]
    public void The_model_graph_holds_no_symbols_syntax_nodes_or_compilations()
    {
        var (driver, _) = FirstRun();
        var outputs = GeneratorHarness.RayGenResult(driver.GetRunResult()).TrackedSteps
            .Where(kv => StageNames.Contains(kv.Key))
            .SelectMany(kv => kv.Value.SelectMany(step => step.Outputs.Select(o => o.Value)))
            .ToList();
        Assert.That(outputs, Is.Not.Empty);
        foreach (var output in outputs) AssertNoCompilerObjects(output, new HashSet<object>(ReferenceEqualityComparer.Instance), "model");
    }

    private const string DataCalls = """
        using RayGen.Data;
        namespace Demo;
        public static class Pipeline
        {
            public static Dataset<int> Run(Dataset<int> numbers) => numbers.Map(static x => x * 2).Filter(static x => x > 3);
        }
        """;

    private static readonly string[] DataStageNames = { TrackingNames.DataCalls, TrackingNames.DataFunctions };

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstDataRun()
    {
        var compilation = GeneratorHarness.Compile(DataCalls, Unrelated);
        return (GeneratorHarness.CreateDriver(withMemoryPack: false).RunGenerators(compilation), compilation);
    }

    private static List<(string Stage, IncrementalStepRunReason Reason)> DataSteps(GeneratorDriver driver) =>
        Steps(GeneratorHarness.DataResult(driver.GetRunResult()), DataStageNames).ToList();

    [Test]
    public void An_unrelated_edit_reruns_with_the_data_function_stages_cached_or_unchanged()
    {
        var (driver, compilation) = FirstDataRun();
        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.Last(),
            CSharpSyntaxTree.ParseText(Unrelated.Replace("=> 1", "=> 2"), GeneratorHarness.ParseOptions, path: "Source1.cs"));
        driver = driver.RunGenerators(edited);

        var steps = DataSteps(driver);
        Assert.That(steps.Select(s => s.Stage).Distinct(), Is.EquivalentTo(DataStageNames), "both stages ran and were tracked");
        Assert.That(steps.Select(s => s.Reason), Has.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
    }

    [Test]
    public void Editing_a_data_function_regenerates_the_registry()
    {
        var (driver, compilation) = FirstDataRun();
        var edited = compilation.ReplaceSyntaxTree(
            compilation.SyntaxTrees.First(),
            CSharpSyntaxTree.ParseText(DataCalls.Replace("x * 2", "x * 3"), GeneratorHarness.ParseOptions, path: "Source0.cs"));
        driver = driver.RunGenerators(edited);

        Assert.That(DataSteps(driver).Where(s => s.Stage == TrackingNames.DataFunctions).Select(s => s.Reason), Has.Some.EqualTo(IncrementalStepRunReason.Modified));
        Assert.That(driver.GetRunResult().GeneratedTrees.Single(t => t.FilePath.EndsWith("RayGen.Data.Functions.g.cs", StringComparison.Ordinal)).ToString(), Does.Contain("x * 3"));
    }

    [Test]
    public void The_data_function_models_hold_no_symbols_syntax_nodes_or_compilations()
    {
        var (driver, _) = FirstDataRun();
        var outputs = GeneratorHarness.DataResult(driver.GetRunResult()).TrackedSteps
            .Where(kv => DataStageNames.Contains(kv.Key))
            .SelectMany(kv => kv.Value.SelectMany(step => step.Outputs.Select(o => o.Value)))
            .ToList();
        Assert.That(outputs, Is.Not.Empty);
        foreach (var output in outputs) AssertNoCompilerObjects(output, new HashSet<object>(ReferenceEqualityComparer.Instance), "model");
    }

    private static void AssertNoCompilerObjects(object? node, HashSet<object> seen, string path)
    {
        if (node is null || node is string || node.GetType().IsPrimitive || node.GetType().IsEnum || !seen.Add(node)) return;
        Assert.That(node, Is.Not.InstanceOf<ISymbol>().And.Not.InstanceOf<SyntaxNode>().And.Not.InstanceOf<Compilation>()
            .And.Not.InstanceOf<Location>().And.Not.InstanceOf<SemanticModel>(), path);
        if (node is IEnumerable items)
        {
            var i = 0;
            foreach (var item in items) AssertNoCompilerObjects(item, seen, $"{path}[{i++}]");
        }

        foreach (var field in node.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            AssertNoCompilerObjects(field.GetValue(node), seen, $"{path}.{field.Name}");
    }
}
