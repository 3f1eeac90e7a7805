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
/// RAY019: adds <c>static</c> to a data transform that captures nothing, and to the local functions it calls
/// (a static lambda cannot call a non-static one; these capture nothing either). RAY018 has no fix: a capturing
/// lambda would not compile as static, and where its state should go (a class transform) is the user's call.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeTransformStaticCodeFix)), Shared]
public sealed class MakeTransformStaticCodeFix : DocumentCodeFix
{
    protected override string Title => "Make the lambda static";

    protected override string DiagnosticId => DiagnosticDescriptors.NonStaticTransform.Id;

    protected override async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
            return document;

        // The lambda at the diagnostic's location, and the non-static local functions it calls at the additional ones.
        var targets = new HashSet<SyntaxNode>();
        foreach (var diagnostic in diagnostics)
        {
            var lambda = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true)
                .AncestorsAndSelf().OfType<AnonymousFunctionExpressionSyntax>().FirstOrDefault();
            if (lambda is not null && !lambda.Modifiers.Any(SyntaxKind.StaticKeyword))
                targets.Add(lambda);
            foreach (var location in diagnostic.AdditionalLocations)
            {
                var local = root.FindToken(location.SourceSpan.Start).Parent?.AncestorsAndSelf().OfType<LocalFunctionStatementSyntax>().FirstOrDefault();
                if (local is not null && !local.Modifiers.Any(SyntaxKind.StaticKeyword))
                    targets.Add(local);
            }
        }

        // ReplaceNodes hands each callback the already-rewritten node, so a lambda inside a target local function composes.
        var newRoot = root.ReplaceNodes(targets, (_, rewritten) => AddStatic(rewritten));
        return document.WithSyntaxRoot(newRoot);
    }

    // 'static' goes first among the modifiers (before 'async'), after any attributes, and takes over the leading
    // trivia of the token it now precedes (a comment, the indentation of its own line).
    internal static SyntaxNode AddStatic(SyntaxNode function)
    {
        var modifiers = Modifiers(function);
        var next = modifiers.Count > 0
            ? modifiers[0]
            : function.DescendantTokens().First(token => !token.Parent!.AncestorsAndSelf().OfType<AttributeListSyntax>().Any());
        var keyword = SyntaxFactory.Token(next.LeadingTrivia, SyntaxKind.StaticKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
        var bare = function.ReplaceToken(next, next.WithLeadingTrivia(SyntaxFactory.TriviaList()));
        return WithModifiers(bare, Modifiers(bare).Insert(0, keyword));
    }

    private static SyntaxTokenList Modifiers(SyntaxNode function) => function switch
    {
        AnonymousFunctionExpressionSyntax lambda => lambda.Modifiers,
        LocalFunctionStatementSyntax local => local.Modifiers,
        _ => default,
    };

    private static SyntaxNode WithModifiers(SyntaxNode function, SyntaxTokenList modifiers) => function switch
    {
        AnonymousFunctionExpressionSyntax lambda => lambda.WithModifiers(modifiers),
        LocalFunctionStatementSyntax local => local.WithModifiers(modifiers),
        _ => function,
    };
}
