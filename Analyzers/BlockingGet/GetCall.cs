using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace RayGen.Analyzers.BlockingGet;

/// <summary>A blocking read of a ref: <c>Ray.Get(...)</c> or <c>reference.Get(...)</c>, in any overload.</summary>
internal sealed class GetCall
{
    private GetCall(IInvocationOperation invocation, bool isRayGet, IOperation? reference, bool hasTimeout)
    {
        Invocation = invocation;
        IsRayGet = isRayGet;
        Reference = reference;
        HasTimeout = hasTimeout;
    }

    public IInvocationOperation Invocation { get; }

    /// <summary>True for <c>Ray.Get(r)</c>, false for <c>r.Get()</c>.</summary>
    public bool IsRayGet { get; }

    /// <summary>The one ref being read; null for <c>Ray.Get(refs)</c>, which reads many.</summary>
    public IOperation? Reference { get; }

    /// <summary>A timeout has no <c>await</c> spelling with the same exception, so no fix is offered for it.</summary>
    public bool HasTimeout { get; }

    public string DisplayName => IsRayGet ? "Ray.Get" : "ObjectRef.Get";

    public static GetCall? TryCreate(IInvocationOperation invocation, KnownSymbols known)
    {
        var method = invocation.TargetMethod;
        if (method.Name != "Get")
            return null;

        if (KnownSymbols.Is(method.ContainingType, known.Ray))
        {
            var first = method.Parameters.Length > 0 ? method.Parameters[0] : null;
            if (first is null)
                return null;
            var reference = known.IsObjectRef(first.Type) ? ArgumentFor(invocation, first) : null;
            return new GetCall(invocation, isRayGet: true, reference, hasTimeout: method.Parameters.Length > 1);
        }

        if (known.IsObjectRef(method.ContainingType) && invocation.Instance is not null)
            return new GetCall(invocation, isRayGet: false, invocation.Instance, hasTimeout: method.Parameters.Length > 0);

        return null;
    }

    private static IOperation? ArgumentFor(IInvocationOperation invocation, IParameterSymbol parameter)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (SymbolEqualityComparer.Default.Equals(argument.Parameter, parameter))
                return argument.Value;
        }
        return null;
    }
}
