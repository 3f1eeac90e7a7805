using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace RayGen.Analyzers.CodeFixes;

/// <summary>
/// RAY001: adds <c>partial</c> to the type and to every type around it that lacks it, since the
/// generator must reopen the whole chain; one fix makes the code compile instead of one per level.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddPartialCodeFix)), Shared]
public sealed class AddPartialCodeFix : DocumentCodeFix
{
    protected override string Title => "Make the type and its containing types partial";

    protected override string DiagnosticId => DiagnosticDescriptors.NotPartial.Id;

    protected override async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
            return document;

        var targets = new HashSet<TypeDeclarationSyntax>();
        foreach (var diagnostic in diagnostics)
        {
            var declaration = root.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().FirstOrDefault();
            if (declaration is null)
                continue;
            foreach (var type in declaration.AncestorsAndSelf().OfType<TypeDeclarationSyntax>())
            {
                if (!type.Modifiers.Any(SyntaxKind.PartialKeyword))
                    targets.Add(type);
            }
        }

        // ReplaceNodes hands each callback the already-rewritten node, so nested targets compose.
        var newRoot = root.ReplaceNodes(targets, (_, rewritten) => AddPartial(rewritten));
        return document.WithSyntaxRoot(newRoot);
    }

    // C# wants 'partial' last, right before the keyword; it takes over the keyword's leading trivia when it
    // becomes the first token of the declaration.
    private static TypeDeclarationSyntax AddPartial(TypeDeclarationSyntax type)
    {
        var partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (type.Modifiers.Count > 0)
            return type.AddModifiers(partial);

        partial = partial.WithLeadingTrivia(type.Keyword.LeadingTrivia);
        return type
            .WithKeyword(type.Keyword.WithLeadingTrivia(SyntaxFactory.TriviaList()))
            .WithModifiers(SyntaxFactory.TokenList(partial));
    }
}
