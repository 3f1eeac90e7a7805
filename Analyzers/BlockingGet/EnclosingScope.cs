using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace RayGen.Analyzers.BlockingGet;

/// <summary>Questions about where a call sits, answered within its innermost function (lambdas included).</summary>
internal static class EnclosingScope
{
    public static bool IsInAsyncFunction(SyntaxNode node)
    {
        for (var current = node.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case AnonymousFunctionExpressionSyntax function:
                    return function.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword);
                case LocalFunctionStatementSyntax local:
                    return local.Modifiers.Any(SyntaxKind.AsyncKeyword);
                case BaseMethodDeclarationSyntax method:
                    return method.Modifiers.Any(SyntaxKind.AsyncKeyword);
                case AccessorDeclarationSyntax or TypeDeclarationSyntax:
                    return false;
            }
        }
        // Top-level statements: an async Main has no caller waiting on its thread, so blocking there is harmless.
        return false;
    }

    /// <summary>The innermost loop around <paramref name="node"/> in the same function, or null.</summary>
    public static StatementSyntax? InnermostLoop(SyntaxNode node)
    {
        for (var current = node.Parent; current is not null && !IsFunctionBoundary(current); current = current.Parent)
        {
            if (current is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax)
                return (StatementSyntax)current;
        }
        return null;
    }

    /// <summary>Places where the compiler rejects <c>await</c>, so the await fix must not be offered there.</summary>
    public static bool ForbidsAwait(SyntaxNode node)
    {
        for (var current = node.Parent; current is not null && !IsFunctionBoundary(current); current = current.Parent)
        {
            if (current is LockStatementSyntax or CatchFilterClauseSyntax or QueryExpressionSyntax)
                return true;
        }
        return false;
    }

    private static bool IsFunctionBoundary(SyntaxNode node) =>
        node is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax or AccessorDeclarationSyntax;
}
