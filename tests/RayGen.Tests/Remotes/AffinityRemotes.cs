namespace RayGen.Tests.Remotes;

/// <summary>Tasks that submit with node affinity from inside a worker.</summary>
public static partial class AffinityTasks
{
    /// <summary>
    /// Runs Add with NodeAffinity(<paramref name="nodeId"/>, <paramref name="soft"/>) and reports what happened, so the
    /// caller sees the nested error's own type and message rather than the outer task's wrapping of it.
    /// </summary>
    [Remote]
    public static string AddOnNode(string nodeId, bool soft, int x, int y)
    {
        var options = new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(nodeId, soft) };
        try
        {
            return TestTasks.Remote.With(options).Add(x, y).Get().ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (RayException e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}
