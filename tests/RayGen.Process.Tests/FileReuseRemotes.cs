using System.Runtime.CompilerServices;
using RayGen.Core;

namespace RayGen.Process.Tests;

/// <summary>Workers writing large values, for the worker-file reuse tests.</summary>
public static partial class ReuseTasks
{
    /// <summary>Large enough that a worker asks the driver for its freed files before writing (SharedStore.CollectForReuseAbove).</summary>
    public const int Longs = 1024 * 1024;

    /// <summary>Puts a large value and drops it: once the driver frees it, its file goes back to this worker.</summary>
    [Remote]
    public static void PutsAndDropsOne(long fill) => PutAndDrop(fill);

    /// <summary>Puts a large value; returns it and how many handed-over files this put wrote into again.</summary>
    [Remote]
    public static ObjectRef<long[]>[] PutsIntoAFileGivenBack(long fill)
    {
        var store = RuntimeCore.Current!.Store!;
        var before = store.HandedOverReuses;
        var kept = Ray.Put(Filled(fill));
        return new[] { kept, Ray.Put(new[] { store.HandedOverReuses - before }) };
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

    /// <summary>Puts a large value of <paramref name="longs"/> longs; returns its ref (the driver now holds it) and how many handed-over files it was written into.</summary>
    [Remote]
    public static ObjectRef<long[]>[] PutsOfLength(int longs, long fill)
    {
        var store = RuntimeCore.Current!.Store!;
        var before = store.HandedOverReuses;
        var values = new long[longs];
        System.Array.Fill(values, fill);
        var kept = Ray.Put(values);
        return new[] { kept, Ray.Put(new[] { store.HandedOverReuses - before }) };
    }

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
