using System;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;

namespace RayGen.Protocol;

/// <summary>
/// One runtime session's private directory (mode 0700): the driver's socket lives here, and later the
/// shared-memory objects. Its name carries the driver's pid, so a later session can tell a dead driver's
/// leftovers from a live one's and remove them.
/// </summary>
internal sealed class SessionDirectory : IDisposable
{
    private const string Prefix = "raygen-";

    private SessionDirectory(string path, string token)
    {
        Path = path;
        Token = token;
    }

    public string Path { get; }

    /// <summary>The secret a worker presents first; passed to workers in their environment, never on the command line.</summary>
    public string Token { get; }

    public string SocketPath => System.IO.Path.Combine(Path, "driver.sock");

    /// <summary>Where large values live while they cross between processes; workers find it beside the socket.</summary>
    public static string ObjectsDirectoryBeside(string socketPath) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(socketPath)!, "objects");

    public string CreateObjectsDirectory()
    {
        var path = ObjectsDirectoryBeside(SocketPath);
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>tmpfs when the machine has it, so the shared-memory objects and the socket share one directory.</summary>
    public static string Root => Directory.Exists("/dev/shm") ? "/dev/shm" : System.IO.Path.GetTempPath();

    /// <summary>Where values spill when shared memory is full: a disk-backed directory of the same name.</summary>
    public static string SpillRoot => System.IO.Path.GetTempPath();

    /// <summary>The session's spill directory on disk (created when first needed).</summary>
    public string SpillPath => System.IO.Path.Combine(SpillRoot, System.IO.Path.GetFileName(Path) + "-spill");

    public string CreateSpillDirectory()
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(SpillPath);
        else Directory.CreateDirectory(SpillPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return SpillPath;
    }

    public static SessionDirectory Create()
    {
        RemoveDeadSessions();
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        var name = $"{Prefix}{Environment.ProcessId}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant()}";
        var path = System.IO.Path.Combine(Root, name);
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return new SessionDirectory(path, token);
    }

    /// <summary>Deletes session directories whose driver process no longer exists (a driver killed with SIGKILL cleans up nothing).</summary>
    public static void RemoveDeadSessions()
    {
        RemoveDeadSessions(Root);
        if (SpillRoot != Root) RemoveDeadSessions(SpillRoot);
    }

    private static void RemoveDeadSessions(string root)
    {
        string[] candidates;
        try
        {
            candidates = Directory.GetDirectories(root, Prefix + "*");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var dir in candidates)
        {
            var name = System.IO.Path.GetFileName(dir);
            var dash = name.IndexOf('-', Prefix.Length);
            if (dash < 0 || !int.TryParse(name.AsSpan(Prefix.Length, dash - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (pid == Environment.ProcessId || IsAlive(pid)) continue;
            TryDelete(dir);
        }
    }

    private static bool IsAlive(int pid) => !OperatingSystem.IsLinux() || Directory.Exists($"/proc/{pid}");

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    public void Dispose()
    {
        TryDelete(Path);
        if (Directory.Exists(SpillPath)) TryDelete(SpillPath);
    }
}
