using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace RayGen.Data.Shipping;

/// <summary>
/// The one seam by which a transform function reaches a worker. Workers load the same build as the driver, so a
/// delegate travels as its method's identity (module build id, metadata token, declaring type) and is bound again
/// once per process; rows are then plain delegate calls. A generated registry could replace this class alone.
/// </summary>
internal static class ShippedFunction
{
    private static readonly ConcurrentDictionary<string, Delegate> s_resolved = new(StringComparer.Ordinal);

    /// <summary>Describes <paramref name="function"/> for shipping, or throws if it cannot run in another process.</summary>
    /// <param name="function">A static lambda or a method group of a static method.</param>
    /// <param name="operatorName">The operator it was given to, named in errors (e.g. <c>Map</c>).</param>
    /// <exception cref="ArgumentException">The delegate captures state, or is not a plain method.</exception>
    public static FunctionSpec Describe(Delegate function, string operatorName)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (function.GetInvocationList().Length != 1)
            throw new ArgumentException($"{operatorName}: a multicast delegate cannot be shipped to workers; pass one static lambda or method.", nameof(function));

        var method = function.Method;
        var type = method.DeclaringType;
        if (type is null || method is System.Reflection.Emit.DynamicMethod || method.Module.Assembly.IsDynamic)
            throw new ArgumentException($"{operatorName}: {method.Name} is a dynamic method (a compiled expression?); workers can only run methods of a loaded assembly. Pass a static lambda or a static method.", nameof(function));

        var target = function.Target;
        var singleton = false;
        if (method.IsStatic)
        {
            if (target is not null)
                throw Captures(operatorName, method, $"it is a static method bound to a first argument of type {target.GetType().Name}");
        }
        else
        {
            if (target is null || !IsLambdaSingleton(target))
            {
                var holder = target?.GetType();
                var fields = holder?.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Select(f => f.Name).ToArray() ?? [];
                var what = holder is null
                    ? "it is an instance method without a target"
                    : fields.Length > 0 && IsCompilerGenerated(holder)
                        ? $"it is a lambda that captures {string.Join(", ", fields.Select(Readable))}"
                        : $"it is an instance method of {holder.Name}, whose state a worker does not have";
                throw Captures(operatorName, method, what);
            }

            singleton = true;
        }

        return new FunctionSpec
        {
            DeclaringType = type.AssemblyQualifiedName ?? throw new ArgumentException($"{operatorName}: {type} has no assembly-qualified name.", nameof(function)),
            ModuleVersionId = method.Module.ModuleVersionId,
            MethodToken = method.MetadataToken,
            MethodTypeArguments = method.IsGenericMethod ? method.GetGenericArguments().Select(t => t.AssemblyQualifiedName!).ToArray() : [],
            TargetsLambdaSingleton = singleton,
            Display = $"{type.Name}.{method.Name}",
        };
    }

    /// <summary>The delegate <paramref name="spec"/> describes, bound once per process and then cached.</summary>
    /// <exception cref="InvalidOperationException">This process runs a different build, or the method is gone.</exception>
    public static TDelegate Resolve<TDelegate>(FunctionSpec spec) where TDelegate : Delegate =>
        (TDelegate)s_resolved.GetOrAdd(spec.CacheKey + "|" + typeof(TDelegate).FullName, static (_, s) => Bind(s.spec, s.delegateType), (spec, delegateType: typeof(TDelegate)));

    private static Delegate Bind(FunctionSpec spec, Type delegateType)
    {
        var type = Execution.TypeNames.Find(spec.DeclaringType)
            ?? throw new InvalidOperationException($"The function {spec.Display} cannot be found in this process: its type {spec.DeclaringType} did not load.");
        if (type.Module.ModuleVersionId != spec.ModuleVersionId)
            throw new InvalidOperationException(
                $"The function {spec.Display} comes from a different build of {type.Assembly.GetName().Name} than this process loaded (module {spec.ModuleVersionId} against {type.Module.ModuleVersionId}); the driver and its workers must run the same build.");

        const BindingFlags all = BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var method = type.GetMethods(all).FirstOrDefault(m => m.MetadataToken == spec.MethodToken)
            ?? throw new InvalidOperationException($"The function {spec.Display} (token {spec.MethodToken:x8}) is not in {type.FullName} in this process.");
        if (spec.MethodTypeArguments.Length > 0)
            method = method.MakeGenericMethod(spec.MethodTypeArguments.Select(Execution.TypeNames.Resolve).ToArray());

        if (!spec.TargetsLambdaSingleton) return method.CreateDelegate(delegateType);
        var target = type.GetField("<>9", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)?.GetValue(null)
            ?? throw new InvalidOperationException($"The function {spec.Display} has no static-lambda holder in this process.");
        return method.CreateDelegate(delegateType, target);
    }

    private static bool IsLambdaSingleton(object target)
    {
        var type = target.GetType();
        if (!IsCompilerGenerated(type)) return false;
        var field = type.GetField("<>9", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic);
        return field is not null && ReferenceEquals(field.GetValue(null), target)
            && type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Length == 0;
    }

    private static bool IsCompilerGenerated(Type type) => type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);

    // The compiler names a captured `this` "<>4__this"; a captured local keeps its own name.
    private static string Readable(string field) => field.Contains("__this", StringComparison.Ordinal) ? "'this'" : $"'{field}'";

    private static ArgumentException Captures(string operatorName, MethodInfo method, string what) => new(
        $"{operatorName}: the function {method.DeclaringType?.Name}.{method.Name} cannot run in a worker: {what}. Transform functions run in other processes, " +
        "so they must be static lambdas (`static x => ...`) or static methods; pass state through a class transform's constructor " +
        "arguments (MapBatches<TTransform, TIn, TOut>(concurrency, batchSize, args)) instead of capturing it.", "function");
}
