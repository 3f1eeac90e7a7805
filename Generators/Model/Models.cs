namespace RayGen.Generators.Model;

// The pipeline carries only these records: strings, enums and equatable arrays. No ISymbol, SyntaxNode or
// Location, so a rerun after an unrelated edit compares equal and every later stage stays cached.

/// <summary>One type around the remote members, outermost first; the last one is the type itself.</summary>
internal sealed record ContainingType(string Keyword, string Name);

/// <summary>Where the generated code goes and how it names the type.</summary>
internal sealed record TypeIdentity(
    string? Namespace,
    EquatableArray<ContainingType> Types,
    string FullyQualifiedName,
    string MetadataName,
    bool IsEffectivelyPublic)
{
    public string Name => Types[Types.Count - 1].Name;

    /// <summary>Outer.Inner, for display names and for names of top-level helpers.</summary>
    public string DottedName => string.Join(".", System.Linq.Enumerable.Select(Types, t => t.Name));
}

internal enum ParameterKind
{
    /// <summary>Stub takes Arg&lt;T&gt;: a value or a ref resolved before the call.</summary>
    Value,

    /// <summary>Declared as ObjectRef&lt;T&gt; or ObjectRef: the ref itself is passed, unresolved.</summary>
    Reference,

    /// <summary>Supplied by the runtime; not part of the stub.</summary>
    CancellationToken,
}

internal sealed record ParameterModel(string Name, string Type, ParameterKind Kind);

internal enum ReturnKind
{
    Void,
    Value,
    Task,
    TaskOfT,
    ValueTask,
    ValueTaskOfT,

    /// <summary>IEnumerable&lt;T&gt;: the stub returns ObjectRefStream&lt;T&gt;, the invoker streams each item.</summary>
    Stream,

    /// <summary>IAsyncEnumerable&lt;T&gt;: as <see cref="Stream"/>, awaited item by item.</summary>
    AsyncStream,
}

/// <summary>A named argument of [Remote], as the C# literal to assign in the generated RemoteOptions.</summary>
internal sealed record OptionModel(string Name, string Literal);

/// <summary>A remote static method, an actor method, or an actor constructor (<see cref="Name"/> is "New").</summary>
internal sealed record MethodModel(
    string Name,
    string FieldName,
    string FunctionId,
    bool IsPublic,
    EquatableArray<ParameterModel> Parameters,
    ReturnKind ReturnKind,
    string? ResultType,
    EquatableArray<OptionModel> Options);

/// <summary>A [Remote] static method with the type that holds it.</summary>
internal sealed record RemoteMethodEntry(TypeIdentity Type, MethodModel Method, EquatableArray<string> FormatterTypes);

/// <summary>A [Remote] class: constructors, methods and the attribute's options.</summary>
internal sealed record ActorEntry(
    TypeIdentity Type,
    EquatableArray<MethodModel> Constructors,
    EquatableArray<MethodModel> Methods,
    EquatableArray<string> FormatterTypes);

/// <summary>Everything generated into one type's file.</summary>
internal sealed record RemoteTypeModel(
    TypeIdentity Type,
    EquatableArray<MethodModel> StaticMethods,
    ActorEntry? Actor,
    EquatableArray<string> FormatterTypes);
