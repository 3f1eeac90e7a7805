using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection.Metadata;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using NUnit.Framework;

namespace RayGen.Package.Tests;

/// <summary>The package opened as a zip, as NuGet and a reviewer see it.</summary>
[TestFixture]
public class PackageLayoutTests
{
    /// <summary>Zip entries that NuGet writes into every package (the OPC parts).</summary>
    private static bool IsPackagingPart(string name) =>
        name == "[Content_Types].xml" || name.StartsWith("_rels/", StringComparison.Ordinal) || name.StartsWith("package/", StringComparison.Ordinal);

    private static string[] EntriesOf(string file)
    {
        using var zip = ZipFile.OpenRead(file);
        return zip.Entries.Select(e => e.FullName).Where(n => !IsPackagingPart(n)).Order(StringComparer.Ordinal).ToArray();
    }

    private static XElement Metadata() => Metadata(PackageFeed.PackageFile, "RayGen.nuspec");

    private static XElement Metadata(string package, string nuspecName)
    {
        using var zip = ZipFile.OpenRead(package);
        using var stream = zip.GetEntry(nuspecName)!.Open();
        var nuspec = XDocument.Load(stream);
        return nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static XElement Child(XElement parent, string name) => parent.Elements().Single(e => e.Name.LocalName == name);

    [Test]
    public void The_package_holds_the_runtime_the_generator_the_analyzers_the_worker_host_and_the_dashboard_server_and_nothing_else() =>
        Assert.That(EntriesOf(PackageFeed.PackageFile), Is.EqualTo(new[]
        {
            "PACKAGE.md",
            "RayGen.nuspec",
            "analyzers/dotnet/cs/RayGen.Analyzers.CodeFixes.dll",
            "analyzers/dotnet/cs/RayGen.Analyzers.dll",
            "analyzers/dotnet/cs/RayGen.Generators.dll",
            "buildTransitive/net10.0/RayGen.targets",
            "lib/net10.0/RayGen.dll",
            "lib/net10.0/RayGen.xml",
            "tools/net10.0/RayGen.Dashboard.dll",
            "tools/net10.0/RayGen.Worker.dll",
        }));

    [Test]
    public void The_symbols_package_carries_the_runtime_pdb() =>
        Assert.That(EntriesOf(PackageFeed.SymbolsFile), Is.EqualTo(new[] { "RayGen.nuspec", "lib/net10.0/RayGen.pdb" }));

    [Test]
    public void The_nuspec_names_the_version_from_the_command_line_a_license_expression_the_readme_tags_and_a_description()
    {
        var metadata = Metadata();
        Assert.That(Child(metadata, "id").Value, Is.EqualTo("RayGen"));
        Assert.That(Child(metadata, "version").Value, Is.EqualTo(PackageFeed.Version));
        Assert.That(Child(metadata, "license").Attribute("type")?.Value, Is.EqualTo("expression"));
        Assert.That(Child(metadata, "license").Value, Is.EqualTo("MIT"));
        Assert.That(Child(metadata, "readme").Value, Is.EqualTo("PACKAGE.md"));
        Assert.That(Child(metadata, "tags").Value.Split(' '), Does.Contain("ray").And.Contain("source-generator"));
        Assert.That(Child(metadata, "description").Value, Does.Contain("[Remote]"));
        Assert.That(Child(metadata, "repository").Attribute("type")?.Value, Is.EqualTo("git"));
    }

    [Test]
    public void MemoryPack_and_the_logging_abstractions_are_the_only_dependencies_and_the_generator_and_analyzer_projects_are_not()
    {
        var groups = Child(Metadata(), "dependencies").Elements().ToArray();
        Assert.That(groups.Select(g => g.Attribute("targetFramework")?.Value), Is.EqualTo(new[] { "net10.0" }));
        var dependencies = groups[0].Elements().Select(d => $"{d.Attribute("id")?.Value} {d.Attribute("version")?.Value}");
        // The logging abstractions carry RayOptions.LoggerFactory; the console logger RayGen writes with by default is its own.
        Assert.That(dependencies, Is.EquivalentTo(new[]
        {
            $"MemoryPack {PackageFeed.CentralVersion("MemoryPack")}",
            $"Microsoft.Extensions.Logging.Abstractions {PackageFeed.CentralVersion("Microsoft.Extensions.Logging.Abstractions")}",
        }));
    }

    [Test]
    public void The_build_file_finds_the_worker_host_and_the_dashboard_server_relative_to_itself()
    {
        using var zip = ZipFile.OpenRead(PackageFeed.PackageFile);
        using var reader = new StreamReader(zip.GetEntry("buildTransitive/net10.0/RayGen.targets")!.Open());
        var targets = reader.ReadToEnd();
        Assert.That(targets, Does.Contain("$(MSBuildThisFileDirectory)../../tools/net10.0/RayGen.Worker.dll"));
        Assert.That(targets, Does.Contain("$(MSBuildThisFileDirectory)../../tools/net10.0/RayGen.Dashboard.dll"));
    }

    [Test]
    public void No_path_of_the_build_machine_is_baked_into_any_file_of_either_package()
    {
        // The repository's folder and this run's temporary folder are the two paths a careless pack leaks:
        // into the nuspec, the build file, a binary's debug directory (its pdb path) or the pdb's source paths.
        var machinePaths = new[] { PackageFeed.RepositoryRoot.TrimEnd('/', '\\'), PackageFeed.Root };
        foreach (var file in new[] { PackageFeed.PackageFile, PackageFeed.SymbolsFile })
        {
            using var zip = ZipFile.OpenRead(file);
            foreach (var entry in zip.Entries)
            {
                using var memory = new MemoryStream();
                using (var stream = entry.Open()) stream.CopyTo(memory);
                var bytes = memory.ToArray();
                foreach (var path in machinePaths)
                {
                    Assert.That(Contains(bytes, Encoding.UTF8.GetBytes(path)) || Contains(bytes, Encoding.Unicode.GetBytes(path)), Is.False,
                        $"{Path.GetFileName(file)}: {entry.FullName} contains {path}");
                }

                if (entry.FullName.EndsWith(".pdb", StringComparison.Ordinal))
                {
                    // A portable pdb stores each source path in parts, so a byte search cannot see them: read them.
                    memory.Position = 0;
                    using var provider = MetadataReaderProvider.FromPortablePdbStream(memory);
                    var pdb = provider.GetMetadataReader();
                    var documents = pdb.Documents.Select(d => pdb.GetString(pdb.GetDocument(d).Name)).ToArray();
                    Assert.That(documents, Is.Not.Empty);
                    Assert.That(documents.Where(d => machinePaths.Any(p => d.StartsWith(p, StringComparison.Ordinal))), Is.Empty,
                        $"{entry.FullName} names sources by this machine's paths");
                }
            }
        }
    }

    // The design card's packages: RayGen, and the `raygen` tool RayGen.Cli (RayGen.Cluster joins them with the cluster).
    private static readonly string[] s_packages = ["Runtime/RayGen.csproj", "Cli/RayGen.Cli.csproj"];

    [Test]
    public void Packing_the_solution_makes_four_packages_RayGen_RayGen_Cluster_RayGen_Cli_and_RayGen_Data()
    {
        var solution = File.ReadAllText(Path.Combine(PackageFeed.RepositoryRoot, "RayGen.sln"));
        var projects = Regex.Matches(solution, @"""([^""]+\.csproj)""").Select(m => m.Groups[1].Value.Replace('\\', '/')).ToArray();
        Assert.That(projects, Is.SupersetOf(PackageFeed.PackedProjects));
        foreach (var project in projects.Except(PackageFeed.PackedProjects))
        {
            Assert.That(File.ReadAllText(Path.Combine(PackageFeed.RepositoryRoot, project)), Does.Contain("<IsPackable>false</IsPackable>"),
                $"{project} would make a package of its own");
        }
    }

    [Test]
    public void The_cluster_package_holds_its_library_and_depends_on_RayGen_whole_and_on_Orleans()
    {
        var dependencies = LibraryPackage(PackageFeed.ClusterPackageFile, "RayGen.Cluster");
        Assert.That(dependencies.Select(d => $"{d.Attribute("id")?.Value} {d.Attribute("version")?.Value}"), Is.EquivalentTo(new[]
        {
            $"RayGen {PackageFeed.Version}",
            $"Microsoft.Orleans.Server {PackageFeed.CentralVersion("Microsoft.Orleans.Server")}",
            $"Microsoft.Orleans.Client {PackageFeed.CentralVersion("Microsoft.Orleans.Client")}",
        }));
        // RayGen's generator and build file must reach a driver that references only the cluster package.
        Assert.That(dependencies.Single(d => d.Attribute("id")?.Value == "RayGen").Attribute("exclude"), Is.Null);
    }

    [Test]
    public void The_data_package_holds_its_library_and_depends_on_RayGen_whole_and_on_the_file_libraries()
    {
        var dependencies = LibraryPackage(PackageFeed.DataPackageFile, "RayGen.Data");
        Assert.That(dependencies.Select(d => $"{d.Attribute("id")?.Value} {d.Attribute("version")?.Value}"), Is.EquivalentTo(new[]
        {
            $"RayGen {PackageFeed.Version}",
            $"MemoryPack {PackageFeed.CentralVersion("MemoryPack")}",
            $"CsvHelper {PackageFeed.CentralVersion("CsvHelper")}",
            $"Parquet.Net {PackageFeed.CentralVersion("Parquet.Net")}",
            $"Apache.Arrow {PackageFeed.CentralVersion("Apache.Arrow")}",
        }));
        // RayGen's generator and build file, and CsvHelper's generator (rows are [CsvRecord] types), must reach the application.
        Assert.That(dependencies.Where(d => d.Attribute("id")?.Value is "RayGen" or "CsvHelper").Select(d => d.Attribute("exclude")), Has.All.Null);
    }

    /// <summary>A library package holds its readme, its nuspec, its assembly and its XML docs, nothing else; its dependencies.</summary>
    private static System.Xml.Linq.XElement[] LibraryPackage(string file, string id)
    {
        Assert.That(EntriesOf(file), Is.EqualTo(new[] { "PACKAGE.md", $"{id}.nuspec", $"lib/net10.0/{id}.dll", $"lib/net10.0/{id}.xml" }));
        return Child(Metadata(file, $"{id}.nuspec"), "dependencies").Descendants().Where(d => d.Name.LocalName == "dependency").ToArray();
    }

    [Test]
    public void The_cli_package_is_a_dotnet_tool_whose_command_is_raygen_and_carries_the_worker_host()
    {
        var entries = EntriesOf(PackageFeed.CliPackageFile);
        Assert.That(entries, Is.SupersetOf(new[]
        {
            "tools/net10.0/any/DotnetToolSettings.xml",
            "tools/net10.0/any/RayGen.Cli.dll",
            "tools/net10.0/any/RayGen.Cluster.dll",
            "tools/net10.0/any/RayGen.dll",
            "tools/net10.0/any/RayGen.Worker.dll",
        }));
        using var zip = ZipFile.OpenRead(PackageFeed.CliPackageFile);
        using var stream = zip.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!.Open();
        var command = XDocument.Load(stream).Descendants().Single(e => e.Name.LocalName == "Command");
        Assert.That(command.Attribute("Name")?.Value, Is.EqualTo("raygen"));
        Assert.That(command.Attribute("EntryPoint")?.Value, Is.EqualTo("RayGen.Cli.dll"));
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
