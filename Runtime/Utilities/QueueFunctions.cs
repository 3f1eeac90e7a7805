using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using MemoryPack;
using RayGen.Internal;

namespace RayGen.Utilities;

/// <summary>
/// The queue actor's remote functions, written by hand as the generator would write them (it does not run on the
/// runtime itself), and registered when RayGen loads, so a worker process finds them by id like any user's.
/// </summary>
internal static class QueueFunctions
{
    // At most this many puts and gets wait inside one queue at once (Ray's queue actor allows 1000 concurrent calls too).
    internal const int MaxWaiting = 1000;

    internal static readonly RemoteFunction New = new(
        "RayGen.Utilities.QueueActor..ctor(int)", "RayQueue.New", new RemoteOptions { MaxConcurrency = MaxWaiting }, InvokeNew);

    internal static readonly RemoteFunction Put = new(
        "RayGen.Utilities.QueueActor.Put(byte[],double)", "RayQueue.Put", new RemoteOptions(), InvokePut);

    internal static readonly RemoteFunction Get = new(
        "RayGen.Utilities.QueueActor.Get(double)", "RayQueue.Get", new RemoteOptions(), InvokeGet);

    internal static readonly RemoteFunction Size = new(
        "RayGen.Utilities.QueueActor.Size()", "RayQueue.Count", new RemoteOptions(), InvokeSize);

    private static ValueTask InvokeNew(InvocationContext context)
    {
        context.SetInstance(new QueueActor(context.Arg<int>(0)));
        return default;
    }

    private static async ValueTask InvokePut(InvocationContext context) =>
        context.SetResult(await ((QueueActor)context.Instance!).PutAsync(context.Arg<byte[]>(0), context.Arg<double>(1)).ConfigureAwait(false));

    private static async ValueTask InvokeGet(InvocationContext context) =>
        context.SetResult(await ((QueueActor)context.Instance!).GetAsync(context.Arg<double>(0)).ConfigureAwait(false));

    private static ValueTask InvokeSize(InvocationContext context)
    {
        context.SetResult(((QueueActor)context.Instance!).Size());
        return default;
    }

#pragma warning disable CA2255 // the runtime registering its own remote functions when it loads is the intended case
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        RemoteRegistry.Register(New);
        RemoteRegistry.Register(Put);
        RemoteRegistry.Register(Get);
        RemoteRegistry.Register(Size);
        MemoryPackFormatterProvider.RegisterGenericType(typeof(RayQueue<>), typeof(RayQueueFormatter<>));
    }
}
