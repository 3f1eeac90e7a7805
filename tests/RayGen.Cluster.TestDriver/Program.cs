using System;
using System.Threading;
using RayGen;

// args: ADDRESS TOKEN. Connects, starts an actor and a task that never ends on the cluster, says where they run,
// then waits to be killed: what a driver leaves behind when it dies is what the tests look at.
using var ray = Ray.Init(new RayOptions { Address = args[0], Token = args[1] });
var actor = Holder.Remote.New();
Console.WriteLine($"actor on {actor.Where().Get()}");
var endless = DriverWork.Remote.Forever();
Console.WriteLine("ready");
Thread.Sleep(Timeout.Infinite);
GC.KeepAlive(endless);

public static partial class DriverWork
{
    [Remote]
    public static int Forever()
    {
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}

[Remote]
public partial class Holder
{
    public string Where() => Environment.GetEnvironmentVariable("RAYGEN_NODE_ADDRESS") ?? "here";
}
