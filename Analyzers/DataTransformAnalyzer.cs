using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using RayGen.Analyzers.DataTransform;
using RayGen.Generators.Shared;

namespace RayGen.Analyzers;

/// <summary>
/// The functions given to RayGen.Data (Map, Filter, Aggregate...) run in worker processes, where the
/// variables a closure holds do not exist: a lambda or method group that captures one is an error (RAY018),
/// and a lambda that captures nothing should say it runs elsewhere with 'static' (RAY019).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DataTransformAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Matched by name, not by assembly: any type in this namespace runs the delegates it is given in workers.</summary>
    private const string DataNamespace = "RayGen.Data";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ImmutableArray.Create(DiagnosticDescriptors.CapturingTransform, DiagnosticDescriptors.NonStaticTransform, DiagnosticDescriptors.ReflectedTransform);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (HasDataNamespace(start.Compilation))
                start.RegisterOperationAction(Analyze, OperationKind.Invocation, OperationKind.ObjectCreation);
        });
    }

    private static bool HasDataNamespace(Compilation compilation)
    {
        var ray = compilation.GlobalNamespace.GetNamespaceMembers().FirstOrDefault(n => n.Name == "RayGen");
        return ray is not null && ray.GetNamespaceMembers().Any(n => n.Name == "Data");
    }

    private static void Analyze(OperationAnalysisContext context)
    {
        var (method, arguments) = context.Operation switch
        {
            IInvocationOperation call => (call.TargetMethod, call.Arguments),
            IObjectCreationOperation creation => (creation.Constructor, creation.Arguments),
            _ => (null, ImmutableArray<IArgumentOperation>.Empty),
        };
        if (method?.ContainingType?.ContainingNamespace?.ToDisplayString() != DataNamespace || PortableFunction.IsDataPackage(context.Compilation))
            return;

        // The calls RayGen's generator serves: why it cannot (RAY020) is worth a word where nothing else is wrong.
        var served = context.Operation is IInvocationOperation { Instance: not null } && PortableFunction.IsOperator(method.Name);
        var callReason = !served ? null
            : !PortableFunction.InterceptorsEnabled(context.Operation.Syntax.SyntaxTree.Options)
                ? $"the project does not enable interceptors in {PortableFunction.InterceptorsNamespace} (InterceptorsNamespaces, which RayGen's build file sets)"
                : PortableFunction.CallReason(method, context.Compilation);
        foreach (var argument in arguments)
        {
            if (argument.Parameter?.Type.TypeKind != TypeKind.Delegate)
                continue;
            var reported = false;
            foreach (var function in Functions(argument.Value))
                reported |= Check(context, function, method);
            if (!served || reported || argument.ArgumentKind != ArgumentKind.Explicit)
                continue;
            var reason = callReason ?? PortableFunction.Copy(argument.Value, argument.SemanticModel!, context.CancellationToken).Reason;
            if (reason is not null)
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ReflectedTransform, argument.Value.Syntax.GetLocation(), Describe(argument.Value), CalledName(method), reason));
        }
    }

    private static string Describe(IOperation function) => Functions(function).FirstOrDefault() switch
    {
        IAnonymousFunctionOperation => "lambda",
        IMethodReferenceOperation => $"method group '{function.Syntax}'",
        _ => $"function '{function.Syntax}'",
    };

    /// <summary>The lambdas and method groups an argument stands for, through conversions and '?:'.</summary>
    private static IEnumerable<IOperation> Functions(IOperation value)
    {
        switch (value)
        {
            case IDelegateCreationOperation creation:
                return Functions(creation.Target);
            case IConversionOperation conversion:
                return Functions(conversion.Operand);
            case IConditionalOperation conditional when conditional.WhenFalse is not null:
                return Functions(conditional.WhenTrue).Concat(Functions(conditional.WhenFalse));
            case IAnonymousFunctionOperation or IMethodReferenceOperation:
                return new[] { value };
            default:
                return Enumerable.Empty<IOperation>();
        }
    }

    /// <summary>Reports RAY018 or RAY019 where due; true when it reported one.</summary>
    private static bool Check(OperationAnalysisContext context, IOperation function, IMethodSymbol method)
    {
        var called = CalledName(method);
        var model = function.SemanticModel!;
        switch (function)
        {
            case IAnonymousFunctionOperation { Syntax: AnonymousFunctionExpressionSyntax lambda }:
            {
                if (lambda.Modifiers.Any(SyntaxKind.StaticKeyword))
                    return false;
                var kind = lambda is AnonymousMethodExpressionSyntax ? "anonymous method" : "lambda";
                var closure = Closure.Of(lambda, model);
                // A static lambda cannot name a non-static local function: the fix makes those static too, so it
                // finds them at the additional locations (their names).
                context.ReportDiagnostic(closure.Captured.Count > 0
                    ? Diagnostic.Create(DiagnosticDescriptors.CapturingTransform, lambda.GetLocation(), kind, called, Names(closure.Captured))
                    : Diagnostic.Create(DiagnosticDescriptors.NonStaticTransform, lambda.GetLocation(),
                        closure.LocalFunctions.Select(local => local.Identifier.GetLocation()), kind, called));
                return true;
            }
            case IMethodReferenceOperation { Method.MethodKind: MethodKind.LocalFunction } reference:
            {
                // A local function's delegate holds what the function captures (the operation shows an implicit 'this' either way).
                var declaration = Closure.LocalFunctionDeclaration(reference.Method, model);
                var captured = declaration is null ? new List<string>() : Closure.Of(declaration, model).Captured;
                if (captured.Count > 0)
                    ReportMethodGroup(context, reference, called, captured);
                return captured.Count > 0;
            }
            case IMethodReferenceOperation { Instance: { } target } reference:
                // The delegate holds its target object, which stays behind in this process.
                ReportMethodGroup(context, reference, called, new[] { target.IsImplicit ? "this" : target.Syntax.ToString() });
                return true;
            default:
                return false;
        }
    }

    private static void ReportMethodGroup(OperationAnalysisContext context, IMethodReferenceOperation reference, string called, IReadOnlyList<string> captured) =>
        context.ReportDiagnostic(Diagnostic.Create(
            DiagnosticDescriptors.CapturingTransform, reference.Syntax.GetLocation(),
            $"method group '{reference.Syntax}'", called, Names(captured)));

    private static string CalledName(IMethodSymbol method) =>
        method.MethodKind == MethodKind.Constructor
            ? "new " + method.ContainingType.Name
            : method.ContainingType.Name + "." + method.Name;

    private static string Names(IReadOnlyList<string> names)
    {
        var quoted = names.Select(name => $"'{name}'").ToList();
        return quoted.Count == 1
            ? quoted[0]
            : string.Join(", ", quoted.Take(quoted.Count - 1)) + " and " + quoted[quoted.Count - 1];
    }
}
