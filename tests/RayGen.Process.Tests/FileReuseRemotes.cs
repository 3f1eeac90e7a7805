using System.Runtime.CompilerServices;
using RayGen.Core;

namespace RayGen.Process.Tests;

/// <summary>Workers writing large values, for the worker-file reuse tests.</summary>
public static partial class ReuseTasks
{
    /// <summary>Large enough that a worker asks the driver for its freed files before writing (SharedStore.CollectForReuseAbove).</summary>
    public const int Longs = 1024 * 1024;

    /// <summary>
    /// Puts a value and drops it, then puts another of the same size: the second is written into the first one's file,
    /// which the driver freed and gave back. Returns the second value's ref and, as a second ref, how many values this
    /// worker wrote into a file given back meanwhile.
    /// </summary>
    [Remote]
    public static ObjectRef<long[]>[] WritesTwiceIntoOneFile(long first, long second)
    {
        var store = RuntimeCore.Current!.Store!;
        var before = store.HandedOverReuses;
        PutAndDrop(first);
        var kept = Ray.Put(Filled(second));
        var reuses = store.HandedOverReuses - before;
        return new[] { kept, Ray.Put(new[] { reuses }) };
    }

    /// <summary>Puts a value, drops it, repeats: each put after the first may reuse a file given back. Returns the reuses.</summary>
    [Remote]
    public static long PutsAndDrops(int count, long fill)
    {
        var store = RuntimeCore.Current!.Store!;
        var before = store.HandedOverReuses;
        for (var i = 0; i < count; i++) PutAndDrop(fill + i);
        return store.HandedOverReuses - before;
    }

    [Remote]
    public static long[] Returns(long fill) => Filled(fill);

    /// <summary>Sweeps this worker's store, then counts the maps of handed-over files it still keeps.</summary>
    [Remote]
    public static int HandedOverMapsAfterSweep()
    {
        var store = RuntimeCore.Current!.Store!;
        store.Sweep();
        return store.HandedOverCount;
    }

    // Apart, so no local of the caller keeps the ref alive (a debug build keeps locals to the end of the method).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void PutAndDrop(long fill) => Ray.Put(Filled(fill));

    public static long[] Filled(long fill)
    {
        var values = new long[Longs];
        System.Array.Fill(values, fill);
        return values;
    }
}
