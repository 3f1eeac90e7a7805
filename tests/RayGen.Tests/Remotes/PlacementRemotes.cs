using System;
using System.Threading.Tasks;

namespace RayGen.Tests.Remotes;

/// <summary>Tasks that use placement groups from inside a worker.</summary>
public static partial class PlacementTasks
{
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(20);

    /// <summary>Runs Add in bundle <paramref name="bundle"/> of a group it was given.</summary>
    [Remote]
    public static async Task<int> AddInGroupAsync(PlacementGroup group, int bundle, int x, int y)
    {
        await group.Ready();
        return await TestTasks.Remote.With(new RemoteOptions { SchedulingStrategy = SchedulingStrategy.PlacementGroup(group, bundle) }).Add(x, y);
    }

    /// <summary>Makes a one-CPU group, runs Add in it, removes it.</summary>
    [Remote]
    public static int MakeUseAndRemoveGroup(int x, int y)
    {
        var group = Ray.PlacementGroup(new[] { new Bundle { NumCpus = 1 } }, PlacementStrategy.StrictPack);
        if (!group.Wait(NoHang)) throw new TimeoutException("the group was never reserved");
        var sum = TestTasks.Remote.With(new RemoteOptions { SchedulingStrategy = SchedulingStrategy.PlacementGroup(group, 0) }).Add(x, y).Get();
        Ray.RemovePlacementGroup(group);
        return sum;
    }
}
