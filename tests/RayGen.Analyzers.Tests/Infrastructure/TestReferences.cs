using System.Collections.Immutable;
using System.IO;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace RayGen.Analyzers.Tests.Infrastructure;

/// <summary>What every test compilation references: net10.0, the RayGen runtime and MemoryPack.</summary>
internal static class TestReferences
{
    public static readonly ReferenceAssemblies Net10 = new(
        "net10.0",
        new PackageIdentity("Microsoft.NETCore.App.Ref", "10.0.12"),
        Path.Combine("ref", "net10.0"));

    public static readonly ImmutableArray<MetadataReference> RayGen = ImmutableArray.Create<MetadataReference>(
        MetadataReference.CreateFromFile(typeof(RemoteAttribute).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(MemoryPack.MemoryPackableAttribute).Assembly.Location));
}
