using System;
using System.Threading;
using RayGen;

// A driver the cluster tests start as a child process. args: MODE ADDRESS TOKEN [...]
//   hold                        starts an actor and a task that never ends, prints "ready", waits to be killed
//   named NS NAME LIFETIME N    makes actor NAME in namespace NS (LIFETIME: detached or attached), calls it N times, exits
//   lookup NS NAME              finds actor NAME in namespace NS, calls it once, prints "count=N" (or "error=..."), exits
//   owner NS NAME               makes actor NAME in namespace NS (MaxRestarts 1, on a node with resource "r"),
//                               prints "where=NODE" and "ready", waits to be killed
//   build GATE                  runs DriverWork.Build on a node, prints "build=...", waits for file GATE, exits
var mode = args[0];
var options = new RayOptions { Address = args[1], Token = args[2], Namespace = mode is "named" or "lookup" or "owner" ? args[3] : null };
using var ray = Ray.Init(options);
switch (mode)
{
    case "hold":
        var actor = Holder.Remote.New();
        Console.WriteLine($"actor on {actor.Where().Get()}");
        var endless = DriverWork.Remote.Forever();
        Console.WriteLine("ready");
        Thread.Sleep(Timeout.Infinite);
        GC.KeepAlive(endless);
        break;
    case "named":
        var lifetime = args[5] == "detached" ? ActorLifetime.Detached : ActorLifetime.NonDetached;
        var named = Holder.Remote.With(new RemoteOptions { Name = args[4], Lifetime = lifetime }).New();
        var count = 0;
        for (var i = 0; i < int.Parse(args[6], System.Globalization.CultureInfo.InvariantCulture); i++) count = named.Increment().Get();
        Console.WriteLine($"count={count}");
        break;
    case "owner":
        var owned = Holder.Remote.With(new RemoteOptions
        {
            Name = args[4], MaxRestarts = 1, Resources = new System.Collections.Generic.Dictionary<string, double> { ["r"] = 1 },
        }).New();
        Console.WriteLine($"where={owned.Where().Get()}");
        Console.WriteLine("ready");
        Thread.Sleep(Timeout.Infinite);
        break;
    case "build":
        Console.WriteLine($"build={DriverWork.Remote.Build().Get()}");
        while (!System.IO.File.Exists(args[3])) Thread.Sleep(50);
        break;
    case "lookup":
        try
        {
            Console.WriteLine($"count={Ray.GetActor<Holder>(args[4]).Increment().Get()}");
        }
        catch (RayException e)
        {
            Console.WriteLine($"error={e.Message}");
        }

        break;
}

public static partial class DriverWork
{
    /// <summary>Which build this is: a test patches this text in a copy of the program's assembly to make a second build.</summary>
    public const string BuildMark = "RAYGEN-BUILD-A";

    /// <summary>The build of the code that ran, and the node it ran on.</summary>
    [Remote]
    public static string Build() => BuildMark + "|" + (Environment.GetEnvironmentVariable("RAYGEN_NODE_ADDRESS") ?? "driver");

    [Remote]
    public static int Forever()
    {
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}

/// <summary>An actor the tests find from other drivers: its count proves which instance answered.</summary>
[Remote]
public partial class Holder
{
    private int _count;

    public int Increment() => ++_count;

    public string Where() => Environment.GetEnvironmentVariable("RAYGEN_NODE_ADDRESS") ?? "here";
}
