using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using NUnit.Framework;
using NUnit.Framework.Interfaces;

namespace RayGen.Package.Tests;

/// <summary>
/// Packs RayGen from this repository once per test run into a feed in a temporary folder, and gives the tests a
/// place to make projects that consume it. The version is new on every run, so no NuGet cache can ever hand a
/// test an older RayGen.
/// </summary>
[SetUpFixture]
public sealed class PackageFeed
{
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(3);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Everything a run makes lives here: the feed, the package folder, the apps.</summary>
    public static string Root { get; private set; } = "";

    public static string Feed => Path.Combine(Root, "feed");

    public static string Version { get; private set; } = "";

    public static string PackageFile => Path.Combine(Feed, $"RayGen.{Version}.nupkg");

    public static string SymbolsFile => Path.Combine(Feed, $"RayGen.{Version}.snupkg");

    public static string ClusterPackageFile => Path.Combine(Feed, $"RayGen.Cluster.{Version}.nupkg");

    public static string CliPackageFile => Path.Combine(Feed, $"RayGen.Cli.{Version}.nupkg");

    public static string DataPackageFile => Path.Combine(Feed, $"RayGen.Data.{Version}.nupkg");

    /// <summary>The projects that make packages, as `dotnet pack RayGen.sln` packs them.</summary>
    public static readonly string[] PackedProjects = ["Runtime/RayGen.csproj", "Cluster/RayGen.Cluster.csproj", "Cli/RayGen.Cli.csproj", "Data/RayGen.Data.csproj"];

    /// <summary>What a newcomer's shell would have, plus a package folder of this run's own.</summary>
    public static IReadOnlyDictionary<string, string> AppEnvironment { get; private set; } = new Dictionary<string, string>();

    private static readonly Dictionary<string, string> s_quiet = new()
    {
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        // Nothing a nested build starts may outlive it: no MSBuild nodes or server waiting for the next build.
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
    };

    [OneTimeSetUp]
    public void PackIntoATemporaryFeed()
    {
        // A prerelease of 0.0.0 sorts below any real version; ticks make it unique to this run.
        Version = $"0.0.0-test.{DateTime.UtcNow.Ticks}";
        Root = Path.Combine(Path.GetTempPath(), $"raygen-package-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Feed);

        // Keep the repository's build settings (warnings as errors, central package versions) out of the apps,
        // wherever the temporary folder happens to be.
        File.WriteAllText(Path.Combine(Root, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(Root, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(Root, "Directory.Packages.props"), "<Project />\n");

        var machinePackages = MachinePackagesFolder();

        foreach (var project in PackedProjects)
        {
            Succeed(Dotnet.Run(RepositoryRoot, s_quiet, TimeSpan.FromMinutes(5), "restore", project));
            // Restored above without the test version, so the repository's assets files stay as a normal build leaves them.
            Succeed(Dotnet.Run(RepositoryRoot, s_quiet, TimeSpan.FromMinutes(5),
                "pack", project, "-c", "Release", "--no-restore", $"-p:Version={Version}", "-o", Feed));
        }

        // The newcomer's nuget.config: nuget.org for MemoryPack and the test packages, the local feed for RayGen.
        Succeed(Dotnet.Run(Root, s_quiet, CommandTimeout, "new", "nugetconfig"));
        Succeed(Dotnet.Run(Root, s_quiet, CommandTimeout, "nuget", "add", "source", Feed, "--name", "raygen-local", "--configfile", "nuget.config"));

        // This run's RayGen goes to a package folder of its own, deleted with the run; every other package is read
        // in place from the machine's folder when it is there already (a fallback folder is never written to),
        // so the apps restore without downloading what the repository's own build restored.
        var config = XDocument.Load(Path.Combine(Root, "nuget.config"));
        config.Root!.Add(new XElement("fallbackPackageFolders",
            new XElement("add", new XAttribute("key", "machine"), new XAttribute("value", machinePackages))));
        config.Save(Path.Combine(Root, "nuget.config"));

        AppEnvironment = new Dictionary<string, string>(s_quiet) { ["NUGET_PACKAGES"] = Path.Combine(Root, "packages") };
    }

    [OneTimeTearDown]
    public void DeleteTheTemporaryFolder()
    {
        if (Root.Length == 0 || !Directory.Exists(Root)) return;
        if (TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed)
        {
            TestContext.Progress.WriteLine($"RayGen package tests failed; their projects are kept in {Root}");
            return;
        }

        Directory.Delete(Root, recursive: true);
    }

    /// <summary>`dotnet new <paramref name="template"/>` in a folder of its own, then `dotnet add package RayGen`.</summary>
    public static string NewProjectWithRayGen(string template, string name)
    {
        var directory = Path.Combine(Root, name);
        Succeed(Dotnet.Run(Root, AppEnvironment, CommandTimeout, "new", template, "--name", name, "--output", directory, "--no-restore"));
        return directory;
    }

    internal static CommandResult AddRayGen(string projectDirectory) =>
        Succeed(Dotnet.Run(projectDirectory, AppEnvironment, CommandTimeout, "add", "package", "RayGen", "--version", Version));

    internal static CommandResult AddRayGenData(string projectDirectory) =>
        Succeed(Dotnet.Run(projectDirectory, AppEnvironment, CommandTimeout, "add", "package", "RayGen.Data", "--version", Version));

    internal static CommandResult Run(string directory, params string[] arguments) =>
        Dotnet.Run(directory, AppEnvironment, CommandTimeout, arguments);

    internal static CommandResult Succeed(CommandResult result)
    {
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        return result;
    }

    /// <summary>The version the repository pins for a package (Directory.Packages.props).</summary>
    public static string CentralVersion(string package) =>
        XDocument.Load(Path.Combine(RepositoryRoot, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .Single(p => (string?)p.Attribute("Include") == package)
            .Attribute("Version")!.Value;

    private static string MachinePackagesFolder()
    {
        var result = Succeed(Dotnet.Run(RepositoryRoot, s_quiet, CommandTimeout, "nuget", "locals", "global-packages", "--list"));
        var match = Regex.Match(result.Output, @"global-packages:\s*(\S.*?)\s*$", RegexOptions.Multiline);
        Assert.That(match.Success, Is.True, result.ToString());
        return match.Groups[1].Value;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RayGen.sln"))) return directory.FullName;
        }

        throw new InvalidOperationException($"no RayGen.sln above {AppContext.BaseDirectory}");
    }
}
