using System;
using System.IO;
using System.Security.Cryptography;

namespace RayGen.Cluster.Shipping;

/// <summary>
/// A node's shipped applications, one sealed folder per bundle hash (<c>&lt;root&gt;/&lt;hash&gt;</c>). A bundle
/// appears only by one rename after every file was checked, so a folder named by a hash is always complete.
/// </summary>
internal sealed class CodeCache
{
    /// <summary>Older staging folders belong to uploads whose process is gone; a live upload writes more often than this.</summary>
    public static readonly TimeSpan StaleStagingAge = TimeSpan.FromHours(1);

    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Opens (or creates, mode 0700 on Unix) the cache at <paramref name="root"/> and removes stale staging folders.</summary>
    public CodeCache(string root)
    {
        ArgumentNullException.ThrowIfNull(root);
        Root = Path.GetFullPath(root);
        CreateOwnerOnly(Root);
        RemoveStaleStaging(DateTime.UtcNow - StaleStagingAge);
    }

    public string Root { get; }

    /// <summary>The sealed folder of bundle <paramref name="hash"/>, if this node has it; false for text that is not a hash.</summary>
    public bool TryGet(string hash, out string folder)
    {
        folder = "";
        // Checked before it touches a path: the hash comes from the network.
        if (!AppManifest.IsSha256(hash)) return false;
        var candidate = Path.Combine(Root, hash);
        if (!Directory.Exists(candidate)) return false;
        folder = candidate;
        return true;
    }

    /// <summary>Starts receiving <paramref name="manifest"/>'s bundle into a fresh staging folder of its own.</summary>
    public CodeUpload Begin(AppManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        // Checked again: a serializer may have built the object without its constructor, and the node writes at these paths.
        var checkedManifest = new AppManifest(manifest.Paths, manifest.Sizes, manifest.Sha256, manifest.Hash);
        var staging = Path.Combine(Root, $"{AppFolder.StagingPrefix}-{checkedManifest.Hash}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}");
        CreateOwnerOnly(staging);
        return new CodeUpload(checkedManifest, staging, Path.Combine(Root, checkedManifest.Hash));
    }

    /// <summary>Deletes the sealed bundle <paramref name="hash"/>; false when there was none.</summary>
    public bool Remove(string hash)
    {
        if (!AppManifest.IsSha256(hash)) throw new ArgumentException($"'{hash}' is not a bundle hash (64 lowercase hex digits).", nameof(hash));
        var folder = Path.Combine(Root, hash);
        // Renamed out of the way first, so TryGet never hands out a half-deleted bundle.
        var doomed = Path.Combine(Root, $"{AppFolder.StagingPrefix}-{hash}-removed-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}");
        try
        {
            Directory.Move(folder, doomed);
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
        Directory.Delete(doomed, recursive: true);
        return true;
    }

    private void RemoveStaleStaging(DateTime before)
    {
        foreach (var staging in new DirectoryInfo(Root).EnumerateDirectories(AppFolder.StagingPrefix + "*"))
        {
            try
            {
                if (NewestWrite(staging) < before) staging.Delete(recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another node process on this cache may be removing it too; a leftover only costs disk until the next open.
            }
        }
    }

    // A folder's own time moves only when entries are added, not while a large file is written: look at them all.
    private static DateTime NewestWrite(DirectoryInfo folder)
    {
        var newest = folder.LastWriteTimeUtc;
        foreach (var entry in folder.EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, RecurseSubdirectories = true }))
        {
            if (entry.LastWriteTimeUtc > newest) newest = entry.LastWriteTimeUtc;
        }
        return newest;
    }

    private static void CreateOwnerOnly(string folder)
    {
        // On Windows a folder under the user's profile is the user's own; elsewhere the mode keeps other users out.
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return;
        }
        Directory.CreateDirectory(folder, OwnerOnlyFolder);
        File.SetUnixFileMode(folder, OwnerOnlyFolder);
    }
}
