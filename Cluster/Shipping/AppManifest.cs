using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace RayGen.Cluster.Shipping;

/// <summary>
/// What a driver's application folder holds: every file's relative path, size and SHA-256, and the bundle's
/// <see cref="Hash"/> over all three. Plain arrays, so it travels as data; built from arrays it is checked, since a
/// node writes files at these paths.
/// </summary>
internal sealed class AppManifest
{
    /// <summary>Versioned, so a change of the canonical text can never give an old bundle's hash to new content.</summary>
    private const string CanonicalHeader = "raygen-app-manifest/1\n";

    // Strict: a lone surrogate would otherwise become U+FFFD and two different paths could share one hash.
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Checks every rule and that <paramref name="hash"/> is the canonical hash of the entries.</summary>
    /// <exception cref="InvalidDataException">A rule is broken; the message names the path or field.</exception>
    public AppManifest(string[] paths, long[] sizes, string[] sha256, string hash)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(sizes);
        ArgumentNullException.ThrowIfNull(sha256);
        ArgumentNullException.ThrowIfNull(hash);
        if (sizes.Length != paths.Length || sha256.Length != paths.Length)
            throw new InvalidDataException(
                $"The manifest's arrays differ in length: {paths.Length} paths, {sizes.Length} sizes, {sha256.Length} hashes.");

        // Copies: a caller that keeps the arrays cannot change a manifest after it was checked.
        Paths = (string[])paths.Clone();
        Sizes = (long[])sizes.Clone();
        Sha256 = (string[])sha256.Clone();
        Validate(Paths, Sizes, Sha256);

        var expected = CanonicalHash(Paths, Sizes, Sha256);
        if (!string.Equals(hash, expected, StringComparison.Ordinal))
            throw new InvalidDataException($"The manifest's hash '{hash}' is not the hash of its entries ({expected}).");
        Hash = expected;
    }

    /// <summary>Relative paths with '/' separators, in ordinal order.</summary>
    public string[] Paths { get; }

    public long[] Sizes { get; }

    /// <summary>Each file's SHA-256, lowercase hex.</summary>
    public string[] Sha256 { get; }

    /// <summary>SHA-256 (lowercase hex) of the canonical text of every (path, size, file hash): the bundle's name in a cache.</summary>
    public string Hash { get; }

    public int Count => Paths.Length;

    /// <summary>Scans <paramref name="folder"/> recursively and hashes every file; see <see cref="AppFolder.Scan"/>.</summary>
    public static AppManifest Of(string folder) => AppFolder.Scan(folder);

    /// <summary>Whether <paramref name="text"/> is a SHA-256 in lowercase hex, the only form a manifest holds.</summary>
    public static bool IsSha256(string? text)
    {
        if (text is null || text.Length != 64) return false;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f')) return false;
        }
        return true;
    }

    /// <summary>The canonical hash of entries; <see cref="AppFolder"/> uses it to build a manifest it then checks like any other.</summary>
    internal static string CanonicalHash(string[] paths, long[] sizes, string[] sha256)
    {
        var text = new StringBuilder(CanonicalHeader);
        for (var i = 0; i < paths.Length; i++)
        {
            // The path goes last and length-prefixed: a file name may hold spaces or even a newline on Unix, and the
            // text must still read one way only.
            text.Append(sha256[i]).Append(' ')
                .Append(sizes[i].ToString(CultureInfo.InvariantCulture)).Append(' ')
                .Append(Utf8Length(paths[i]).ToString(CultureInfo.InvariantCulture)).Append(' ')
                .Append(paths[i]).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(s_strictUtf8.GetBytes(text.ToString())));
    }

    private static void Validate(string[] paths, long[] sizes, string[] sha256)
    {
        // A file and a folder of one name cannot both exist on the node.
        var folders = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < paths.Length; i++)
        {
            var path = paths[i] ?? throw new InvalidDataException($"The manifest's path #{i} is null.");
            ValidatePath(path);
            if (i > 0)
            {
                var order = string.CompareOrdinal(paths[i - 1], path);
                if (order == 0) throw new InvalidDataException($"The manifest lists '{path}' twice.");
                if (order > 0) throw new InvalidDataException($"The manifest's paths are not in ordinal order at '{path}'.");
            }
            if (sizes[i] < 0) throw new InvalidDataException($"The manifest gives '{path}' a negative size ({sizes[i]}).");
            if (!IsSha256(sha256[i]))
                throw new InvalidDataException($"The manifest's SHA-256 of '{path}' is not 64 lowercase hex digits: '{sha256[i]}'.");
            for (var slash = path.IndexOf('/'); slash >= 0; slash = path.IndexOf('/', slash + 1))
                folders.Add(path[..slash]);
        }
        foreach (var path in paths)
        {
            if (folders.Contains(path)) throw new InvalidDataException($"The manifest lists '{path}' both as a file and as a folder.");
        }
    }

    private static void ValidatePath(string path)
    {
        if (path.Length == 0) throw new InvalidDataException("The manifest holds an empty path.");
        if (path.Contains('\\')) throw new InvalidDataException($"The manifest's path '{path}' holds a backslash; separators are '/'.");
        if (path.Contains('\0')) throw new InvalidDataException($"The manifest's path '{path}' holds a NUL character.");
        // Drive letters count as rooted on every node, not only on Windows ones, so a manifest is valid everywhere or nowhere.
        if (path[0] == '/' || Path.IsPathRooted(path) || (path.Length >= 2 && path[1] == ':' && char.IsAsciiLetter(path[0])))
            throw new InvalidDataException($"The manifest's path '{path}' is rooted; paths are relative to the application folder.");
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0) throw new InvalidDataException($"The manifest's path '{path}' has an empty segment.");
            if (segment is "." or "..") throw new InvalidDataException($"The manifest's path '{path}' has a '{segment}' segment.");
        }
        try
        {
            Utf8Length(path);
        }
        catch (EncoderFallbackException)
        {
            throw new InvalidDataException($"The manifest's path '{path}' is not valid Unicode.");
        }
    }

    private static int Utf8Length(string path) => s_strictUtf8.GetByteCount(path);
}
