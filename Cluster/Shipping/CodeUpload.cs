using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace RayGen.Cluster.Shipping;

/// <summary>
/// One bundle being received into a staging folder of a <see cref="CodeCache"/>: chunks are written where the
/// manifest allows, and <see cref="Seal"/> checks every file before the bundle becomes visible under its hash.
/// Dispose without sealing deletes what was written. Safe to call from several threads.
/// </summary>
internal sealed class CodeUpload : IDisposable
{
    private readonly Lock _lock = new();
    private readonly AppManifest _manifest;
    private readonly Dictionary<string, int> _index;
    private readonly string _staging;
    private readonly string _sealedFolder;
    private string? _sealed;
    private bool _disposed;

    internal CodeUpload(AppManifest manifest, string staging, string sealedFolder)
    {
        _manifest = manifest;
        _staging = staging;
        _sealedFolder = sealedFolder;
        _index = new Dictionary<string, int>(manifest.Count, StringComparer.Ordinal);
        for (var i = 0; i < manifest.Count; i++) _index.Add(manifest.Paths[i], i);
    }

    public AppManifest Manifest => _manifest;

    /// <summary>Where chunks land until <see cref="Seal"/>; for diagnostics.</summary>
    public string StagingFolder => _staging;

    /// <summary>Writes <paramref name="bytes"/> at <paramref name="offset"/> of the manifest's file <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The path is not in the manifest, or the bytes reach past the file's size.</exception>
    public void Write(string path, long offset, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        lock (_lock)
        {
            ThrowIfFinished();
            if (!_index.TryGetValue(path, out var i))
                throw new InvalidDataException($"The upload of bundle {_manifest.Hash} has no file '{path}' in its manifest.");
            var size = _manifest.Sizes[i];
            // Compared as offset > size - length: offset + length could overflow for a hostile offset.
            if (offset < 0 || offset > size - bytes.Length)
                throw new InvalidDataException(
                    $"A chunk of '{path}' at offset {offset} with {bytes.Length} bytes reaches past the file's {size} bytes in the manifest.");

            var full = Path.Combine(_staging, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            using var handle = File.OpenHandle(full, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None);
            if (!bytes.IsEmpty) RandomAccess.Write(handle, bytes, offset);
        }
    }

    /// <summary>
    /// Checks every file's size and SHA-256 against the manifest, then publishes the bundle as
    /// <c>&lt;root&gt;/&lt;hash&gt;</c> in one rename; returns that folder. When another upload of the same bundle
    /// sealed first, this one is discarded and the existing folder returned. After a failed check the upload stays
    /// open: chunks may be written again before another <see cref="Seal"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">A file is missing or does not match; the message names the first such file.</exception>
    public string Seal()
    {
        lock (_lock)
        {
            if (_sealed is not null) return _sealed;
            ThrowIfFinished();
            for (var i = 0; i < _manifest.Count; i++) Verify(i);

            try
            {
                Directory.Move(_staging, _sealedFolder);
            }
            catch (IOException) when (Directory.Exists(_sealedFolder))
            {
                // Same hash, same verified content: the first sealed copy serves, and this one goes.
                DeleteStaging();
            }
            _sealed = _sealedFolder;
            return _sealed;
        }
    }

    /// <summary>Deletes the staging folder unless the upload was sealed.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            if (_sealed is null) DeleteStaging();
        }
    }

    private void Verify(int i)
    {
        var path = _manifest.Paths[i];
        var full = Path.Combine(_staging, path);
        if (!File.Exists(full))
            throw new InvalidDataException($"The upload of bundle {_manifest.Hash} never received '{path}'.");
        var (size, sha256) = AppFolder.HashFile(full);
        if (size != _manifest.Sizes[i])
            throw new InvalidDataException($"The uploaded '{path}' has {size} bytes; its manifest says {_manifest.Sizes[i]}.");
        if (!string.Equals(sha256, _manifest.Sha256[i], StringComparison.Ordinal))
            throw new InvalidDataException($"The uploaded '{path}' does not match its SHA-256 in the manifest (a chunk was lost or corrupted).");
    }

    private void ThrowIfFinished()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_sealed is not null) throw new InvalidOperationException($"The upload of bundle {_manifest.Hash} is sealed already.");
    }

    private void DeleteStaging()
    {
        try
        {
            Directory.Delete(_staging, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was written, or a cache opened meanwhile took it for stale: either way it is gone.
        }
    }
}
