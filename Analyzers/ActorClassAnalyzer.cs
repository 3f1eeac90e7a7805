using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace RayGen.Analyzers;

/// <summary>
/// A [Remote] class is an actor: the runtime must be able to construct it (RAY006-RAY008), and every
/// public constructor and public instance method becomes a remote call, so each needs a remotable signature.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ActorClassAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.AbstractActor,
        DiagnosticDescriptors.ActorWithoutPublicConstructor,
        DiagnosticDescriptors.StaticActor,
        DiagnosticDescriptors.NotSerializable,
        DiagnosticDescriptors.ByReference,
        DiagnosticDescriptors.GenericRemoteMethod,
        DiagnosticDescriptors.ParamsCollection);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var known = KnownSymbols.TryCreate(start.Compilation);
            if (known is null)
                return;
            var signatures = new SignatureChecker(known);
            start.RegisterSymbolAction(symbol => Analyze(symbol, known, signatures), SymbolKind.NamedType);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, KnownSymbols known, SignatureChecker signatures)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (type.TypeKind != TypeKind.Class || !known.HasRemoteAttribute(type))
            return;

        var location = type.Locations[0];
        if (type.IsStatic)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.StaticActor, location, type.Name));
            return;
        }

        if (type.IsAbstract)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.AbstractActor, location, type.Name));
            return;
        }

        var publicConstructors = type.InstanceConstructors.Where(IsPublic).ToArray();
        if (publicConstructors.Length == 0)
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ActorWithoutPublicConstructor, location, type.Name));

        foreach (var constructor in publicConstructors)
            signatures.Check(constructor, context.ReportDiagnostic);

        foreach (var member in type.GetMembers())
        {
            if (member is IMethodSymbol { MethodKind: MethodKind.Ordinary, IsStatic: false, IsImplicitlyDeclared: false } method
                && IsPublic(method)
                && !OverridesObjectMember(method))
                signatures.Check(method, context.ReportDiagnostic);
        }
    }

    // ActorHandle<T> has its own Equals/GetHashCode/ToString, so these never become remote calls.
    private static bool OverridesObjectMember(IMethodSymbol method)
    {
        var root = method;
        while (root.OverriddenMethod is { } overridden)
            root = overridden;
        return method.IsOverride && root.ContainingType.SpecialType == SpecialType.System_Object;
    }

    private static bool IsPublic(ISymbol symbol) => symbol.DeclaredAccessibility == Accessibility.Public;
}
