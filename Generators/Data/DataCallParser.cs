using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using RayGen.Generators.Model;
using RayGen.Generators.Shared;

namespace RayGen.Generators.Data;

/// <summary>Finds the calls of RayGen.Data operators that take functions, and describes the ones the generator can serve.</summary>
internal static class DataCallParser
{
    /// <summary>The namespace whose dataset types run the functions they are given in workers.</summary>
    public const string DataNamespace = "RayGen.Data";


    private static readonly SymbolDisplayFormat s_global = SymbolDisplayFormat.FullyQualifiedFormat;

    /// <summary>A cheap syntactic filter: a member call named like an operator that takes a function.</summary>
    public static bool IsCandidate(SyntaxNode node, CancellationToken _) =>
        node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: var name }, ArgumentList.Arguments.Count: > 0 }
        && PortableFunction.IsOperator(name);

    public static DataCallModel? Parse(GeneratorSyntaxContext context, CancellationToken cancellation)
    {
        var call = (InvocationExpressionSyntax)context.Node;
        var model = context.SemanticModel;
        if (model.GetOperation(call, cancellation) is not IInvocationOperation { Instance: not null } operation) return null;
        var method = operation.TargetMethod;
        if (method.IsStatic || method.ContainingType.ContainingNamespace?.ToDisplayString() != DataNamespace) return null;
        if (PortableFunction.IsDataPackage(model.Compilation)) return null;
        if (PortableFunction.CallReason(method, model.Compilation) is not null) return null;

        var functions = new List<DataFunctionModel>();
        var shipped = new HashSet<IParameterSymbol>(SymbolEqualityComparer.Default);
        foreach (var argument in operation.Arguments)
        {
            if (argument.Parameter is not { Type.TypeKind: TypeKind.Delegate } parameter || argument.ArgumentKind != ArgumentKind.Explicit) continue;
            var (code, _) = PortableFunction.Copy(argument.Value, model, cancellation);
            if (code is null) continue;
            shipped.Add(parameter);
            functions.Add(new DataFunctionModel(parameter.Name, parameter.Type.ToDisplayString(s_global), code));
        }

        if (functions.Count == 0) return null;
        var location = model.GetInterceptableLocation(call, cancellation);
        if (location is null) return null;

        var position = call.GetLocation().GetLineSpan().StartLinePosition;
        var name = ((MemberAccessExpressionSyntax)call.Expression).Name;
        var namePosition = name.GetLocation().GetLineSpan().StartLinePosition;
        return new DataCallModel(
            call.SyntaxTree.FilePath,
            namePosition.Line + 1,
            namePosition.Character + 1,
            location.Version,
            location.Data,
            method.Name,
            method.ContainingType.ToDisplayString(s_global),
            method.ReturnType.ToDisplayString(s_global),
            method.IsGenericMethod ? "<" + string.Join(", ", method.TypeArguments.Select(t => t.ToDisplayString(s_global))) + ">" : "",
            method.Parameters.Select(p => new DataParameterModel(p.Name, p.Type.ToDisplayString(s_global), shipped.Contains(p))).ToEquatableArray(),
            functions.ToEquatableArray());
    }

    /// <summary>A file name for ids and comments: short, and the same on every machine.</summary>
    public static string FileName(string path) => path.Length == 0 ? "<source>" : Path.GetFileName(path);
}
