using System.Collections.Generic;
using System.Threading.Tasks;

namespace RayGen.Benchmarks;

// The remote code of ray_perf.py, one to one: the same bodies and the same small return value (b"ok").

public static partial class PerfTasks
{
    internal static readonly byte[] Ok = "ok"u8.ToArray();

    internal const int MultiPutLongs = 1024 * 1024;

    [Remote]
    public static byte[] SmallValue() => Ok;

    [Remote]
    public static IEnumerable<byte[]> StreamSmallValues(int n)
    {
        for (var i = 0; i < n; i++) yield return Ok;
    }

    [Remote]
    public static int SmallValueBatch(int n)
    {
        var submitted = new ObjectRef<byte[]>[n];
        for (var i = 0; i < n; i++) submitted[i] = PerfTasks.Remote.SmallValue();
        Ray.Get(submitted);
        return 0;
    }

    [Remote]
    public static void DoPutSmall()
    {
        for (var i = 0; i < 100; i++) Ray.Put(0);
    }

    [Remote]
    public static void DoPut()
    {
        // ray_perf.py's do_put puts 10 x 80 MiB; 10 x 8 MiB here, because objects that workers put are not freed yet.
        for (var i = 0; i < 10; i++) Ray.Put(new long[MultiPutLongs]);
    }

    [Remote]
    public static ObjectRef<int>[] CreateObjectContainingRef()
    {
        var refs = new ObjectRef<int>[10_000];
        for (var i = 0; i < refs.Length; i++) refs[i] = Ray.Put(1);
        return refs;
    }

    [Remote]
    public static void Work(ActorHandle<PerfActor>[] actors, int n)
    {
        var calls = new ObjectRef<byte[]>[n];
        for (var i = 0; i < n; i++) calls[i] = actors[i % actors.Length].SmallValue();
        Ray.Get(calls);
    }
}

[Remote]
public partial class PerfActor
{
    public byte[] SmallValue() => PerfTasks.Ok;

    public byte[] SmallValueArg(int x) => PerfTasks.Ok;

    public void SmallValueBatch(int n)
    {
        var submitted = new ObjectRef<byte[]>[n];
        for (var i = 0; i < n; i++) submitted[i] = PerfTasks.Remote.SmallValue();
        Ray.Get(submitted);
    }
}

[Remote]
public partial class PerfAsyncActor
{
    public async Task<byte[]> SmallValue()
    {
        await Task.CompletedTask.ConfigureAwait(false);
        return PerfTasks.Ok;
    }

    public async Task<byte[]> SmallValueWithArg(int x)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        return PerfTasks.Ok;
    }
}

[Remote]
public partial class PerfClient
{
    private readonly ActorHandle<PerfActor>[] _servers;

    public PerfClient(ActorHandle<PerfActor>[] servers) => _servers = servers;

    public void SmallValueBatch(int n)
    {
        var results = new List<ObjectRef<byte[]>>(n * _servers.Length);
        foreach (var s in _servers)
        {
            for (var i = 0; i < n; i++) results.Add(s.SmallValue());
        }

        Ray.Get(results);
    }

    public void SmallValueBatchArg(int n)
    {
        var x = Ray.Put(0);
        var results = new List<ObjectRef<byte[]>>(n * _servers.Length);
        foreach (var s in _servers)
        {
            for (var i = 0; i < n; i++) results.Add(s.SmallValueArg(x));
        }

        Ray.Get(results);
    }
}
