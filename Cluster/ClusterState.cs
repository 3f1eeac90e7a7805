using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace RayGen.Cluster;

/// <summary>The cluster this machine started, as the head wrote it: what <c>"auto"</c> reads.</summary>
internal sealed record ClusterFile(string Address, string Token, int HeadPid);

/// <summary>A node process this machine started: what <c>raygen stop</c> stops.</summary>
internal sealed record NodeRecord(int Pid, string NodeId, string Address, bool IsHead, string LogFile);

/// <summary>
/// The per-user state folder (mode 0700; <c>RAYGEN_STATE_DIR</c>, else <c>~/.raygen</c>): the cluster file
/// (mode 0600: it holds the token), one record per node process, and the nodes' logs.
/// </summary>
internal static class ClusterState
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string Folder
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("RAYGEN_STATE_DIR");
            return string.IsNullOrEmpty(configured)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".raygen")
                : Path.GetFullPath(configured);
        }
    }

    public static string ClusterFilePath => Path.Combine(Folder, "cluster.json");

    public static string NodesFolder => Path.Combine(Folder, "nodes");

    public static string LogsFolder => Path.Combine(Folder, "logs");

    /// <summary>Where nodes cache the applications drivers shipped, one folder per content hash.</summary>
    public static string CodeFolder => Path.Combine(Folder, "code");

    /// <summary>Deletes the shipped applications once no node of this user runs here (a later cluster ships them again).</summary>
    public static void RemoveCodeCache()
    {
        if (Nodes().Count > 0 || !Directory.Exists(CodeFolder)) return;
        try
        {
            Directory.Delete(CodeFolder, recursive: true);
        }
        catch (IOException)
        {
            // A node started meanwhile and is using it: it stays.
        }
    }

    public static void EnsureFolders()
    {
        foreach (var folder in new[] { Folder, NodesFolder, LogsFolder })
        {
            // On Windows the profile folder is the user's own already; elsewhere the modes keep other users out.
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
                continue;
            }

            Directory.CreateDirectory(folder, OwnerOnlyFolder);
            File.SetUnixFileMode(folder, OwnerOnlyFolder);
        }
    }

    public static ClusterFile? ReadClusterFile() => Read<ClusterFile>(ClusterFilePath);

    public static void WriteClusterFile(ClusterFile file) => Write(ClusterFilePath, file);

    public static void WriteNode(NodeRecord node) => Write(NodePath(node.Pid), node);

    public static string NodePath(int pid) => Path.Combine(NodesFolder, $"{pid}.json");

    public static IReadOnlyList<NodeRecord> Nodes() =>
        Directory.Exists(NodesFolder)
            ? Directory.GetFiles(NodesFolder, "*.json").Select(Read<NodeRecord>).OfType<NodeRecord>().ToList()
            : [];

    /// <summary>Removes the folders once nothing is left in them, so a stopped machine keeps no trace.</summary>
    public static void RemoveEmptyFolders()
    {
        foreach (var folder in new[] { NodesFolder, LogsFolder, Folder })
        {
            try
            {
                if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
            }
            catch (IOException)
            {
                // Another node of this user started meanwhile and wrote here: its files stay.
            }
        }
    }

    private static T? Read<T>(string path) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // Written whole under a temporary name, then renamed: a reader never sees half a file, and the mode is set before the token is in it.
    private static void Write<T>(string path, T value)
    {
        EnsureFolders();
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnlyFile;
        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, value);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
