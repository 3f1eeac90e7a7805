using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace RayGen.Analyzers.BlockingGet;

/// <summary>
/// Whether a ref read inside a loop was produced by a remote call in that same loop: then each
/// iteration submits, waits, and only then submits the next, and the calls never run side by side.
/// </summary>
internal static class LoopSubmission
{
    public static bool IsSubmittedIn(IOperation reference, StatementSyntax loop, SemanticModel model, KnownSymbols known)
    {
        var value = Unwrap(reference);
        if (IsSubmission(value, known))
            return true;
        if (value is not ILocalReferenceOperation local)
            return false;

        foreach (var node in loop.DescendantNodes())
        {
            var assigned = node switch
            {
                VariableDeclaratorSyntax declarator when declarator.Initializer is not null
                    && SymbolEqualityComparer.Default.Equals(model.GetDeclaredSymbol(declarator), local.Local)
                    => declarator.Initializer.Value,
                AssignmentExpressionSyntax assignment
                    when SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(assignment.Left).Symbol, local.Local)
                    => assignment.Right,
                _ => null,
            };
            if (assigned is not null && IsSubmission(Unwrap(model.GetOperation(assigned)), known))
                return true;
        }
        return false;
    }

    // Any call that hands back a ref is a submission (a generated stub or actor method), except Ray.Put,
    // whose value is already there.
    private static bool IsSubmission(IOperation? operation, KnownSymbols known) =>
        operation is IInvocationOperation invocation
        && known.IsObjectRef(invocation.Type)
        && !(KnownSymbols.Is(invocation.TargetMethod.ContainingType, known.Ray) && invocation.TargetMethod.Name == "Put");

    private static IOperation? Unwrap(IOperation? operation)
    {
        while (operation is IConversionOperation or IParenthesizedOperation)
            operation = operation is IConversionOperation conversion ? conversion.Operand : ((IParenthesizedOperation)operation).Operand;
        return operation;
    }
}
