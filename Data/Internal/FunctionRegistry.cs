using System;
using System.Collections.Concurrent;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace RayGen.Data.Internal;

/// <summary>
/// Transform functions by call-site id, filled by the code RayGen's generator writes into an application: its module
/// initializer registers a copy of every static lambda and method group given to a <see cref="Dataset{T}"/>
/// operator, and an interceptor at each call tells the driver which id the delegate it passes has. A worker then
/// finds the function by id, as it finds a remote function, instead of binding the method by reflection.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class FunctionRegistry
{
    private static readonly ConcurrentDictionary<string, Delegate> s_functions = new(StringComparer.Ordinal);

    // Keyed by the delegate the call site made: static lambdas and method groups are cached singletons, so one
    // instance stands for one call site (two sites sharing a cached method group register the same method).
    private static readonly ConditionalWeakTable<Delegate, Shipped> s_shipped = new();

    /// <summary>Adds the generated copy of a call site's function; called by generated module initializers.</summary>
    /// <param name="id">The call site's id: file, line, column and argument.</param>
    /// <param name="function">A delegate made by the generated code, of the exact type the operator's parameter has.</param>
    public static void Register(string id, Delegate function)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(function);
        s_functions[id] = function;
    }

    /// <summary>Marks <paramref name="function"/> as the call site <paramref name="id"/>'s; called by generated interceptors.</summary>
    /// <typeparam name="TDelegate">The operator parameter's delegate type.</typeparam>
    /// <param name="function">The delegate the call site passes.</param>
    /// <param name="id">The call site's id, as registered.</param>
    /// <param name="registry">A type of the assembly whose module initializer registers <paramref name="id"/>: a worker loads it.</param>
    /// <returns><paramref name="function"/>, unchanged.</returns>
    public static TDelegate Ship<TDelegate>(TDelegate function, string id, Type registry) where TDelegate : Delegate
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(registry);
        if (function is not null) s_shipped.AddOrUpdate(function, new Shipped(id, registry.Assembly.FullName ?? "", registry.Module.ModuleVersionId));
        return function!;
    }

    /// <summary>The id an interceptor gave <paramref name="function"/>, if one did.</summary>
    internal static bool TryIdOf(Delegate function, out string id, out string assembly, out Guid moduleVersionId)
    {
        if (s_shipped.TryGetValue(function, out var shipped))
        {
            (id, assembly, moduleVersionId) = (shipped.Id, shipped.Assembly, shipped.ModuleVersionId);
            return true;
        }

        (id, assembly, moduleVersionId) = ("", "", Guid.Empty);
        return false;
    }

    /// <summary>The registered function <paramref name="id"/> in this process.</summary>
    internal static bool TryGet(string id, out Delegate function) => s_functions.TryGetValue(id, out function!);

    private sealed record Shipped(string Id, string Assembly, Guid ModuleVersionId);
}
