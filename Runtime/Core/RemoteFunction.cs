using System.ComponentModel;
using System.Threading.Tasks;

namespace RayGen.Internal;

/// <summary>Runs one remote function or actor method with the arguments in <paramref name="context"/>.</summary>
/// <remarks>Written by the generator; the runtime calls it with no reflection.</remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate ValueTask RemoteInvoker(InvocationContext context);

/// <summary>Describes one remote function for the runtime. Generated code creates one per <c>[Remote]</c> method.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class RemoteFunction
{
    /// <summary>Creates the descriptor.</summary>
    /// <param name="id">Stable id that workers look the function up by.</param>
    /// <param name="displayName">Name used in errors, e.g. <c>MathTasks.Add</c>.</param>
    /// <param name="defaults">Options from the attribute.</param>
    /// <param name="invoker">Runs the function.</param>
    public RemoteFunction(string id, string displayName, RemoteOptions defaults, RemoteInvoker invoker)
    {
        Id = id;
        DisplayName = displayName;
        Defaults = defaults;
        Invoker = invoker;
    }

    /// <summary>Stable id that workers look the function up by.</summary>
    public string Id { get; }

    /// <summary>Name used in errors.</summary>
    public string DisplayName { get; }

    /// <summary>Options from the attribute.</summary>
    public RemoteOptions Defaults { get; }

    /// <summary>Runs the function.</summary>
    public RemoteInvoker Invoker { get; }

    /// <summary>Whether the function returns a stream: its owner opens the stream when it is submitted.</summary>
    public bool IsStream { get; init; }

    // The phrases errors name this function by, made once: building them per call cost a string per submit.
    private string? _callAction;
    private string? _argumentUsage;
    private string? _returnUsage;
    private string? _submitSpanName;
    private string? _executeSpanName;

    internal string CallAction => _callAction ??= $"call {DisplayName}";

    internal string ArgumentUsage => _argumentUsage ??= $"an argument of {DisplayName}";

    internal string ReturnUsage => _returnUsage ??= $"the return value of {DisplayName}";

    internal string SubmitSpanName => _submitSpanName ??= $"submit {DisplayName}";

    internal string ExecuteSpanName => _executeSpanName ??= $"execute {DisplayName}";

    /// <inheritdoc />
    public override string ToString() => DisplayName;
}
