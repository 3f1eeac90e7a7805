using Microsoft.CodeAnalysis;

namespace RayGen.Analyzers;

/// <summary>Every diagnostic RayGen reports, in one place, so ids and texts are reviewed together.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "RayGen";

    // One constant so the links can move to the published docs site without touching each descriptor.
    private const string HelpBase = "docs/diagnostics.md#";

    public static readonly DiagnosticDescriptor NotPartial = Error(
        "RAY001",
        "A type that holds [Remote] members must be partial",
        "'{0}' must be declared partial because {1}; the generator adds the Remote stubs to it");

    public static readonly DiagnosticDescriptor InstanceMethodOutsideActor = Error(
        "RAY002",
        "[Remote] on an instance method needs a [Remote] class",
        "[Remote] method '{0}' is an instance method of '{1}', which is not a [Remote] actor class; make the method static or mark '{1}' with [Remote]");

    public static readonly DiagnosticDescriptor NotSerializable = Error(
        "RAY003",
        "A remote parameter or return type must be serializable by MemoryPack",
        "{0} of {1} has type '{2}', which MemoryPack cannot serialize: {3}");

    public static readonly DiagnosticDescriptor ByReference = Error(
        "RAY004",
        "A remote parameter or result cannot be a reference or a pointer",
        "{0} of {1} is {2}, which cannot cross to another process; pass values in and return results instead");

    public static readonly DiagnosticDescriptor GenericRemoteMethod = Error(
        "RAY005",
        "Remote methods cannot be generic",
        "{0} is generic, which remote calls do not support; write a non-generic method for each type you need");

    public static readonly DiagnosticDescriptor AbstractActor = Error(
        "RAY006",
        "An actor class cannot be abstract",
        "Actor class '{0}' is abstract, so the runtime cannot create it; make it concrete or mark a concrete derived class [Remote]");

    public static readonly DiagnosticDescriptor ActorWithoutPublicConstructor = Error(
        "RAY007",
        "An actor class needs a public constructor",
        "Actor class '{0}' has no public constructor, so Remote.New has nothing to call; add a public constructor");

    public static readonly DiagnosticDescriptor StaticActor = Error(
        "RAY008",
        "A static class cannot be an actor",
        "Static class '{0}' cannot be a [Remote] actor; remove [Remote] from the class and put it on its methods to make them tasks");

    public static readonly DiagnosticDescriptor BlockingGetInAsync = Warning(
        "RAY009",
        "Do not block on an ObjectRef inside an async method",
        "'{0}' blocks a thread inside an async method until the value is ready; await the ref instead");

    public static readonly DiagnosticDescriptor GetInSubmittingLoop = Warning(
        "RAY010",
        "Do not get a ref inside the loop that submits it",
        "'{0}' waits for a ref submitted in the same loop, so the remote calls run one at a time; collect the refs in the loop and get them after it");

    public static readonly DiagnosticDescriptor GenericContainingType = Error(
        "RAY011",
        "[Remote] code cannot live in a generic type",
        "'{0}' is generic, so the generator cannot write the Remote stubs for it ({1}); move the [Remote] code to a non-generic type");

    public static readonly DiagnosticDescriptor InaccessibleContainingType = Error(
        "RAY012",
        "[Remote] code must be visible to its whole assembly",
        "'{0}' is {1}, so the generated registration cannot reach it ({2}); make it internal or public");

    public static readonly DiagnosticDescriptor ExtensionRemoteMethod = Error(
        "RAY013",
        "A [Remote] method cannot be an extension method",
        "[Remote] method '{0}' is an extension method, but its stub is called as '{1}.Remote.{0}(...)'; remove 'this' from its first parameter");

    public static readonly DiagnosticDescriptor ParamsCollection = Error(
        "RAY014",
        "A remote params parameter must be an array",
        "Parameter '{0}' of {1} is a params collection of type '{2}'; remote stubs support params arrays only, so declare it '{3}[]'");

    public static readonly DiagnosticDescriptor ActorNotAClass = Error(
        "RAY015",
        "Only a class can be an actor",
        "'{0}' is {1}, so it cannot be a [Remote] actor: an actor is one object living in a worker, reached through its handle; declare it as a class or record class, or put [Remote] on its static methods to make them tasks");

    public static readonly DiagnosticDescriptor NotAnOrdinaryMethod = Error(
        "RAY016",
        "[Remote] goes on ordinary methods and classes",
        "[Remote] is on {0}, which a worker cannot call by name; put [Remote] on a static method to make a task, or on a class to make an actor");

    public static readonly DiagnosticDescriptor StreamBackpressure = Error(
        "RAY017",
        "StreamBackpressure needs a method that streams and a positive count",
        "{0} {1}");

    public static readonly DiagnosticDescriptor CapturingTransform = Error(
        "RAY018",
        "A data transform cannot capture variables",
        "The {0} passed to {1} captures {2}: transforms run in worker processes, so they cannot capture variables; pass state through a class transform's constructor arguments");

    public static readonly DiagnosticDescriptor NonStaticTransform = Warning(
        "RAY019",
        "A data transform lambda should be static",
        "The {0} passed to {1} captures nothing but is not static; mark it static to say that it runs in a worker process and to keep it from capturing");

    public static readonly DiagnosticDescriptor ReflectedTransform = Create(
        "RAY020",
        "A data transform is bound by reflection in workers",
        "The {0} passed to {1} is not in the generated function registry, so workers bind it by reflection: {2}",
        DiagnosticSeverity.Info);

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        Create(id, title, message, DiagnosticSeverity.Error);

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        Create(id, title, message, DiagnosticSeverity.Warning);

    private static DiagnosticDescriptor Create(string id, string title, string message, DiagnosticSeverity severity) =>
        new(id, title, message, Category, severity, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());
}
