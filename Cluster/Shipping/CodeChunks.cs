using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;

namespace RayGen.Cluster.Shipping;

/// <summary>One piece of one file of a bundle: <see cref="Bytes"/> belong at <see cref="Offset"/> of <see cref="Path"/>.</summary>
internal sealed record CodeChunk(string Path, long Offset, byte[] Bytes);

/// <summary>Cuts a folder's files into chunks small enough for one grain call, in the manifest's order.</summary>
internal static class CodeChunks
{
    /// <summary>Far under Orleans' 100 MiB message limit, and large enough that a call's overhead does not matter.</summary>
    public const int DefaultChunkSize = 1024 * 1024;

    /// <summary>The largest chunk <see cref="Read"/> accepts: a sender may hold several in flight within one message limit.</summary>
    public const int MaxChunkSize = 16 * 1024 * 1024;

    /// <summary>
    /// Every file of <paramref name="manifest"/>, read from <paramref name="folder"/> lazily in chunks of at most
    /// <paramref name="chunkSize"/> bytes; an empty file gives one empty chunk, so that it exists on the node.
    /// Each chunk owns a fresh array: a sender may still be serializing one when the next is read.
    /// </summary>
    /// <exception cref="IOException">A file no longer matches the manifest (it changed after the scan); the message names it.</exception>
    public static IEnumerable<CodeChunk> Read(string folder, AppManifest manifest, int chunkSize = DefaultChunkSize)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkSize, MaxChunkSize);
        return ReadAll(Path.GetFullPath(folder), manifest, chunkSize);
    }

    private static IEnumerable<CodeChunk> ReadAll(string folder, AppManifest manifest, int chunkSize)
    {
        for (var i = 0; i < manifest.Count; i++)
        {
            var path = manifest.Paths[i];
            var size = manifest.Sizes[i];
            if (size == 0)
            {
                // Still opened: a file that vanished or grew since the scan is reported here, not as a wrong bundle on a node.
                using (var empty = File.OpenRead(Path.Combine(folder, path)))
                {
                    if (empty.Length != 0) throw Changed(path);
                }
                yield return new CodeChunk(path, 0, Array.Empty<byte>());
                continue;
            }

            using var stream = new FileStream(Path.Combine(folder, path), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            for (long offset = 0; offset < size;)
            {
                var bytes = GC.AllocateUninitializedArray<byte>((int)Math.Min(chunkSize, size - offset));
                if (stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) != bytes.Length) throw Changed(path);
                hash.AppendData(bytes);
                yield return new CodeChunk(path, offset, bytes);
                offset += bytes.Length;
            }
            // The node would refuse the bundle anyway; saying so here names the cause (a rebuild during the upload).
            if (stream.ReadByte() != -1 || !string.Equals(Convert.ToHexStringLower(hash.GetHashAndReset()), manifest.Sha256[i], StringComparison.Ordinal))
                throw Changed(path);
        }
    }

    private static IOException Changed(string path) =>
        new($"The application file '{path}' changed after its manifest was made; make a new manifest and upload again.");
}
