using System.Threading;

namespace RayGen.Core;

/// <summary>The task the current code runs in, if any: a blocking Get lends that task's resources.</summary>
internal static class TaskContext
{
    private static readonly AsyncLocal<TaskSpec?> s_current = new();

    public static TaskSpec? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }
}
