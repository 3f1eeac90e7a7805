using System.Threading.Tasks;
using MemoryPack;

namespace RayGen.Tests.Remotes;

/// <summary>What <c>Ray.RuntimeContext</c> said where it was read, brought back to the test.</summary>
[MemoryPackable]
public partial record ContextSeen(string NodeId, string JobId, string? ActorId)
{
    public static ContextSeen Here()
    {
        var context = Ray.RuntimeContext;
        return new ContextSeen(context.NodeId, context.JobId, context.ActorId);
    }
}

public static partial class ContextTasks
{
    [Remote]
    public static ContextSeen Where() => ContextSeen.Here();

    [Remote]
    public static async Task<ContextSeen> WhereAfterAwaitAsync()
    {
        await Task.Yield();
        return ContextSeen.Here();
    }

    /// <summary>The context a task submitted from this task sees.</summary>
    [Remote]
    public static ContextSeen WhereNested() => ContextTasks.Remote.Where().Get();
}

[Remote]
public partial class ContextActor
{
    private readonly ContextSeen _inConstructor;

    public ContextActor() => _inConstructor = ContextSeen.Here();

    public ContextSeen SeenInConstructor() => _inConstructor;

    public ContextSeen Seen() => ContextSeen.Here();

    public async Task<ContextSeen> SeenAfterAwaitAsync()
    {
        await Task.Yield();
        return ContextSeen.Here();
    }

    /// <summary>The context a task this actor submits sees.</summary>
    public ContextSeen SeenByItsTask() => ContextTasks.Remote.Where().Get();
}
