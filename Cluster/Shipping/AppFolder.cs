using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;

namespace RayGen.Cluster.Shipping;

/// <summary>Builds an <see cref="AppManifest"/> from a folder on disk: every file, hashed as a stream.</summary>
internal static class AppFolder
{
    /// <summary>Folders a <see cref="CodeCache"/> writes uploads into: never part of an application, even when a cache sits inside one.</summary>
    internal const string StagingPrefix = ".raygen-staging";

    private const int HashBufferSize = 1024 * 1024;

    // Hidden and system entries count too: on Unix every dot-file is "hidden", and an application may need them.
    private static readonly EnumerationOptions s_everything = new()
    {
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        MatchType = MatchType.Simple,
    };

    /// <summary>
    /// Every file under <paramref name="folder"/> (recursively, following links, skipping only folders named
    /// <c>.raygen-staging*</c>), in ordinal order of its relative '/' path.
    /// </summary>
    /// <exception cref="InvalidDataException">A file's name cannot travel (a backslash in it, say); the message names it.</exception>
    public static AppManifest Scan(string folder)
    {
        var root = new DirectoryInfo(Path.GetFullPath(folder));
        if (!root.Exists) throw new DirectoryNotFoundException($"The application folder '{root.FullName}' does not exist.");

        var files = new List<(string Path, string FullName)>();
        Collect(root, prefix: "", files);
        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));

        var paths = new string[files.Count];
        var sizes = new long[files.Count];
        var hashes = new string[files.Count];
        for (var i = 0; i < files.Count; i++)
        {
            paths[i] = files[i].Path;
            (sizes[i], hashes[i]) = HashFile(files[i].FullName);
        }
        // Through the checking constructor, so a folder whose names a node would refuse fails here, on the driver.
        return new AppManifest(paths, sizes, hashes, AppManifest.CanonicalHash(paths, sizes, hashes));
    }

    /// <summary>The file's length and SHA-256 from one read: the size is what was hashed, even if the file changes meanwhile.</summary>
    internal static (long Size, string Sha256) HashFile(string fullName)
    {
        using var stream = new FileStream(fullName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(HashBufferSize);
        try
        {
            long size = 0;
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                size += read;
            }
            return (size, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void Collect(DirectoryInfo folder, string prefix, List<(string, string)> files)
    {
        foreach (var entry in folder.EnumerateFileSystemInfos("*", s_everything))
        {
            var path = prefix + entry.Name;
            if (entry is DirectoryInfo sub)
            {
                if (!entry.Name.StartsWith(StagingPrefix, StringComparison.Ordinal)) Collect(sub, path + "/", files);
            }
            else
            {
                files.Add((path, entry.FullName));
            }
        }
    }
}
