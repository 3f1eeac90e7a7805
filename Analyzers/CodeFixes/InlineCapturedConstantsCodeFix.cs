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
/// RAY018, the common case: a lambda whose captures are all locals holding constants (a <c>const</c>, or a variable
/// initialized with a constant and never assigned again) gets their values written in and becomes <c>static</c>,
/// so it runs in a worker as it read. Any other capture (a parameter, <c>this</c>, a variable that changes) has no
/// fix: where that state should go (a class transform's constructor arguments) is the user's call.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InlineCapturedConstantsCodeFix)), Shared]
public sealed class InlineCapturedConstantsCodeFix : DocumentCodeFix
{
    protected override string Title => "Write the captured constants in and make the lambda static";

    protected override string DiagnosticId => DiagnosticDescriptors.CapturingTransform.Id;

    protected override async Task<bool> OffersAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        return root is not null && model is not null && LambdaAt(root, diagnostic) is { } lambda && Plan(lambda, model, cancellationToken) is not null;
    }

    protected override async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
            return document;

        // Every lambda planned against the original tree, then rewritten in one pass (lambdas do not nest in practice,
        // and ReplaceNodes hands a nested one's rewrite to its parent's callback).
        var rewrites = new Dictionary<SyntaxNode, SyntaxNode>();
        foreach (var diagnostic in diagnostics)
        {
            if (LambdaAt(root, diagnostic) is not { } lambda || Plan(lambda, model, cancellationToken) is not { } values)
                continue;
            var uses = lambda.DescendantNodes().OfType<IdentifierNameSyntax>()
                .Where(name => model.GetSymbolInfo(name, cancellationToken).Symbol is ILocalSymbol local && values.ContainsKey(local))
                .ToList();
            var inlined = lambda.ReplaceNodes(uses, (original, _) =>
                values[(ILocalSymbol)model.GetSymbolInfo(original, cancellationToken).Symbol!].WithTriviaFrom(original));
            rewrites[lambda] = MakeTransformStaticCodeFix.AddStatic(inlined);
        }

        return document.WithSyntaxRoot(root.ReplaceNodes(rewrites.Keys, (original, _) => rewrites[original]));
    }

    private static AnonymousFunctionExpressionSyntax? LambdaAt(SyntaxNode root, Diagnostic diagnostic) =>
        root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true).AncestorsAndSelf().OfType<AnonymousFunctionExpressionSyntax>().FirstOrDefault();

    /// <summary>Each captured local and the expression of its constant; null when any capture is not such a local.</summary>
    private static Dictionary<ILocalSymbol, ExpressionSyntax>? Plan(AnonymousFunctionExpressionSyntax lambda, SemanticModel model, CancellationToken cancellationToken)
    {
        var flow = model.AnalyzeDataFlow(lambda);
        if (flow is null || !flow.Succeeded)
            return null;
        var values = new Dictionary<ILocalSymbol, ExpressionSyntax>(SymbolEqualityComparer.Default);
        foreach (var captured in flow.CapturedInside)
        {
            // Variables declared inside the lambda (a nested lambda's captures) are its own, not captures of it.
            if (captured.DeclaringSyntaxReferences.Any(r => lambda.Span.Contains(r.Span)))
                continue;
            if (captured is not ILocalSymbol local || ConstantOf(local, model, cancellationToken) is not { } value || Literal(value, local.Type) is not { } literal)
                return null;
            values[local] = literal;
        }

        return values.Count > 0 ? values : null;
    }

    private static Optional<object?>? ConstantOf(ILocalSymbol local, SemanticModel model, CancellationToken cancellationToken)
    {
        if (local.HasConstantValue)
            return new Optional<object?>(local.ConstantValue);
        if (local.DeclaringSyntaxReferences.SingleOrDefault()?.GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Initializer.Value: { } initializer } declarator)
            return null;
        var constant = model.GetConstantValue(initializer, cancellationToken);
        if (!constant.HasValue)
            return null;
        // Never assigned after its declaration, anywhere in its scope: then its value is that constant wherever it is read.
        var scope = declarator.Ancestors().FirstOrDefault(a => a is BlockSyntax or SwitchSectionSyntax or GlobalStatementSyntax or CompilationUnitSyntax) ?? declarator.SyntaxTree.GetRoot(cancellationToken);
        if (scope is GlobalStatementSyntax)
            scope = scope.Parent!;
        foreach (var name in scope.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (name.Identifier.ValueText == local.Name && IsWritten(name) && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, local))
                return null;
        }

        return new Optional<object?>(constant.Value);
    }

    private static bool IsWritten(IdentifierNameSyntax name) => name.Parent switch
    {
        AssignmentExpressionSyntax assignment => assignment.Left == name,
        PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } => true,
        PostfixUnaryExpressionSyntax => true,
        ArgumentSyntax argument => !argument.RefKindKeyword.IsKind(SyntaxKind.None),
        RefExpressionSyntax => true,
        _ => false,
    };

    /// <summary>The constant as C# text of the local's type: bare for int, bool, char and string; cast otherwise (2L is not 2).</summary>
    private static ExpressionSyntax? Literal(Optional<object?> constant, ITypeSymbol type)
    {
        if (constant.Value is not { } value)
            return null; // a null constant: writing it in would need its type spelled out; no fix
        if (SymbolDisplay.FormatPrimitive(value, quoteStrings: true, useHexadecimalNumbers: false) is not { } text)
            return null;
        var literal = SyntaxFactory.ParseExpression(text);
        if (value is int or bool or char or string)
            return literal;
        return SyntaxFactory.ParenthesizedExpression(SyntaxFactory.CastExpression(
            SyntaxFactory.ParseTypeName(type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)), literal));
    }
}
