using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using RayGen.Observability;
using RayGen.Protocol;

namespace RayGen.Driver;

/// <summary>
/// Starts worker processes: <c>dotnet exec</c> of RayGen.Worker.dll with the application's own deps.json and
/// runtimeconfig.json, so every assembly the driver can load resolves the same way in the worker (a console
/// app, a class library's host, a test assembly under testhost alike). Each output line of a worker reaches
/// the driver's console prefixed with the worker's identity, as Ray prints <c>(pid=1234)</c>.
/// </summary>
/// <remarks>
/// A process start takes milliseconds (fork, exec) and the pool asks for one from places that must not block:
/// under its own lock, from a dispatch made under the scheduler's lock. So starts happen on a thread of their own:
/// the pool creates the worker's record, hands runs to it at once (their frames wait in it), and the process
/// that says hello later receives them. One thread, not the thread pool, so a driver whose pool threads all
/// block in Get still gets the workers that will unblock them.
/// </remarks>
internal sealed class WorkerLauncher : IDisposable
{
    private readonly SessionDirectory _session;
    private readonly Action<WorkerProcess> _onExited;
    private readonly string _dotnet;
    private readonly string _workerDll;
    private readonly string? _depsFile;
    private readonly string _runtimeConfig;
    private readonly Queue<WorkerProcess> _queue = new();
    private readonly WorkerLogs? _logs;
    private readonly string _nodeId;
    private readonly string _jobId;
    private Thread? _thread;
    private bool _stopped;

    /// <param name="session">Where workers connect, and the token they present.</param>
    /// <param name="onExited">
    /// A worker's process ended, or it never started (killed before its turn, or the start failed: <see cref="WorkerProcess.StartError"/>).
    /// Called on the thread pool, at least once per worker.
    /// </param>
    /// <param name="nodeId">The node the workers report they run on (<c>Ray.RuntimeContext</c> in them).</param>
    /// <param name="jobId">The job the workers report they serve.</param>
    /// <param name="logs">Where each output line is also kept (for the dashboard); null: only the console gets them.</param>
    public WorkerLauncher(SessionDirectory session, Action<WorkerProcess> onExited, string nodeId, string jobId, WorkerLogs? logs = null)
    {
        _session = session;
        _nodeId = nodeId;
        _jobId = jobId;
        _logs = logs;
        _onExited = onExited;
        _dotnet = FindDotnet();
        _workerDll = FindWorkerDll();
        _depsFile = FindDepsFile();
        _runtimeConfig = FindRuntimeConfig(_depsFile, session.Path);
    }

    /// <summary>Called on the thread that starts a process, just before: tests check which locks that thread holds.</summary>
    internal Action<WorkerProcess>? Starting { get; set; }

    /// <summary>Starts the worker's process on the launch thread; returns at once.</summary>
    public void Launch(WorkerProcess worker)
    {
        lock (_queue)
        {
            if (_stopped) return; // shutting down: the record is killed with the rest, and no process is left behind
            _queue.Enqueue(worker);
            if (_thread is null)
            {
                _thread = new Thread(LaunchLoop) { IsBackground = true, Name = "RayGen worker launcher" };
                _thread.Start();
            }
            else
            {
                Monitor.Pulse(_queue);
            }
        }
    }

    /// <summary>Starts the worker's process on this thread (Init, where waiting is expected and a failure should surface).</summary>
    public void LaunchNow(WorkerProcess worker)
    {
        var process = Start(worker);
        Watch(worker, process);
    }

    private void LaunchLoop()
    {
        while (true)
        {
            WorkerProcess worker;
            lock (_queue)
            {
                while (_queue.Count == 0 && !_stopped) Monitor.Wait(_queue);
                if (_stopped) return;
                worker = _queue.Dequeue();
            }

            if (worker.IsLeaving)
            {
                // Killed or released before its turn: no process; its runs are reported as if it had exited.
                ReportExit(worker);
                continue;
            }

            Process process;
            try
            {
                process = Start(worker);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException
                                           or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                worker.StartError = $"its process could not be started: {e.Message}";
                ReportExit(worker);
                continue;
            }

            Watch(worker, process);
        }
    }

    private void Watch(WorkerProcess worker, Process process)
    {
        process.Exited += (_, _) => _onExited(worker);
        // A kill that came while the process was starting found nothing to end: end it now; its exit reports it.
        if (!worker.TryAttach(process)) worker.Kill(intentional: false);
        // Exited is raised once; a process that ended before the handler was added would never report.
        if (process.HasExited) ReportExit(worker);
    }

    private void ReportExit(WorkerProcess worker) =>
        ThreadPool.UnsafeQueueUserWorkItem(static s => s.Item1._onExited(s.worker), (this, worker), preferLocal: false);

    /// <summary>No more starts; waits for one in progress, so every process started is attached to its record.</summary>
    public void Dispose()
    {
        Thread? thread;
        lock (_queue)
        {
            _stopped = true;
            _queue.Clear();
            Monitor.Pulse(_queue);
            thread = _thread;
        }

        if (thread is not null && thread != Thread.CurrentThread) thread.Join();
    }

    private Process Start(WorkerProcess worker)
    {
        Starting?.Invoke(worker);
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
        // Read once by the worker at start, so its Ray.RuntimeContext costs no frame to the driver.
        info.Environment[WorkerEnvironment.NodeIdVariable] = _nodeId;
        info.Environment[WorkerEnvironment.JobIdVariable] = _jobId;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            Console.Out.WriteLine($"({worker.Label}) {e.Data}");
            _logs?.Add(worker.Pid, worker.Label, e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            Console.Error.WriteLine($"({worker.Label}) {e.Data}");
            _logs?.Add(worker.Pid, worker.Label, e.Data);
        };
        process.Start();
        worker.Pid = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    internal static string FindDotnet()
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

    internal static string? FindDepsFile()
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

    /// <summary>The runtimeconfig.json an application's deps.json names by its own name, when it is there.</summary>
    internal static string? RuntimeConfigBeside(string depsFile)
    {
        if (!depsFile.EndsWith(".deps.json", StringComparison.OrdinalIgnoreCase)) return null;
        var candidate = depsFile[..^".deps.json".Length] + ".runtimeconfig.json";
        return File.Exists(candidate) ? candidate : null;
    }

    private static string FindRuntimeConfig(string? depsFile, string sessionPath)
    {
        if (depsFile is not null && RuntimeConfigBeside(depsFile) is { } beside) return beside;

        // No runtimeconfig beside the app (an unusual host): name the framework this driver runs on.
        var version = Environment.Version;
        var path = Path.Combine(sessionPath, "worker.runtimeconfig.json");
        File.WriteAllText(path,
            $"{{\"runtimeOptions\":{{\"tfm\":\"net{version.Major}.{version.Minor}\",\"framework\":{{\"name\":\"Microsoft.NETCore.App\",\"version\":\"{version.Major}.{version.Minor}.{version.Build}\"}}}}}}");
        return path;
    }
}
