using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Versioning;
using NUnit.Framework;
using RayGen.Cluster.Shipping;

namespace RayGen.Cluster.Tests;

/// <summary>Code shipping's pieces without a cluster: manifests, chunks, and a node's cache of sealed bundles.</summary>
[TestFixture]
public class ShippingTests
{
    private const int SmallChunk = 4096;
    private string _scratch = "";

    [SetUp]
    public void CreateScratch()
    {
        _scratch = Path.Combine(Path.GetTempPath(), $"raygen-shipping-tests-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_scratch);
    }

    [TearDown]
    public void RemoveScratch()
    {
        if (Directory.Exists(_scratch)) Directory.Delete(_scratch, recursive: true);
    }

    // ---- manifests

    [Test]
    public void The_same_files_in_another_folder_have_the_same_hash()
    {
        var one = App("one");
        var two = App("two");

        Assert.That(AppManifest.Of(two).Hash, Is.EqualTo(AppManifest.Of(one).Hash));
    }

    [Test]
    public void A_manifest_lists_every_file_by_slash_path_in_ordinal_order_dot_files_included()
    {
        var manifest = AppManifest.Of(App("app"));

        Assert.That(manifest.Paths, Is.EqualTo(new[] { ".hidden", "B.txt", "app.dll", "empty.txt", "lib/nested/deep.bin" }));
        Assert.That(manifest.Sizes, Is.EqualTo(new long[] { 6, 1, 3 * SmallChunk + 100, 0, 10 }));
        Assert.That(manifest.Sha256, Has.All.Matches<string>(AppManifest.IsSha256));
        Assert.That(AppManifest.IsSha256(manifest.Hash), Is.True);
    }

    [Test]
    public void Changing_one_byte_of_a_file_changes_the_hash()
    {
        var app = App("app");
        var before = AppManifest.Of(app).Hash;
        var path = Path.Combine(app, "app.dll");
        var bytes = File.ReadAllBytes(path);
        bytes[SmallChunk + 7] ^= 1;
        File.WriteAllBytes(path, bytes);

        Assert.That(AppManifest.Of(app).Hash, Is.Not.EqualTo(before));
    }

    [Test]
    public void Renaming_a_file_changes_the_hash()
    {
        var app = App("app");
        var before = AppManifest.Of(app).Hash;
        File.Move(Path.Combine(app, "B.txt"), Path.Combine(app, "b.txt"));

        Assert.That(AppManifest.Of(app).Hash, Is.Not.EqualTo(before));
    }

    [Test]
    public void Adding_an_empty_file_changes_the_hash()
    {
        var app = App("app");
        var before = AppManifest.Of(app).Hash;
        File.WriteAllBytes(Path.Combine(app, "lib", "more.txt"), []);

        Assert.That(AppManifest.Of(app).Hash, Is.Not.EqualTo(before));
    }

    [Test]
    public void Staging_folders_inside_an_application_folder_are_not_part_of_it()
    {
        var app = App("app");
        var before = AppManifest.Of(app).Hash;
        Directory.CreateDirectory(Path.Combine(app, "lib", ".raygen-staging-x"));
        File.WriteAllText(Path.Combine(app, "lib", ".raygen-staging-x", "half.dll"), "half");

        Assert.That(AppManifest.Of(app).Hash, Is.EqualTo(before));
    }

    [Test]
    [UnsupportedOSPlatform("windows")]
    public void A_linked_folder_is_shipped_as_the_files_it_holds()
    {
        var app = App("app");
        var shared = Path.Combine(_scratch, "shared");
        Directory.CreateDirectory(shared);
        File.WriteAllText(Path.Combine(shared, "x.dll"), "x");
        Directory.CreateSymbolicLink(Path.Combine(app, "linked"), shared);

        var manifest = AppManifest.Of(app);

        Assert.That(manifest.Paths, Does.Contain("linked/x.dll"));
    }

    [Test]
    public void A_manifest_rebuilt_from_its_arrays_is_accepted_with_the_same_hash()
    {
        var manifest = AppManifest.Of(App("app"));

        var received = new AppManifest(manifest.Paths, manifest.Sizes, manifest.Sha256, manifest.Hash);

        Assert.That(received.Hash, Is.EqualTo(manifest.Hash));
        Assert.That(received.Paths, Is.EqualTo(manifest.Paths));
    }

    [TestCase("../escape.dll")]
    [TestCase("lib/../../escape.dll")]
    [TestCase("./app.dll")]
    [TestCase("lib/.")]
    [TestCase("/etc/passwd")]
    [TestCase("C:/Windows/evil.dll")]
    [TestCase("lib\\app.dll")]
    [TestCase("lib//app.dll")]
    [TestCase("lib/")]
    public void A_manifest_from_arrays_refuses_a_path_that_is_rooted_or_not_plainly_relative(string path)
    {
        var error = Assert.Throws<InvalidDataException>(() => FromArrays([path], [1], [Sha(1)]));

        Assert.That(error!.Message, Does.Contain($"'{path}'"));
    }

    [Test]
    public void A_manifest_from_arrays_refuses_a_path_listed_twice()
    {
        var error = Assert.Throws<InvalidDataException>(() => FromArrays(["a.dll", "a.dll"], [1, 1], [Sha(1), Sha(1)]));

        Assert.That(error!.Message, Does.Contain("'a.dll'").And.Contain("twice"));
    }

    [Test]
    public void A_manifest_from_arrays_refuses_a_path_that_is_both_a_file_and_a_folder()
    {
        var error = Assert.Throws<InvalidDataException>(() => FromArrays(["lib", "lib/a.dll"], [1, 1], [Sha(1), Sha(2)]));

        Assert.That(error!.Message, Does.Contain("'lib'"));
    }

    [Test]
    public void A_manifest_from_arrays_refuses_a_negative_size_or_a_malformed_file_hash()
    {
        var size = Assert.Throws<InvalidDataException>(() => FromArrays(["a.dll"], [-1], [Sha(1)]));
        var hash = Assert.Throws<InvalidDataException>(() => FromArrays(["a.dll"], [1], [Sha(1).ToUpperInvariant()]));

        Assert.That(size!.Message, Does.Contain("'a.dll'").And.Contain("negative"));
        Assert.That(hash!.Message, Does.Contain("'a.dll'").And.Contain("SHA-256"));
    }

    [Test]
    public void A_manifest_from_arrays_refuses_arrays_of_different_lengths()
    {
        var error = Assert.Throws<InvalidDataException>(() => new AppManifest(["a.dll", "b.dll"], [1], [Sha(1), Sha(2)], Sha(3)));

        Assert.That(error!.Message, Does.Contain("length"));
    }

    [Test]
    public void A_manifest_from_arrays_refuses_a_bundle_hash_that_is_not_the_hash_of_its_entries()
    {
        var manifest = AppManifest.Of(App("app"));
        var sizes = manifest.Sizes.ToArray();
        sizes[1]++;

        var error = Assert.Throws<InvalidDataException>(() => new AppManifest(manifest.Paths, sizes, manifest.Sha256, manifest.Hash));

        Assert.That(error!.Message, Does.Contain(manifest.Hash));
    }

    // ---- chunks

    [Test]
    public void No_chunk_exceeds_the_chunk_size_and_the_chunks_cover_every_file_in_order()
    {
        var app = App("app");
        File.WriteAllBytes(Path.Combine(app, "big.bin"), Bytes(2 * CodeChunks.DefaultChunkSize + 12345, seed: 9));
        var manifest = AppManifest.Of(app);

        foreach (var chunkSize in new[] { SmallChunk, CodeChunks.DefaultChunkSize })
        {
            var chunks = CodeChunks.Read(app, manifest, chunkSize).ToList();

            Assert.That(chunks.Select(c => c.Bytes.Length), Has.All.LessThanOrEqualTo(chunkSize));
            for (var i = 0; i < manifest.Count; i++)
            {
                var ofFile = chunks.Where(c => c.Path == manifest.Paths[i]).ToList();
                var expected = File.ReadAllBytes(Path.Combine(app, manifest.Paths[i]));
                Assert.That(ofFile.Select(c => c.Offset), Is.EqualTo(ofFile.Select(c => c.Offset).Order()), manifest.Paths[i]);
                Assert.That(ofFile.SelectMany(c => c.Bytes), Is.EqualTo(expected), manifest.Paths[i]);
            }
        }
        Assert.That(CodeChunks.Read(app, manifest).Max(c => c.Bytes.Length), Is.EqualTo(CodeChunks.DefaultChunkSize));
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(CodeChunks.MaxChunkSize + 1)]
    public void A_chunk_size_that_is_not_positive_or_too_large_is_refused_at_once(int chunkSize)
    {
        var app = App("app");
        var manifest = AppManifest.Of(app);

        Assert.Throws<ArgumentOutOfRangeException>(() => CodeChunks.Read(app, manifest, chunkSize));
    }

    [Test]
    public void An_empty_file_is_sent_as_one_empty_chunk()
    {
        var app = App("app");
        var manifest = AppManifest.Of(app);

        var chunks = CodeChunks.Read(app, manifest, SmallChunk).Where(c => c.Path == "empty.txt").ToList();

        Assert.That(chunks, Has.Count.EqualTo(1));
        Assert.That(chunks[0].Offset, Is.Zero);
        Assert.That(chunks[0].Bytes, Is.Empty);
    }

    [Test]
    public void A_file_changed_after_its_manifest_was_made_is_reported_while_reading_chunks()
    {
        var app = App("app");
        var manifest = AppManifest.Of(app);
        File.WriteAllText(Path.Combine(app, "B.txt"), "C");

        var error = Assert.Throws<IOException>(() => CodeChunks.Read(app, manifest, SmallChunk).ToList());

        Assert.That(error!.Message, Does.Contain("'B.txt'"));
    }

    // ---- the node's cache

    [Test]
    public void A_bundle_sent_in_chunks_seals_to_an_exact_copy_of_the_application_folder()
    {
        var app = App("app");
        var manifest = AppManifest.Of(app);
        var cache = new CodeCache(Path.Combine(_scratch, "cache"));
        Assert.That(cache.TryGet(manifest.Hash, out _), Is.False);

        string folder;
        using (var upload = cache.Begin(manifest))
        {
            foreach (var chunk in CodeChunks.Read(app, manifest, SmallChunk)) upload.Write(chunk.Path, chunk.Offset, chunk.Bytes);
            folder = upload.Seal();
        }

        Assert.That(folder, Is.EqualTo(Path.Combine(cache.Root, manifest.Hash)));
        Assert.That(cache.TryGet(manifest.Hash, out var found), Is.True);
        Assert.That(found, Is.EqualTo(folder));
        Assert.That(RelativeFiles(folder), Is.EqualTo(RelativeFiles(app)));
        foreach (var path in manifest.Paths)
            Assert.That(File.ReadAllBytes(Path.Combine(folder, path)), Is.EqualTo(File.ReadAllBytes(Path.Combine(app, path))), path);
        Assert.That(AppManifest.Of(folder).Hash, Is.EqualTo(manifest.Hash));
        Assert.That(StagingFolders(cache), Is.Empty);
    }

    [Test]
    public void Chunks_may_arrive_in_any_order()
    {
        var app = App("app");
        var manifest = AppManifest.Of(app);
        var cache = new CodeCache(Path.Combine(_scratch, "cache"));

        using var upload = cache.Begin(manifest);
        foreach (var chunk in CodeChunks.Read(app, manifest, SmallChunk).Reverse()) upload.Write(chunk.Path, chunk.Offset, chunk.Bytes);

        Assert.That(AppManifest.Of(upload.Seal()).Hash, Is.EqualTo(manifest.Hash));
    }

    [Test]
    public void A_corrupted_chunk_makes_seal_fail_naming_its_file_and_leaves_no_sealed_bundle()
    {
        var app = App("app");
        var manifest = AppManifest.Of(app);
        var cache = new CodeCache(Path.Combine(_scratch, "cache"));

        using (var upload = cache.Begin(manifest))
        {
            foreach (var chunk in CodeChunks.Read(app, manifest, SmallChunk))
            {
                if (chunk.Path == "app.dll" && chunk.Offset == SmallChunk) chunk.Bytes[17] ^= 0x40;
                upload.Write(chunk.Path, chunk.Offset, chunk.Bytes);
            }

            var error = Assert.Throws<InvalidDataException>(() => upload.Seal());

            Assert.That(error!.Message, Does.Contain("'app.dll'"));
        }
        Assert.That(cache.TryGet(manifest.Hash, out _), Is.False);
        Assert.That(Directory.Exists(Path.Combine(cache.Root, manifest.Hash)), Is.False);
        Assert.That(StagingFolders(cache), Is.Empty);
    }

    [Test]
    public void A_file_never_written_makes_seal_fail_naming_it()
    {
        var app = App("app");
        var manifest = AppManifest.Of(app);
        var cache = new CodeCache(Path.Combine(_scratch, "cache"));

        using var upload = cache.Begin(manifest);
        foreach (var chunk in CodeChunks.Read(app, manifest, SmallChunk).Where(c => c.Path != "empty.txt"))
            upload.Write(chunk.Path, chunk.Offset, chunk.Bytes);

        var error = Assert.Throws<InvalidDataException>(() => upload.Seal());
        Assert.That(error!.Message, Does.Contain("'empty.txt'"));
    }

    [Test]
    public void A_write_past_the_end_of_a_file_is_refused_naming_it()
    {
        var manifest = AppManifest.Of(App("app"));
        var cache = new CodeCache(Path.Combine(_scratch, "cache"));
        using var upload = cache.Begin(manifest);

        var pastEnd = Assert.Throws<InvalidDataException>(() => upload.Write("B.txt", 1, [1]));
        var tooLong = Assert.Throws<InvalidDataException>(() => upload.Write("B.txt", 0, [1, 2]));
        var negative = Assert.Throws<InvalidDataException>(() => upload.Write("B.txt", -1, [1]));
        var overflow = Assert.Throws<InvalidDataException>(() => upload.Write("B.txt", long.MaxValue, [1]));

        Assert.That(new[] { pastEnd, tooLong, negative, overflow }.Select(e => e!.Message), Has.All.Contain("'B.txt'"));
    }

    [Test]
    public void A_write_to_a_path_outside_the_manifest_is_refused_naming_it()
    {
        var manifest = AppManifest.Of(App("app"));
        var cache = new CodeCache(Path.Combine(_scratch, "cache"));
        using var upload = cache.Begin(manifest);

        var error = Assert.Throws<InvalidDataException>(() => upload.Write("../escape.dll", 0, [1]));

        Assert.That(error!.Message, Does.Contain("'../escape.dll'"));
        Assert.That(File.Exists(Path.Combine(cache.Root, "escape.dll")), Is.False);
    }

    [Test]
    public void Two_uploads_of_one_bundle_both_seal_to_the_same_folder()
    {
        var app = App("app");
        var manifest = AppManifest.Of(app);
        var cache = new CodeCache(Path.Combine(_scratch, "cache"));

        using var first = cache.Begin(manifest);
        using var second = cache.Begin(manifest);
        Assert.That(second.StagingFolder, Is.Not.EqualTo(first.StagingFolder));
        foreach (var chunk in CodeChunks.Read(app, manifest, SmallChunk))
        {
            first.Write(chunk.Path, chunk.Offset, chunk.Bytes);
            second.Write(chunk.Path, chunk.Offset, chunk.Bytes);
        }

        var one = first.Seal();
        var two = second.Seal();

        Assert.That(two, Is.EqualTo(one));
        Assert.That(AppManifest.Of(one).Hash, Is.EqualTo(manifest.Hash));
        Assert.That(StagingFolders(cache), Is.Empty);
    }

    [Test]
    public void A_disposed_upload_leaves_no_staging_folder()
    {
        var app = App("app");
        var manifest = AppManifest.Of(app);
        var cache = new CodeCache(Path.Combine(_scratch, "cache"));

        using (var upload = cache.Begin(manifest))
        {
            foreach (var chunk in CodeChunks.Read(app, manifest, SmallChunk).Take(3)) upload.Write(chunk.Path, chunk.Offset, chunk.Bytes);
            Assert.That(StagingFolders(cache), Has.Count.EqualTo(1));
        }

        Assert.That(Directory.EnumerateFileSystemEntries(cache.Root), Is.Empty);
    }

    [Test]
    public void A_removed_bundle_is_gone_and_can_be_uploaded_again()
    {
        var app = App("app");
        var manifest = AppManifest.Of(app);
        var cache = new CodeCache(Path.Combine(_scratch, "cache"));
        Upload(cache, app, manifest);

        Assert.That(cache.Remove(manifest.Hash), Is.True);
        Assert.That(cache.TryGet(manifest.Hash, out _), Is.False);
        Assert.That(Directory.EnumerateFileSystemEntries(cache.Root), Is.Empty);
        Assert.That(cache.Remove(manifest.Hash), Is.False);

        Upload(cache, app, manifest);
        Assert.That(cache.TryGet(manifest.Hash, out _), Is.True);
    }

    [TestCase("../cache")]
    [TestCase("")]
    [TestCase(".raygen-staging")]
    public void Text_that_is_not_a_bundle_hash_finds_nothing(string hash)
    {
        var cache = new CodeCache(Path.Combine(_scratch, "cache"));
        Directory.CreateDirectory(Path.Combine(cache.Root, ".raygen-staging"));

        Assert.That(cache.TryGet(hash, out _), Is.False);
        Assert.Throws<ArgumentException>(() => cache.Remove(hash));
    }

    [Test]
    [UnsupportedOSPlatform("windows")]
    public void A_cache_folder_is_open_to_its_user_only()
    {
        var root = Path.Combine(_scratch, "cache");

        _ = new CodeCache(root);

        Assert.That(File.GetUnixFileMode(root), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
    }

    [Test]
    public void Opening_a_cache_removes_staging_folders_left_for_over_an_hour_and_keeps_fresh_ones()
    {
        var root = Path.Combine(_scratch, "cache");
        var manifest = AppManifest.Of(App("app"));
        var stale = new CodeCache(root).Begin(manifest);
        var fresh = new CodeCache(root).Begin(manifest);
        stale.Write("B.txt", 0, [(byte)'B']);
        var old = DateTime.UtcNow - CodeCache.StaleStagingAge - TimeSpan.FromMinutes(5);
        File.SetLastWriteTimeUtc(Path.Combine(stale.StagingFolder, "B.txt"), old);
        Directory.SetLastWriteTimeUtc(stale.StagingFolder, old);

        _ = new CodeCache(root);

        Assert.That(Directory.Exists(stale.StagingFolder), Is.False);
        Assert.That(Directory.Exists(fresh.StagingFolder), Is.True);
        fresh.Dispose();
        stale.Dispose();
    }

    // ---- helpers

    /// <summary>A small application: a nested folder, an empty file, a dot-file, names that sort differently by case, a file of several chunks.</summary>
    private string App(string name)
    {
        var app = Path.Combine(_scratch, name);
        Directory.CreateDirectory(Path.Combine(app, "lib", "nested"));
        File.WriteAllBytes(Path.Combine(app, "app.dll"), Bytes(3 * SmallChunk + 100, seed: 1));
        File.WriteAllBytes(Path.Combine(app, "empty.txt"), []);
        File.WriteAllText(Path.Combine(app, "B.txt"), "B");
        File.WriteAllText(Path.Combine(app, ".hidden"), "secret");
        File.WriteAllBytes(Path.Combine(app, "lib", "nested", "deep.bin"), Bytes(10, seed: 2));
        return app;
    }

    private static void Upload(CodeCache cache, string app, AppManifest manifest)
    {
        using var upload = cache.Begin(manifest);
        foreach (var chunk in CodeChunks.Read(app, manifest, SmallChunk)) upload.Write(chunk.Path, chunk.Offset, chunk.Bytes);
        upload.Seal();
    }

    private static AppManifest FromArrays(string[] paths, long[] sizes, string[] sha256) =>
        new(paths, sizes, sha256, AppManifest.CanonicalHash(paths, sizes, sha256));

    private static string Sha(int n) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(n)));

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static List<string> RelativeFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    private static List<string> StagingFolders(CodeCache cache) =>
        Directory.EnumerateDirectories(cache.Root, ".raygen-staging*").ToList();
}
