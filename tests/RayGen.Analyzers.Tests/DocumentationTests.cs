using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using NUnit.Framework;

namespace RayGen.Analyzers.Tests;

/// <summary>Every diagnostic's help link must land on a section of docs/diagnostics.md and be release-tracked.</summary>
public sealed class DocumentationTests
{
    private static readonly DiagnosticDescriptor[] Descriptors = typeof(DiagnosticDescriptors)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (DiagnosticDescriptor)field.GetValue(null)!)
        .ToArray();

    private static string RepositoryFile(string relativePath)
    {
        var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "RayGen.sln")))
            directory = directory.Parent;
        Assert.That(directory, Is.Not.Null, "the repository root (RayGen.sln) was not found above the test directory");
        return File.ReadAllText(Path.Combine(directory!.FullName, relativePath));
    }

    [Test]
    public void Each_diagnostic_links_to_its_own_section_of_the_diagnostics_doc()
    {
        var doc = RepositoryFile("docs/diagnostics.md");
        Assert.That(Descriptors, Has.Length.GreaterThanOrEqualTo(10));
        foreach (var descriptor in Descriptors)
        {
            var anchor = descriptor.Id.ToLowerInvariant();
            Assert.That(descriptor.HelpLinkUri, Is.EqualTo("docs/diagnostics.md#" + anchor));
            Assert.That(doc, Does.Contain($"<a id=\"{anchor}\"></a>\n## {descriptor.Id}"));
        }
    }

    [Test]
    public void Each_diagnostic_id_is_unique_and_listed_in_the_unshipped_release()
    {
        var releases = RepositoryFile("Analyzers/AnalyzerReleases.Unshipped.md");
        Assert.That(Descriptors.Select(d => d.Id), Is.Unique);
        foreach (var descriptor in Descriptors)
            Assert.That(releases, Does.Contain($"{descriptor.Id} | RayGen | {descriptor.DefaultSeverity} |"));
    }
}
