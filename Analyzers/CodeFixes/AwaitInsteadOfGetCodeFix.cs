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

/// <summary>RAY009: <c>r.Get()</c> and <c>Ray.Get(r)</c> become <c>await r</c>; refs are awaitable.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AwaitInsteadOfGetCodeFix)), Shared]
public sealed class AwaitInsteadOfGetCodeFix : DocumentCodeFix
{
    protected override string Title => "Await the ref instead of blocking";

    protected override string DiagnosticId => DiagnosticDescriptors.BlockingGetInAsync.Id;

    // The analyzer leaves the property out where await cannot say the same thing (timeouts, many refs).
    protected override bool Offers(Diagnostic diagnostic) => diagnostic.Properties.ContainsKey(BlockingGetAnalyzer.AwaitFixProperty);

    protected override async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
            return document;

        var targets = new Dictionary<InvocationExpressionSyntax, bool>();
        foreach (var diagnostic in diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(BlockingGetAnalyzer.AwaitFixProperty, out var kind))
                continue;
            var invocation = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true)
                .AncestorsAndSelf().OfType<InvocationExpressionSyntax>().FirstOrDefault();
            if (invocation is not null)
                targets[invocation] = kind == BlockingGetAnalyzer.FixRayGet;
        }

        var newRoot = root.ReplaceNodes(targets.Keys, (original, rewritten) => ToAwait(original, rewritten, targets[original]));
        return document.WithSyntaxRoot(newRoot);
    }

    private static ExpressionSyntax ToAwait(InvocationExpressionSyntax original, InvocationExpressionSyntax rewritten, bool isRayGet)
    {
        var reference = isRayGet
            ? rewritten.ArgumentList.Arguments[0].Expression
            : ((MemberAccessExpressionSyntax)rewritten.Expression).Expression;

        ExpressionSyntax awaited = SyntaxFactory.AwaitExpression(Operand(reference.WithoutTrivia()));
        if (NeedsParentheses(original))
            awaited = SyntaxFactory.ParenthesizedExpression(awaited);
        return awaited.WithTriviaFrom(original);
    }

    // 'await' binds like a unary operator: anything looser than a primary expression must be wrapped.
    private static ExpressionSyntax Operand(ExpressionSyntax reference) =>
        reference is IdentifierNameSyntax or GenericNameSyntax or MemberAccessExpressionSyntax or InvocationExpressionSyntax
            or ElementAccessExpressionSyntax or ParenthesizedExpressionSyntax or ThisExpressionSyntax or ObjectCreationExpressionSyntax
            ? reference
            : SyntaxFactory.ParenthesizedExpression(reference);

    // Where the Get call was the receiver of a member access, indexer, or '!', the await must be wrapped.
    private static bool NeedsParentheses(InvocationExpressionSyntax invocation) => invocation.Parent switch
    {
        MemberAccessExpressionSyntax access => access.Expression == invocation,
        ConditionalAccessExpressionSyntax access => access.Expression == invocation,
        ElementAccessExpressionSyntax access => access.Expression == invocation,
        InvocationExpressionSyntax call => call.Expression == invocation,
        PostfixUnaryExpressionSyntax => true,
        _ => false,
    };
}
