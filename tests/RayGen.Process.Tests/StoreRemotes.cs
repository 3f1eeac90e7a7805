using System;
using System.Linq;
using RayGen.Protocol;
using RayGen.Store;
using RayGen.Core;
using RayGen.Driver;
using RayGen.InWorker;
using RayGen.WorkerHost;

namespace RayGen.Process.Tests;

public static partial class StoreTasks
{
    [Remote]
    public static System.Collections.Generic.IEnumerable<double[]> StreamDoubles(int items, int count)
    {
        for (var i = 0; i < items; i++) yield return MakeDoubles(count, i);
    }

    [Remote]
    public static double[] MakeDoubles(int count, double value)
    {
        var data = new double[count];
        Array.Fill(data, value);
        return data;
    }

    [Remote]
    public static long Checksum(byte[] data) => StoreChecks.Checksum(data);

    /// <summary>Puts large values in the worker and returns refs to them inside its result.</summary>
    [Remote]
    public static ObjectRef<double[]>[] PutInWorker(int count)
    {
        var refs = new ObjectRef<double[]>[count];
        for (var i = 0; i < count; i++)
        {
            var data = new double[1 << 17];
            Array.Fill(data, i + 1.0);
            refs[i] = Ray.Put(data);
        }

        return refs;
    }

    /// <summary>Puts a large value and a container of a ref to it, both in the worker; returns the container's ref.</summary>
    [Remote]
    public static ObjectRef<ObjectRef<double[]>[]> PutContainerInWorker()
    {
        var data = new double[1 << 17];
        Array.Fill(data, 2.0);
        return Ray.Put(new[] { Ray.Put(data) });
    }

    /// <summary>Puts a large value, passes refs to it inside a by-value argument of a nested task; returns the file and the sum.</summary>
    [Remote]
    public static string NestedSumOfPut()
    {
        var data = new double[1 << 17];
        Array.Fill(data, 3.0);
        var stored = Ray.Put(data);
        var sum = Remote.SumAll(new[] { stored }).Get();
        return $"{stored.Entry.Shared!.Name}:{sum}";
    }

    [Remote]
    public static string TryPutInWorker(int bytes)
    {
        try
        {
            GC.KeepAlive(Ray.Put(new byte[bytes]));
            return "ok";
        }
        catch (ObjectStoreFullException)
        {
            return "full";
        }
    }

    [Remote]
    public static double SumAll(ObjectRef<double[]>[] refs) => refs.Sum(r => r.Get().Sum());

    /// <summary>Reads a stored array through a view in the worker; reports whether the view lies in the mapped file, and the sum.</summary>
    [Remote]
    public static string ViewInWorker(ObjectRef<double[]> data)
    {
        using var view = data.GetView();
        var shared = data.Entry.Shared;
        var inside = shared is not null && view.Address >= shared.Address &&
                     view.Address + (long)view.Length * sizeof(double) <= shared.Address + shared.MappedLength;
        var sum = 0.0;
        foreach (var x in view.Span) sum += x;
        return $"{inside}:{sum}";
    }
}

/// <summary>Holds a large value it put itself, so that only this worker has a ref to it.</summary>
[Remote]
public partial class Holder
{
    private ObjectRef<double[]>? _held;

    public string HoldNew(int count, double value)
    {
        var data = new double[count];
        Array.Fill(data, value);
        _held = Ray.Put(data);
        return _held.Entry.Shared?.Name ?? "";
    }

    public double Sum()
    {
        var sum = 0.0;
        foreach (var x in _held!.Get()) sum += x;
        return sum;
    }

    public int Drop()
    {
        _held = null;
        return 0;
    }
}

/// <summary>Reads a ref again at the moment its worker's sweep has taken the release of the ref's earlier copy, and keeps it.</summary>
[Remote]
public partial class Rereader
{
    private static ObjectRef<double[]>? s_kept;

    public int Arm(ObjectRef<double[]> data)
    {
        var id = data.Entry.Id;
        DriverLink.AfterReleasesTaken = released =>
        {
            // As another task of this worker deserializing the ref would: a fresh copy that asks the driver for the value.
            if (s_kept is null && Array.IndexOf(released, id) >= 0)
                s_kept = new ObjectRef<double[]>(Ray.CurrentCore("read a ref again").Objects.Import(id));
        };
        return 0;
    }

    public bool ReadAgain() => s_kept is not null;

    public double SumKept()
    {
        var sum = 0.0;
        foreach (var x in s_kept!.Get()) sum += x;
        return sum;
    }
}

/// <summary>Keeps only a view of a stored array (not the ref it came from) between calls.</summary>
[Remote]
public partial class ViewHolder
{
    private static ArrayView<double> s_view;

    public int Open(ObjectRef<double[]> data)
    {
        s_view = data.GetView();
        return s_view.Length;
    }

    public double Sum()
    {
        var sum = 0.0;
        foreach (var x in s_view.Span) sum += x;
        return sum;
    }

    public int Close()
    {
        s_view.Dispose();
        s_view = default;
        return 0;
    }
}

public static class StoreChecks
{
    /// <summary>Position-sensitive, so a shifted or truncated copy does not match.</summary>
    public static long Checksum(byte[] data)
    {
        long sum = 0;
        for (var i = 0; i < data.Length; i++) sum = (sum * 31) + data[i] + i;
        return sum;
    }
}
