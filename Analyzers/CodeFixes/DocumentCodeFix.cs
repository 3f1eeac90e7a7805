using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace RayGen.Analyzers.CodeFixes;

/// <summary>
/// What RayGen's code fixes share: one diagnostic id, one title, one rewrite of a document that takes any number
/// of that id's diagnostics, so fixing one and fixing all (in a document, project or solution) run the same code.
/// </summary>
public abstract class DocumentCodeFix : CodeFixProvider
{
    /// <summary>The fix's title in the light bulb.</summary>
    protected abstract string Title { get; }

    /// <summary>The one id it fixes.</summary>
    protected abstract string DiagnosticId { get; }

    /// <inheritdoc />
    public sealed override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(DiagnosticId);

    /// <inheritdoc />
    public sealed override FixAllProvider GetFixAllProvider() =>
        FixAllProvider.Create(async (context, document, diagnostics) => await FixAsync(document, diagnostics, context.CancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!await OffersAsync(context.Document, diagnostic, context.CancellationToken).ConfigureAwait(false))
                continue;
            context.RegisterCodeFix(
                CodeAction.Create(Title, token => FixAsync(context.Document, ImmutableArray.Create(diagnostic), token), equivalenceKey: GetType().Name),
                diagnostic);
        }
    }

    /// <summary>Whether this diagnostic gets the fix (all do unless a fix says otherwise).</summary>
    protected virtual bool Offers(Diagnostic diagnostic) => true;

    /// <summary>The same, for a fix that must read the code to tell (the default asks <see cref="Offers"/>).</summary>
    protected virtual Task<bool> OffersAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken) =>
        Task.FromResult(Offers(diagnostic));

    /// <summary>The document with every one of <paramref name="diagnostics"/> fixed.</summary>
    protected abstract Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken);
}
