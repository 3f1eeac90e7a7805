using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;

namespace RayGen.Data.Shipping;

/// <summary>
/// The one seam by which a transform function reaches a worker. Workers load the same build as the driver, so a
/// delegate travels as its method's identity (module build id, metadata token, declaring type) and is bound again
/// once per process; rows are then plain delegate calls. A function that RayGen's generator copied into the
/// application's registry (and whose call site it intercepted) carries its registry id: a worker takes the generated
/// delegate, with no reflection, and binds by method identity only for functions the generator could not copy.
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

        var registered = Internal.FunctionRegistry.TryIdOf(function, out var registryId, out var registryAssembly, out var registryBuild);
        return new FunctionSpec
        {
            RegistryId = registered ? registryId : "",
            RegistryAssembly = registered ? registryAssembly : "",
            RegistryModuleVersionId = registryBuild,
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
    public static TDelegate Resolve<TDelegate>(FunctionSpec spec) where TDelegate : Delegate
    {
        if (spec.RegistryId.Length > 0 && FromRegistry(spec) is { } registered)
        {
            return registered as TDelegate ?? throw new InvalidOperationException(
                $"The function {spec.Display} is registered as {registered.GetType().Name}, but its operator runs a {typeof(TDelegate).Name}: the generated registry and the plan disagree.");
        }

        Interlocked.Increment(ref s_boundByReflection);
        return (TDelegate)s_resolved.GetOrAdd(spec.CacheKey + "|" + typeof(TDelegate).FullName, static (_, s) => Bind(s.spec, s.delegateType), (spec, delegateType: typeof(TDelegate)));
    }

    /// <summary>How many resolutions in this process fell back to reflection (the generator did not copy the function).</summary>
    internal static int BoundByReflection => Volatile.Read(ref s_boundByReflection);

    private static int s_boundByReflection;

    /// <summary>The generated delegate of <paramref name="spec"/>, loading the assembly that registers it if this process has not yet.</summary>
    private static Delegate? FromRegistry(FunctionSpec spec)
    {
        if (spec.RegistryAssembly.Length == 0) return null;
        System.Reflection.Assembly assembly;
        try
        {
            assembly = System.Reflection.Assembly.Load(new AssemblyName(spec.RegistryAssembly));
        }
        catch (Exception e) when (e is System.IO.IOException or BadImageFormatException)
        {
            return null;
        }

        if (assembly.ManifestModule.ModuleVersionId != spec.RegistryModuleVersionId)
            throw DifferentBuild(spec, assembly, spec.RegistryModuleVersionId);
        if (Internal.FunctionRegistry.TryGet(spec.RegistryId, out var function)) return function;
        RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
        return Internal.FunctionRegistry.TryGet(spec.RegistryId, out function) ? function : null;
    }

    private static Delegate Bind(FunctionSpec spec, Type delegateType)
    {
        var type = Execution.TypeNames.Find(spec.DeclaringType)
            ?? throw new InvalidOperationException($"The function {spec.Display} cannot be found in this process: its type {spec.DeclaringType} did not load.");
        if (type.Module.ModuleVersionId != spec.ModuleVersionId) throw DifferentBuild(spec, type.Assembly, spec.ModuleVersionId);

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

    private static InvalidOperationException DifferentBuild(FunctionSpec spec, System.Reflection.Assembly loaded, Guid expected) => new(
        $"The function {spec.Display} comes from a different build of {loaded.GetName().Name} than this process loaded (module {expected} against {loaded.ManifestModule.ModuleVersionId}); the driver and its workers must run the same build.");

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
