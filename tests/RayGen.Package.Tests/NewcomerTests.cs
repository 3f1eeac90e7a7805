using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using NUnit.Framework;

namespace RayGen.Package.Tests;

/// <summary>
/// What docs/getting-started.md tells a newcomer to do, done for real: `dotnet new`, `dotnet add package RayGen`,
/// write [Remote] code, then `dotnet run`, `dotnet publish` and `dotnet test`, all in the default process mode.
/// </summary>
[TestFixture]
[NonParallelizable]
public class NewcomerTests
{
    // The program of docs/getting-started.md: a task, a ref passed on, a [MemoryPackable] value, an actor; the
    // process ids show that the work ran in worker processes: not the driver, and processes that run RayGen's
    // worker host (their command line names RayGen.Worker.dll), not merely some other pid.
    private const string HelloProgram = """
        using MemoryPack;
        using RayGen;

        using var ray = Ray.Init();

        ObjectRef<int> sum = MathTasks.Remote.Add(2, 3);
        Console.WriteLine($"Add(2, 3) = {await sum}");
        Console.WriteLine($"Add(sum, 10) = {MathTasks.Remote.Add(sum, 10).Get()}");
        Console.WriteLine($"Mirror = {MathTasks.Remote.Mirror(new Point(1, 2)).Get()}");
        Console.WriteLine($"task ran in: {HostOf(MathTasks.Remote.ProcessId().Get())}");

        ActorHandle<Counter> counter = Counter.Remote.New(10);
        _ = counter.Increment();
        Console.WriteLine($"counter = {counter.Increment().Get()}");
        Console.WriteLine($"actor ran in: {HostOf(await counter.ProcessId())}");

        // What a process runs: "the driver", or the .dll its command line executes (a worker runs RayGen.Worker.dll).
        static string HostOf(int pid) => pid == Environment.ProcessId
            ? "the driver"
            : Path.GetFileName(File.ReadAllText($"/proc/{pid}/cmdline").Split('\0').FirstOrDefault(a => a.EndsWith(".dll", StringComparison.Ordinal)) ?? "no dll");

        public static partial class MathTasks
        {
            [Remote] public static int Add(int x, int y) => x + y;
            [Remote] public static Point Mirror(Point p) => new(p.Y, p.X);
            [Remote] public static int ProcessId() => Environment.ProcessId;
        }

        [MemoryPackable]
        public partial record Point(int X, int Y);

        [Remote]
        public partial class Counter(int start)
        {
            private int _n = start;
            public int Increment() => ++_n;
            public int ProcessId() => Environment.ProcessId;
        }
        """;

    private const string HelloOutput = """
        Add(2, 3) = 5
        Add(sum, 10) = 15
        Mirror = Point { X = 2, Y = 1 }
        task ran in: RayGen.Worker.dll
        counter = 12
        actor ran in: RayGen.Worker.dll
        """;

    private static string? s_hello;

    /// <summary>The console app that the run and publish tests share, made by whichever of them comes first.</summary>
    private static string HelloApp()
    {
        if (s_hello is not null) return s_hello;
        var app = PackageFeed.NewProjectWithRayGen("console", "Hello");
        PackageFeed.AddRayGen(app);
        File.WriteAllText(Path.Combine(app, "Program.cs"), HelloProgram);
        return s_hello = app;
    }

    private static string Normalized(string output) => output.Replace("\r\n", "\n").Trim();

    [Test]
    public void A_console_app_with_the_package_runs_a_remote_task_and_an_actor_in_worker_processes_with_dotnet_run()
    {
        var run = PackageFeed.Succeed(PackageFeed.Run(HelloApp(), "run"));
        Assert.That(Normalized(run.Output), Is.EqualTo(Normalized(HelloOutput)), run.ToString());
    }

    // A pipeline of RayGen.Data with a static lambda that names a helper of the app and uses LINQ: its copy in the
    // generated registry is what the workers run (the interceptors compile only where the package's build file
    // enables them).
    private const string DataProgram = """
        using System.Linq;
        using RayGen;
        using RayGen.Data;

        using var ray = Ray.Init();
        var total = RayData.Range(10_000)
            .Map(static i => Scale.Times(i, 3))
            .MapBatches(static (long[] batch) => batch.Where(x => x % 2 == 0).ToArray())
            .IterRows()
            .Sum();
        Console.WriteLine($"total = {total}");

        internal static class Scale
        {
            public static long Times(int i, int factor) => (long)i * factor;
        }
        """;

    [Test]
    public void A_console_app_with_the_data_package_runs_a_pipeline_whose_functions_come_from_the_generated_registry()
    {
        var app = PackageFeed.NewProjectWithRayGen("console", "DataHello");
        PackageFeed.AddRayGenData(app);
        File.WriteAllText(Path.Combine(app, "Program.cs"), DataProgram);
        var generated = Path.Combine(app, "obj", "generated");
        var run = PackageFeed.Succeed(PackageFeed.Run(app, "run", "-p:EmitCompilerGeneratedFiles=true", $"-p:CompilerGeneratedFilesOutputPath={generated}"));

        long expected = Enumerable.Range(0, 10_000).Select(i => (long)i * 3).Where(x => x % 2 == 0).Sum();
        Assert.That(Normalized(run.Output), Is.EqualTo($"total = {expected}"), run.ToString());
        var registry = Directory.GetFiles(generated, "RayGen.Data.Functions.g.cs", SearchOption.AllDirectories);
        Assert.That(registry, Has.Length.EqualTo(1), "the generator wrote the registry");
        Assert.That(File.ReadAllText(registry[0]), Does.Contain("global::Scale.Times(i, 3)").And.Contain("InterceptsLocation"),
            "both functions are copied in, with the app's helper named globally, and the calls intercepted");
    }

    // A plain console app (its runtimeconfig names Microsoft.NETCore.App only) that sets DashboardPort: RayGen loads its
    // web server from beside the app and finds ASP.NET Core in the shared framework folder on its own.
    private const string DashboardProgram = """
        using System.Net.Http;
        using RayGen;
        using var ray = Ray.Init(new RayOptions { DashboardPort = 0, MetricsPort = 0 });
        Console.WriteLine($"Add = {Tasks.Remote.Add(2, 3).Get()}");
        using var http = new HttpClient();
        var tasks = await http.GetStringAsync(ray.DashboardUrl + "api/tasks");
        Console.WriteLine(tasks.Contains("\"state\":\"FINISHED\"") ? "the dashboard lists the finished task" : tasks);
        var metrics = await http.GetStringAsync(ray.MetricsUrl);
        Console.WriteLine(metrics.Contains("ray_tasks{State=\"FINISHED\"} 1") ? "the metrics count it" : metrics);
        var config = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Dash.runtimeconfig.json"));
        Console.WriteLine(config.Contains("AspNetCore") ? "the app was made to need ASP.NET Core" : "a plain console app");

        public static partial class Tasks
        {
            [Remote] public static int Add(int x, int y) => x + y;
        }
        """;

    [Test]
    public void A_plain_console_app_with_the_package_serves_the_dashboard_and_metrics_when_it_sets_their_ports()
    {
        var app = PackageFeed.NewProjectWithRayGen("console", "Dash");
        PackageFeed.AddRayGen(app);
        File.WriteAllText(Path.Combine(app, "Program.cs"), DashboardProgram);
        var run = PackageFeed.Succeed(PackageFeed.Run(app, "run"));
        Assert.That(Normalized(run.Output), Is.EqualTo(Normalized("""
            Add = 5
            the dashboard lists the finished task
            the metrics count it
            a plain console app
            """)), run.ToString());
    }

    [Test]
    public void The_published_app_runs_from_a_copy_of_its_publish_folder_without_warnings_on_the_way()
    {
        var app = HelloApp();
        var published = Path.Combine(PackageFeed.Root, "hello-published");
        var publish = PackageFeed.Succeed(PackageFeed.Run(app, "publish", "--output", published));
        Assert.That(publish.Output, Does.Not.Match(@"warning [A-Z]+[0-9]+"), publish.ToString());
        Assert.That(File.Exists(Path.Combine(published, "RayGen.Worker.dll")), Is.True, "the worker host is published beside the app");

        // Moved elsewhere and started from another folder: nothing may point back at the build.
        var deployed = Path.Combine(PackageFeed.Root, "deployed");
        CopyDirectory(published, deployed);
        var run = PackageFeed.Succeed(Dotnet.Run(PackageFeed.Root, PackageFeed.AppEnvironment, PackageFeed.CommandTimeout,
            Path.Combine(deployed, "Hello.dll")));
        Assert.That(Normalized(run.Output), Is.EqualTo(Normalized(HelloOutput)), run.ToString());
    }

    [Test]
    public void A_NUnit_project_runs_tests_of_Remote_code_in_its_own_assembly_in_worker_processes_with_dotnet_test()
    {
        var project = PackageFeed.NewProjectWithRayGen("nunit", "HelloTests");
        UseTheRepositoryTestPackages(Path.Combine(project, "HelloTests.csproj"));
        PackageFeed.AddRayGen(project);
        File.Delete(Path.Combine(project, "UnitTest1.cs"));
        File.WriteAllText(Path.Combine(project, "RemoteTests.cs"), """
            using RayGen;

            namespace HelloTests;

            public static partial class Squares
            {
                [Remote] public static int Square(int x) => x * x;
                [Remote] public static int ProcessId() => Environment.ProcessId;
            }

            [Remote]
            public partial class Tally
            {
                private int _total;
                public int Add(int k) => _total += k;
                public int ProcessId() => Environment.ProcessId;
            }

            public class RemoteTests
            {
                private RayRuntime _ray = null!;

                [OneTimeSetUp] public void StartRay() => _ray = Ray.Init();
                [OneTimeTearDown] public void StopRay() => _ray.Dispose();

                [Test]
                public void A_remote_method_returns_its_result() =>
                    Assert.That(Squares.Remote.Square(7).Get(), Is.EqualTo(49));

                [Test]
                public void A_remote_method_runs_in_a_worker_process() =>
                    Assert.That(CommandLine(Squares.Remote.ProcessId().Get()), Does.Contain("RayGen.Worker.dll"));

                [Test]
                public async Task An_actor_keeps_its_state_between_calls()
                {
                    ActorHandle<Tally> tally = Tally.Remote.New();
                    _ = tally.Add(2);
                    Assert.That(await tally.Add(3), Is.EqualTo(5));
                }

                [Test]
                public async Task An_actor_runs_in_a_worker_process() =>
                    Assert.That(CommandLine(await Tally.Remote.New().ProcessId()), Does.Contain("RayGen.Worker.dll"));

                private static string[] CommandLine(int pid) => File.ReadAllText($"/proc/{pid}/cmdline").Split('\0').Select(a => Path.GetFileName(a)).ToArray();
            }
            """);

        var test = PackageFeed.Succeed(PackageFeed.Run(project, "test"));
        Assert.That(test.Output, Does.Match(@"Failed:\s+0, Passed:\s+4, Skipped:\s+0, Total:\s+4"), test.ToString());
    }

    [Test]
    public void The_analyzers_in_the_package_stop_a_build_of_a_Remote_method_in_a_type_that_is_not_partial()
    {
        var app = PackageFeed.NewProjectWithRayGen("console", "Misused");
        PackageFeed.AddRayGen(app);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using RayGen;

            Console.WriteLine("never built");

            public static class MathTasks
            {
                [Remote] public static int Add(int x, int y) => x + y;
            }
            """);

        var build = PackageFeed.Run(app, "build");
        Assert.That(build.ExitCode, Is.Not.Zero, build.ToString());
        Assert.That(build.Output, Does.Contain("error RAY001"), build.ToString());
    }

    /// <summary>
    /// The template's test packages, at the versions this repository restores anyway, so the nested restore
    /// reads them from the machine's package folder instead of downloading the template's (and coverage, which
    /// nothing here collects, goes).
    /// </summary>
    private static void UseTheRepositoryTestPackages(string csproj)
    {
        var project = XDocument.Load(csproj);
        foreach (var reference in project.Descendants("PackageReference").ToArray())
        {
            var id = reference.Attribute("Include")!.Value;
            if (id == "coverlet.collector") reference.Remove();
            else reference.SetAttributeValue("Version", PackageFeed.CentralVersion(id));
        }

        project.Save(csproj);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
