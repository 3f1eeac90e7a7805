using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace RayGen.Analyzers.DataTransform;

/// <summary>
/// What a lambda or local function takes from around it: the variables (and 'this') declared outside it that
/// it or a function inside it captures, and the non-static local functions declared outside it that it names,
/// whose captures are its captures too (data flow analysis stops at a call of a local function).
/// </summary>
internal sealed class Closure
{
    private Closure(List<string> captured, List<LocalFunctionStatementSyntax> localFunctions)
    {
        Captured = captured;
        LocalFunctions = localFunctions;
    }

    /// <summary>Names in order of declaration, 'this' first.</summary>
    public List<string> Captured { get; }

    /// <summary>Non-static local functions declared outside the function that it reaches, directly or through each other.</summary>
    public List<LocalFunctionStatementSyntax> LocalFunctions { get; }

    public static Closure Of(SyntaxNode function, SemanticModel model)
    {
        var captured = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        var visited = new List<SyntaxNode>();
        Collect(function, function, model, captured, visited);
        return new Closure(
            captured
                .OrderBy(symbol => symbol.Locations.FirstOrDefault()?.SourceSpan.Start ?? -1)
                .Select(symbol => symbol is IParameterSymbol { IsThis: true } ? "this" : symbol.Name)
                .ToList(),
            visited.Skip(1).OfType<LocalFunctionStatementSyntax>().ToList());
    }

    /// <summary>The declaration of a non-static local function in the model's tree; null for a static one, which captures nothing.</summary>
    public static LocalFunctionStatementSyntax? LocalFunctionDeclaration(IMethodSymbol local, SemanticModel model)
    {
        if (local.IsStatic)
            return null;
        foreach (var reference in local.OriginalDefinition.DeclaringSyntaxReferences)
        {
            if (reference.SyntaxTree == model.SyntaxTree && reference.GetSyntax() is LocalFunctionStatementSyntax declaration)
                return declaration;
        }
        return null;
    }

    private static void Collect(SyntaxNode root, SyntaxNode function, SemanticModel model, HashSet<ISymbol> captured, List<SyntaxNode> visited)
    {
        if (visited.Contains(function))
            return;
        visited.Add(function);

        var flow = function switch
        {
            AnonymousFunctionExpressionSyntax lambda => model.AnalyzeDataFlow(lambda),
            LocalFunctionStatementSyntax local => model.AnalyzeDataFlow(local),
            _ => null,
        };
        if (flow is { Succeeded: true })
        {
            foreach (var symbol in flow.CapturedInside)
            {
                if (!symbol.DeclaringSyntaxReferences.Any(reference => function.Span.Contains(reference.Span)))
                    captured.Add(symbol);
            }
        }

        // Functions declared inside this one are covered by its own data flow; the names in their bodies are walked here.
        foreach (var name in function.DescendantNodes().OfType<SimpleNameSyntax>())
        {
            if (model.GetSymbolInfo(name).Symbol is IMethodSymbol { MethodKind: MethodKind.LocalFunction } local
                && LocalFunctionDeclaration(local, model) is { } declaration
                && !function.Span.Contains(declaration.Span) && !root.Span.Contains(declaration.Span))
            {
                Collect(root, declaration, model, captured, visited);
            }
        }
    }
}
