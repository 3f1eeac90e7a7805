using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace RayGen.Observability;

/// <summary>
/// Starts RayGen.Dashboard.dll's Kestrel server. That assembly is shipped beside RayGen.dll but not referenced by it, so
/// an application that never sets a port never needs ASP.NET Core: it is loaded here, when a port is set, and the
/// ASP.NET Core shared framework (installed with the SDK, beside Microsoft.NETCore.App) is resolved for it when the
/// application's own runtimeconfig does not already name it.
/// </summary>
internal sealed class WebHost : IDisposable
{
    private const string AssemblyFile = "RayGen.Dashboard.dll";
    private static readonly object s_load = new();
    private static MethodInfo? s_start;

    private readonly IDisposable _server;

    private WebHost(IDisposable server, string url)
    {
        _server = server;
        Url = url;
    }

    /// <summary>Where it listens, e.g. <c>http://127.0.0.1:8265/</c>.</summary>
    public string Url { get; }

    /// <summary>The address <paramref name="host"/> names; <c>localhost</c> counts as 127.0.0.1.</summary>
    public static IPAddress ParseHost(string host, string option)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)) return IPAddress.Loopback;
        if (!IPAddress.TryParse(host, out var ip))
            throw new ArgumentException($"{option} must be an IP address (127.0.0.1, 0.0.0.0, ::1...), not '{host}'.");
        return ip;
    }

    /// <summary>Starts a server: see RayGen.Dashboard's <c>WebServer.Start</c> for what each argument means.</summary>
    /// <param name="what">The option that asked for it, for errors (<c>RayOptions.DashboardPort</c>).</param>
    /// <param name="address">The address to bind.</param>
    /// <param name="port">The port; 0 takes a free one.</param>
    /// <param name="token">What every request must present; null: nothing (loopback).</param>
    /// <param name="servePage">Serve the page, its script and the event stream too.</param>
    /// <param name="handle">Answers a GET: path and query to status, content type and body.</param>
    /// <param name="events">What each event of the live stream carries; null: no stream.</param>
    /// <param name="eventPeriod">How often the stream sends.</param>
    /// <exception cref="InvalidOperationException">The server cannot start: what is missing, or why the port cannot be bound.</exception>
    public static WebHost Start(string what, IPAddress address, int port, string? token, bool servePage,
        Func<string, IReadOnlyDictionary<string, string>, (int Status, string ContentType, byte[] Body)> handle,
        Func<string>? events, TimeSpan eventPeriod)
    {
        var start = StartMethod(what);
        object? result;
        try
        {
            result = start.Invoke(null, [address.ToString(), port, token, servePage, handle, events, (int)eventPeriod.TotalMilliseconds]);
        }
        catch (TargetInvocationException e) when (e.InnerException is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{what} = {port}: cannot listen on {address}:{port}: {e.InnerException.Message}", e.InnerException);
        }

        var (server, url) = ((IDisposable, string))result!;
        return new WebHost(server, url);
    }

    private static MethodInfo StartMethod(string what)
    {
        lock (s_load)
        {
            if (s_start is not null) return s_start;
            var path = new[] { Path.GetDirectoryName(typeof(WebHost).Assembly.Location), AppContext.BaseDirectory }
                .Where(d => !string.IsNullOrEmpty(d)).Select(d => Path.Combine(d!, AssemblyFile)).FirstOrDefault(File.Exists)
                ?? throw new InvalidOperationException($"{what} needs {AssemblyFile} next to the application (the RayGen package copies it there); none was found in {AppContext.BaseDirectory}.");
            var framework = FindAspNetCore();
            if (framework is null && !AspNetCoreIsLoadable())
                throw new InvalidOperationException($"{what} needs the ASP.NET Core runtime (Microsoft.AspNetCore.App {Environment.Version.Major}), which was not found beside {RuntimeEnvironment.GetRuntimeDirectory()}. Install it (the .NET SDK includes it), or leave the option unset.");
            // A context of its own: the application may carry other versions of assemblies ASP.NET Core also uses
            // (Microsoft.Extensions.Logging 8 through a package, say), which the default context cannot load twice.
            var assembly = new DashboardLoadContext(path, framework).LoadFromAssemblyPath(path);
            s_start = assembly.GetType("RayGen.Dashboard.WebServer", throwOnError: true)!.GetMethod("Start", BindingFlags.Public | BindingFlags.Static)
                      ?? throw new InvalidOperationException($"{path} is not the dashboard this RayGen expects (no WebServer.Start).");
            return s_start;
        }
    }

    /// <summary>An application that is itself an ASP.NET Core app resolves the framework on its own.</summary>
    private static bool AspNetCoreIsLoadable()
    {
        try
        {
            AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName("Microsoft.AspNetCore"));
            return true;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// shared/Microsoft.AspNetCore.App/VERSION beside this process's shared/Microsoft.NETCore.App/VERSION: the same
    /// version when installed (they ship together), else the newest of the same major version.
    /// </summary>
    private static string? FindAspNetCore()
    {
        var runtime = new DirectoryInfo(RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar));
        var shared = runtime.Parent?.Parent;
        if (shared is null) return null;
        var root = new DirectoryInfo(Path.Combine(shared.FullName, "Microsoft.AspNetCore.App"));
        if (!root.Exists) return null;
        var exact = Path.Combine(root.FullName, runtime.Name);
        if (File.Exists(Path.Combine(exact, "Microsoft.AspNetCore.dll"))) return exact;
        var major = Environment.Version.Major;
        return root.GetDirectories()
            .Select(d => (Dir: d, Version: Version.TryParse(d.Name.Split('-')[0], out var v) ? v : null))
            .Where(d => d.Version?.Major == major && File.Exists(Path.Combine(d.Dir.FullName, "Microsoft.AspNetCore.dll")))
            .OrderByDescending(d => d.Version)
            .Select(d => d.Dir.FullName)
            .FirstOrDefault();
    }

    public void Dispose() => _server.Dispose();

    /// <summary>
    /// Loads the dashboard and, from the ASP.NET Core shared framework folder, what it needs of ASP.NET Core and
    /// Microsoft.Extensions; everything else (the BCL, whose types the runtime and the server exchange) comes from the
    /// default context. Without a framework folder (the application carries ASP.NET Core itself) the default context
    /// resolves it all.
    /// </summary>
    private sealed class DashboardLoadContext(string dashboardPath, string? framework) : AssemblyLoadContext("RayGen.Dashboard")
    {
        protected override Assembly? Load(AssemblyName name)
        {
            if (name.Name is null || framework is null) return null;
            var candidate = Path.Combine(framework, name.Name + ".dll");
            if (File.Exists(candidate)) return LoadFromAssemblyPath(candidate);
            var beside = Path.Combine(Path.GetDirectoryName(dashboardPath)!, name.Name + ".dll");
            return name.Name.StartsWith("RayGen.Dashboard", StringComparison.Ordinal) && File.Exists(beside) ? LoadFromAssemblyPath(beside) : null;
        }
    }
}
