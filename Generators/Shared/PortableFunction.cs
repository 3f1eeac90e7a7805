using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace RayGen.Generators.Shared;

/// <summary>
/// Whether a function given to a RayGen.Data operator can be written again in a generated file of the same
/// assembly, and the text to write: the lambda with every name it uses made global (types, namespaces, static
/// members; constants written in; extension calls in their static form), or the method group's qualified name.
/// A worker then gets the function from that generated registry without reflection. The generator writes what
/// this returns; the analyzer reports the reason when it returns none (RAY020), so the two never disagree.
/// </summary>
internal static class PortableFunction
{
    /// <summary>The namespace the generated interceptors live in; a project enables it with InterceptorsNamespaces.</summary>
    public const string InterceptorsNamespace = "RayGen.Data.Generated";

    private static readonly HashSet<string> s_operators = new() { "Map", "FlatMap", "Filter", "MapBatches", "Sort", "GroupBy", "Aggregate" };

    /// <summary>
    /// Whether this is RayGen.Data itself, whose code hands delegates around inside the driver: only its users'
    /// functions go to workers. (By assembly, not namespace: an application may well live in RayGen.Data.Something.)
    /// </summary>
    public static bool IsDataPackage(Compilation compilation) => compilation.AssemblyName == "RayGen.Data";

    /// <summary>Whether a dataset method of this name takes functions the generator serves.</summary>
    public static bool IsOperator(string name) => s_operators.Contains(name);

    /// <summary>Whether the project lets interceptors live in <see cref="InterceptorsNamespace"/>; without it the generator writes nothing.</summary>
    public static bool InterceptorsEnabled(ParseOptions options) =>
        options.Features.TryGetValue("InterceptorsNamespaces", out var namespaces) && Enabled(namespaces)
        || options.Features.TryGetValue("InterceptorsPreviewNamespaces", out namespaces) && Enabled(namespaces);

    private static bool Enabled(string namespaces) =>
        namespaces.Split(';').Select(n => n.Trim()).Any(n => n == InterceptorsNamespace);

    /// <summary>The parameter types of a RayGen.Data operator call, and its receiver, must be nameable from a generated file.</summary>
    public static string? CallReason(IMethodSymbol method, Compilation compilation)
    {
        if (!Nameable(method.ContainingType, compilation, out var why)) return why;
        foreach (var parameter in method.Parameters)
        {
            if (!Nameable(parameter.Type, compilation, out why)) return why;
        }

        return Nameable(method.ReturnType, compilation, out why) ? null : why;
    }

    /// <summary>The function an argument stands for, as generated code; or why it cannot be written there.</summary>
    public static (string? Code, string? Reason) Copy(IOperation value, SemanticModel model, CancellationToken cancellation)
    {
        switch (value)
        {
            case IDelegateCreationOperation creation:
                return Copy(creation.Target, model, cancellation);
            case IConversionOperation conversion when conversion.IsImplicit:
                return Copy(conversion.Operand, model, cancellation);
            case IAnonymousFunctionOperation lambda when lambda.Syntax is AnonymousFunctionExpressionSyntax syntax:
                return CopyLambda(syntax, model, cancellation);
            case IMethodReferenceOperation reference:
                return CopyMethodGroup(reference, model.Compilation);
            default:
                return (null, "it is not a lambda or a method group written at the call");
        }
    }

    private static (string? Code, string? Reason) CopyMethodGroup(IMethodReferenceOperation reference, Compilation compilation)
    {
        var method = reference.Method;
        if (method.MethodKind == MethodKind.LocalFunction) return (null, $"it is the local function '{method.Name}', which only its method can name");
        if (!method.IsStatic || reference.Instance is not null) return (null, $"'{method.Name}' is not a static method");
        if (!compilation.IsSymbolAccessibleWithin(method, compilation.Assembly)) return (null, Inaccessible(method));
        if (!Nameable(method.ContainingType, compilation, out var why)) return (null, why);
        var name = Global(method.ContainingType) + "." + method.Name;
        if (method.IsGenericMethod)
        {
            foreach (var argument in method.TypeArguments)
            {
                if (!Nameable(argument, compilation, out why)) return (null, why);
            }

            name += "<" + string.Join(", ", method.TypeArguments.Select(Global)) + ">";
        }

        return (name, null);
    }

    private static (string? Code, string? Reason) CopyLambda(AnonymousFunctionExpressionSyntax lambda, SemanticModel model, CancellationToken cancellation)
    {
        if (lambda.ContainsDirectives) return (null, "it holds preprocessor directives");
        var rewriter = new Globalizer(model, lambda, cancellation);
        var rewritten = rewriter.Visit(lambda)!;
        if (rewriter.Reason is not null) return (null, rewriter.Reason);
        return (rewritten.WithoutTrivia().ToFullString(), null);
    }

    /// <summary>Whether generated code in another namespace of the same assembly can write <paramref name="type"/>.</summary>
    public static bool Nameable(ITypeSymbol type, Compilation compilation, out string? reason)
    {
        reason = null;
        switch (type)
        {
            case ITypeParameterSymbol parameter:
                reason = $"it uses the type parameter '{parameter.Name}' of the code around it";
                return false;
            case IArrayTypeSymbol array:
                return Nameable(array.ElementType, compilation, out reason);
            case IPointerTypeSymbol or IFunctionPointerTypeSymbol or IDynamicTypeSymbol:
                reason = $"it uses the type '{type.ToDisplayString()}'";
                return false;
            case INamedTypeSymbol named:
                if (named.IsAnonymousType || named.TypeKind == TypeKind.Error)
                {
                    reason = $"it uses the type '{type.ToDisplayString()}', which has no name to write";
                    return false;
                }

                if (!compilation.IsSymbolAccessibleWithin(named.OriginalDefinition, compilation.Assembly))
                {
                    reason = Inaccessible(named);
                    return false;
                }

                foreach (var argument in named.TypeArguments)
                {
                    if (!Nameable(argument, compilation, out reason)) return false;
                }

                return named.ContainingType is null || Nameable(named.ContainingType, compilation, out reason);
            default:
                return true;
        }
    }

    private static string Inaccessible(ISymbol symbol) =>
        $"it uses '{symbol.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}', which is {Accessibility(symbol)} (make it internal to let the generated registry name it)";

    private static string Accessibility(ISymbol symbol)
    {
        for (var s = symbol; s is not null and not INamespaceSymbol; s = s.ContainingSymbol)
        {
            if (s.DeclaredAccessibility is Microsoft.CodeAnalysis.Accessibility.Private or Microsoft.CodeAnalysis.Accessibility.Protected or Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal)
                return s.Equals(symbol, SymbolEqualityComparer.Default) ? s.DeclaredAccessibility.ToString().ToLowerInvariant() : $"inside the {s.DeclaredAccessibility.ToString().ToLowerInvariant()} '{s.Name}'";
        }

        return "not visible here";
    }

    private static string Global(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    /// <summary>Rewrites a lambda so its text means the same in any namespace of the assembly, or says why it cannot.</summary>
    private sealed class Globalizer : CSharpSyntaxRewriter
    {
        private readonly SemanticModel _model;
        private readonly AnonymousFunctionExpressionSyntax _lambda;
        private readonly CancellationToken _cancellation;

        public Globalizer(SemanticModel model, AnonymousFunctionExpressionSyntax lambda, CancellationToken cancellation)
        {
            _model = model;
            _lambda = lambda;
            _cancellation = cancellation;
        }

        /// <summary>The first reason the lambda cannot be copied; null when it can.</summary>
        public string? Reason { get; private set; }

        private Compilation Compilation => _model.Compilation;

        public override SyntaxNode? Visit(SyntaxNode? node)
        {
            _cancellation.ThrowIfCancellationRequested();
            return Reason is null ? base.Visit(node) : node;
        }

        public override SyntaxNode? VisitThisExpression(ThisExpressionSyntax node) => Fail(node, "it uses 'this'");

        public override SyntaxNode? VisitBaseExpression(BaseExpressionSyntax node) => Fail(node, "it uses 'base'");

        public override SyntaxNode? VisitQueryExpression(QueryExpressionSyntax node) => Fail(node, "it uses query syntax, whose meaning depends on the file's usings");

        public override SyntaxNode? VisitIdentifierName(IdentifierNameSyntax node)
        {
            if (IsMemberName(node) || node.IsVar || node.Identifier.ValueText == "nameof" && node.Parent is InvocationExpressionSyntax) return node;
            return Rewrite(node, node.Identifier.ValueText);
        }

        public override SyntaxNode? VisitGenericName(GenericNameSyntax node)
        {
            if (IsMemberName(node)) return base.VisitGenericName(node);
            return Rewrite(node, node.Identifier.ValueText);
        }

        public override SyntaxNode? VisitInvocationExpression(InvocationExpressionSyntax node)
        {
            var method = _model.GetSymbolInfo(node, _cancellation).Symbol as IMethodSymbol;
            if (method?.ReducedFrom is not { } extension) return base.VisitInvocationExpression(node);
            if (node.Expression is not MemberAccessExpressionSyntax access) return Fail(node, $"it calls the extension method '{method.Name}' in a form the registry cannot write");
            if (extension.Parameters.Length == 0 || extension.Parameters[0].RefKind != RefKind.None) return Fail(node, $"it calls the extension method '{method.Name}' on a ref receiver");
            if (!Compilation.IsSymbolAccessibleWithin(extension, Compilation.Assembly)) return Fail(node, Inaccessible(extension));

            // Extension methods are found through the file's usings, which the generated file does not have: call them
            // in their static form, through their global class name.
            var receiver = (ExpressionSyntax)Visit(access.Expression)!;
            var name = (SimpleNameSyntax)base.Visit(access.Name)!;
            var arguments = (ArgumentListSyntax)Visit(node.ArgumentList)!;
            if (Reason is not null) return node;
            var target = SyntaxFactory.ParseExpression(Global(extension.ContainingType) + "." + name.WithoutTrivia().ToFullString());
            return SyntaxFactory.InvocationExpression(target, arguments.WithArguments(arguments.Arguments.Insert(0, SyntaxFactory.Argument(receiver.WithoutTrivia()))));
        }

        public override SyntaxNode? VisitConditionalAccessExpression(ConditionalAccessExpressionSyntax node)
        {
            foreach (var call in node.WhenNotNull.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>())
            {
                if (call.Expression is MemberBindingExpressionSyntax && (_model.GetSymbolInfo(call, _cancellation).Symbol as IMethodSymbol)?.ReducedFrom is not null)
                    return Fail(node, "it calls an extension method after '?.'");
            }

            return base.VisitConditionalAccessExpression(node);
        }

        /// <summary>A name the member access, qualified name or initializer around it resolves: leave it as written.</summary>
        private static bool IsMemberName(SimpleNameSyntax node) => node.Parent switch
        {
            MemberAccessExpressionSyntax access => access.Name == node,
            QualifiedNameSyntax qualified => qualified.Right == node,
            AliasQualifiedNameSyntax alias => alias.Name == node,
            MemberBindingExpressionSyntax => true,
            NameColonSyntax or NameEqualsSyntax => true,
            _ => false,
        };

        private SyntaxNode? Rewrite(SimpleNameSyntax node, string name)
        {
            var symbol = _model.GetSymbolInfo(node, _cancellation).Symbol;
            switch (symbol)
            {
                case null or ILabelSymbol or IDiscardSymbol:
                    return VisitChildren(node);
                case IParameterSymbol or ILocalSymbol or IRangeVariableSymbol or IMethodSymbol { MethodKind: MethodKind.LocalFunction } when Inside(symbol):
                    return VisitChildren(node);
                case ILocalSymbol { IsConst: true, HasConstantValue: true } constant:
                    return Literal(node, constant.Type, constant.ConstantValue);
                case IParameterSymbol or ILocalSymbol or IRangeVariableSymbol:
                    return Fail(node, $"it captures '{name}'");
                case ITypeParameterSymbol:
                    return Fail(node, $"it uses the type parameter '{name}' of the code around it");
                case ITypeSymbol type:
                    return Nameable(type, Compilation, out var why)
                        ? SyntaxFactory.ParseTypeName(Global(type)).WithTriviaFrom(node)
                        : Fail(node, why!);
                case INamespaceSymbol ns:
                    return SyntaxFactory.ParseName("global::" + ns.ToDisplayString()).WithTriviaFrom(node);
                case IMethodSymbol { MethodKind: MethodKind.LocalFunction }:
                    return Fail(node, $"it calls the local function '{name}', which only its method can name");
                case IMethodSymbol or IFieldSymbol or IPropertySymbol or IEventSymbol when symbol.IsStatic:
                    if (!Compilation.IsSymbolAccessibleWithin(symbol, Compilation.Assembly)) return Fail(node, Inaccessible(symbol));
                    var member = (SimpleNameSyntax)VisitChildren(node);
                    return SyntaxFactory.ParseExpression(Global(symbol.ContainingType) + "." + member.WithoutTrivia().ToFullString()).WithTriviaFrom(node);
                case IFieldSymbol or IPropertySymbol or IEventSymbol or IMethodSymbol:
                    // A static lambda names an instance member without 'this' only as an object initializer's target.
                    return IsInitializerTarget(node) ? node : Fail(node, $"it uses the instance member '{name}'");
                default:
                    return Fail(node, $"it uses '{name}', which the registry cannot write");
            }
        }

        private static bool IsInitializerTarget(SyntaxNode node) => node.Parent switch
        {
            AssignmentExpressionSyntax assignment => assignment.Left == node && assignment.Parent is InitializerExpressionSyntax,
            ExpressionColonSyntax => true,
            MemberAccessExpressionSyntax access => access.Expression == node && IsInitializerTarget(access),
            _ => false,
        };

        /// <summary>The name with its type arguments rewritten (a plain identifier has none).</summary>
        private SyntaxNode VisitChildren(SimpleNameSyntax node) => node is GenericNameSyntax generic ? base.VisitGenericName(generic) ?? node : node;

        private bool Inside(ISymbol symbol) =>
            symbol.DeclaringSyntaxReferences.All(r => r.SyntaxTree == _lambda.SyntaxTree && _lambda.Span.Contains(r.Span));

        private SyntaxNode Literal(SyntaxNode node, ITypeSymbol type, object? value)
        {
            var invariant = System.Globalization.CultureInfo.InvariantCulture;
            var text = value switch
            {
                null => "null",
                string s => SymbolDisplay.FormatLiteral(s, quote: true),
                char c => SymbolDisplay.FormatLiteral(c, quote: true),
                bool b => b ? "true" : "false",
                float f when float.IsNaN(f) || float.IsInfinity(f) => null,
                double d when double.IsNaN(d) || double.IsInfinity(d) => null,
                float f => f.ToString("R", invariant) + "f",
                double d => d.ToString("R", invariant) + "d",
                decimal m => m.ToString(invariant) + "m",
                System.IFormattable number => number.ToString(null, invariant),
                _ => null,
            };
            return text is null
                ? Fail(node, "it uses a constant the registry cannot write")
                : SyntaxFactory.ParseExpression($"(({Global(type)})({text}))").WithTriviaFrom(node);
        }

        private SyntaxNode Fail(SyntaxNode node, string reason)
        {
            Reason ??= reason;
            return node;
        }
    }
}
