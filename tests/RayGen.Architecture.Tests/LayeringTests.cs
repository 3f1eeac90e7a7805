using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using NUnit.Framework;

namespace RayGen.Architecture.Tests;

/// <summary>The runtime's folders are floors (see <see cref="Layers"/>): arrows point down only.</summary>
public class LayeringTests
{
    private static readonly string s_runtime = Path.Combine(RepositoryRoot(), "Runtime");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RayGen.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException("RayGen.sln not found above " + AppContext.BaseDirectory);
    }

    private static IEnumerable<string> RuntimeSources() =>
        Directory.EnumerateFiles(s_runtime, "*.cs", SearchOption.AllDirectories)
            .Where(p => FolderOf(p) is not null);

    // The worker host's executable is its own project and reaches RayGen by reflection only.
    private static string? FolderOf(string path)
    {
        var relative = Path.GetRelativePath(s_runtime, path).Split(Path.DirectorySeparatorChar);
        if (relative.Length < 2 || relative.Contains("bin") || relative.Contains("obj") || relative.Contains("Executable")) return null;
        return relative[0];
    }

    [Test]
    public void Every_runtime_folder_is_on_a_floor()
    {
        var folders = RuntimeSources().Select(p => FolderOf(p)!).Distinct().OrderBy(f => f).ToList();
        Assert.That(folders.Where(f => !Layers.FloorOf.ContainsKey(f)), Is.Empty, "a new folder must be given its floor in Layers.FloorOf");
        Assert.That(folders, Is.EquivalentTo(Layers.FloorOf.Keys), "every floor names a folder that exists");
    }

    [Test]
    public void No_runtime_folder_uses_a_folder_on_its_floor_or_above()
    {
        var compilation = LayerChecker.Compile(RuntimeSources().Select(p => (p, File.ReadAllText(p))));
        var violations = LayerChecker.Check(compilation, FolderOf).Select(v => v with { File = Path.GetRelativePath(s_runtime, v.File) });
        Assert.That(violations.Select(v => v.ToString()).Distinct(), Is.Empty);
    }

    [Test]
    public void A_type_is_declared_in_one_folder_only()
    {
        var compilation = LayerChecker.Compile(RuntimeSources().Select(p => (p, File.ReadAllText(p))));
        var spread = compilation.SyntaxTrees
            .SelectMany(t => t.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.BaseTypeDeclarationSyntax>())
            .GroupBy(d => compilation.GetSemanticModel(d.SyntaxTree).GetDeclaredSymbol(d)!.ToDisplayString())
            .Where(g => g.Select(d => FolderOf(d.SyntaxTree.FilePath)).Distinct().Count() > 1)
            .Select(g => g.Key);
        Assert.That(spread, Is.Empty, "a partial type split across floors would have no one floor");
    }

    // The checker itself, on made-up sources: it must catch what the real check is there to catch.
    private static List<Violation> CheckMadeUp(params (string Path, string Text)[] sources) =>
        LayerChecker.Check(LayerChecker.Compile(sources), p => p.Split('/')[0]);

    [Test]
    public void The_checker_reports_a_store_type_that_uses_a_core_type()
    {
        var violations = CheckMadeUp(
            ("Core/Scheduler.cs", "namespace RayGen.Core; internal sealed class Scheduler { public void Run() { } }"),
            ("Store/Entry.cs", "namespace RayGen.Store; internal sealed class Entry { public void Go(RayGen.Core.Scheduler s) => s.Run(); }"));
        Assert.That(violations.Select(v => (v.FromFolder, v.ToFolder, v.Symbol)).Distinct(),
            Is.EqualTo(new[] { ("Store", "Core", "RayGen.Core.Scheduler") }));
    }

    [Test]
    public void The_checker_reports_a_public_type_reached_without_a_using()
    {
        // Public types live in namespace RayGen, visible from every RayGen.* namespace with no using to give them away.
        var violations = CheckMadeUp(
            ("Api/Ray.cs", "namespace RayGen; public static class Ray { public static int Answer() => 42; }"),
            ("Protocol/Frame.cs", "namespace RayGen.Protocol; internal sealed class Frame { public int Size = Ray.Answer(); }"));
        Assert.That(violations.Select(v => v.ToFolder).Distinct(), Is.EqualTo(new[] { "Api" }));
    }

    [Test]
    public void The_checker_reports_one_role_using_the_other()
    {
        var violations = CheckMadeUp(
            ("Driver/Backend.cs", "namespace RayGen.Driver; internal sealed class Backend { }"),
            ("InWorker/Link.cs", "namespace RayGen.InWorker; internal sealed class Link { private RayGen.Driver.Backend? _b; }"));
        Assert.That(violations.Select(v => (v.FromFolder, v.ToFolder)).Distinct(), Is.EqualTo(new[] { ("InWorker", "Driver") }));
    }

    [Test]
    public void The_checker_ignores_a_using_that_binds_nothing_and_downward_uses()
    {
        var violations = CheckMadeUp(
            ("Core/Scheduler.cs", "namespace RayGen.Core; internal sealed class Scheduler { }"),
            ("Store/Entry.cs", "using RayGen.Core; namespace RayGen.Store; internal sealed class Entry { }"),
            ("Api/Ray.cs", "namespace RayGen; internal static class Ray { static RayGen.Core.Scheduler? s; static RayGen.Store.Entry? e; }"));
        Assert.That(violations, Is.Empty);
    }
}
