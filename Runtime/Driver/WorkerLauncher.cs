using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using RayGen.Protocol;

namespace RayGen.Driver;

/// <summary>
/// Starts worker processes: <c>dotnet exec</c> of RayGen.Worker.dll with the application's own deps.json and
/// runtimeconfig.json, so every assembly the driver can load resolves the same way in the worker (a console
/// app, a class library's host, a test assembly under testhost alike). Each output line of a worker reaches
/// the driver's console prefixed with the worker's identity, as Ray prints <c>(pid=1234)</c>.
/// </summary>
internal sealed class WorkerLauncher
{
    private readonly SessionDirectory _session;
    private readonly string _dotnet;
    private readonly string _workerDll;
    private readonly string? _depsFile;
    private readonly string _runtimeConfig;

    public WorkerLauncher(SessionDirectory session)
    {
        _session = session;
        _dotnet = FindDotnet();
        _workerDll = FindWorkerDll();
        _depsFile = FindDepsFile();
        _runtimeConfig = FindRuntimeConfig(_depsFile, session.Path);
    }

    public Process Start(WorkerProcess worker)
    {
        var info = new ProcessStartInfo(_dotnet)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            WorkingDirectory = Environment.CurrentDirectory,
        };
        info.ArgumentList.Add("exec");
        if (_depsFile is not null)
        {
            info.ArgumentList.Add("--depsfile");
            info.ArgumentList.Add(_depsFile);
        }

        info.ArgumentList.Add("--runtimeconfig");
        info.ArgumentList.Add(_runtimeConfig);
        info.ArgumentList.Add(_workerDll);
        info.ArgumentList.Add(_session.SocketPath);
        info.ArgumentList.Add(worker.Id.ToString(CultureInfo.InvariantCulture));
        // The token travels in the environment: a command line is readable by every user through /proc.
        info.Environment[WorkerEnvironment.TokenVariable] = _session.Token;
        info.Environment[WorkerEnvironment.DriverPidVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null) Console.Out.WriteLine($"({worker.Label}) {e.Data}");
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) Console.Error.WriteLine($"({worker.Label}) {e.Data}");
        };
        process.Start();
        worker.Pid = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static string FindDotnet()
    {
        var name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } self && Path.GetFileName(self) == name) return self;
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath)) return hostPath;
        // <root>/shared/Microsoft.NETCore.App/<version>/ -> <root>/dotnet
        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var candidate = Path.Combine(root, name);
        return File.Exists(candidate) ? candidate : name;
    }

    private static string FindWorkerDll()
    {
        foreach (var dir in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(WorkerLauncher).Assembly.Location) })
        {
            if (string.IsNullOrEmpty(dir)) continue;
            var path = Path.Combine(dir, "RayGen.Worker.dll");
            if (File.Exists(path)) return path;
        }

        throw new RayException(
            "RayMode.Processes needs RayGen.Worker.dll next to the application (it is copied there from the RayGen project's " +
            $"output); none was found in {AppContext.BaseDirectory}. Use new RayOptions {{ Mode = RayMode.InProcess }} to run without worker processes.");
    }

    private static string? FindDepsFile()
    {
        if (AppContext.GetData("APP_CONTEXT_DEPS_FILES") is string files)
        {
            // The host joins them with ';' on every platform.
            foreach (var file in files.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                if (File.Exists(file)) return file;
            }
        }

        return null;
    }

    private static string FindRuntimeConfig(string? depsFile, string sessionPath)
    {
        if (depsFile is not null && depsFile.EndsWith(".deps.json", StringComparison.OrdinalIgnoreCase))
        {
            var candidate = depsFile[..^".deps.json".Length] + ".runtimeconfig.json";
            if (File.Exists(candidate)) return candidate;
        }

        // No runtimeconfig beside the app (an unusual host): name the framework this driver runs on.
        var version = Environment.Version;
        var path = Path.Combine(sessionPath, "worker.runtimeconfig.json");
        File.WriteAllText(path,
            $"{{\"runtimeOptions\":{{\"tfm\":\"net{version.Major}.{version.Minor}\",\"framework\":{{\"name\":\"Microsoft.NETCore.App\",\"version\":\"{version.Major}.{version.Minor}.{version.Build}\"}}}}}}");
        return path;
    }
}
