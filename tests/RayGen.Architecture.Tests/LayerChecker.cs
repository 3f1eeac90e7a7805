using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace RayGen.Architecture.Tests;

/// <summary>One reference from a folder to a folder on the same floor or above it.</summary>
internal sealed record Violation(string File, int Line, string FromFolder, string Symbol, string ToFolder)
{
    public override string ToString() => $"{File}:{Line}: {FromFolder} uses {Symbol}, declared in {ToFolder}";
}

/// <summary>
/// Reads which folder every name in a source tree binds to, with Roslyn's semantic model: a using directive
/// that binds nothing does not count, and a public type of namespace RayGen (visible without any using) does.
/// </summary>
internal static class LayerChecker
{
    public static CSharpCompilation Compile(IEnumerable<(string Path, string Text)> sources)
    {
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Preview), s.Path));
        return CSharpCompilation.Create("LayerCheck", trees, References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
    }

    private static IEnumerable<MetadataReference> References()
    {
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var memoryPack = typeof(MemoryPack.MemoryPackSerializer).Assembly.Location;
        return platform.Append(memoryPack).Select(p => MetadataReference.CreateFromFile(p));
    }

    /// <param name="folderOf">The folder a source path belongs to (null: not part of the layered code).</param>
    public static List<Violation> Check(CSharpCompilation compilation, Func<string, string?> folderOf)
    {
        var violations = new List<Violation>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var from = folderOf(tree.FilePath);
            if (from is null) continue;
            var fromFloor = Layers.FloorOf[from];
            var model = compilation.GetSemanticModel(tree);
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                if (node is not (SimpleNameSyntax or ImplicitObjectCreationExpressionSyntax)) continue;
                if (node.Parent is UsingDirectiveSyntax or QualifiedNameSyntax { Parent: UsingDirectiveSyntax }) continue;
                var symbol = model.GetSymbolInfo(node).Symbol;
                var type = DeclaringType(symbol);
                if (type is null) continue;
                foreach (var folder in type.DeclaringSyntaxReferences.Select(r => folderOf(r.SyntaxTree.FilePath)).Distinct())
                {
                    if (folder is null || folder == from || Layers.FloorOf[folder] < fromFloor) continue;
                    var line = node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                    violations.Add(new Violation(tree.FilePath, line, from, type.ToDisplayString(), folder));
                }
            }
        }

        return violations;
    }

    private static INamedTypeSymbol? DeclaringType(ISymbol? symbol) => symbol switch
    {
        null => null,
        INamedTypeSymbol type => type.OriginalDefinition,
        IMethodSymbol { MethodKind: MethodKind.ReducedExtension } extension => extension.ReducedFrom?.ContainingType,
        _ => symbol.ContainingType?.OriginalDefinition,
    };
}
