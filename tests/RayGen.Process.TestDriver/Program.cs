using System;
using System.Threading;
using RayGen;
using RayGen.Process.TestDriver;

// print: a worker writes a line, which must show up in this driver's console, prefixed with the worker's pid.
// print-actor: an actor writes a line, prefixed with its class name and its worker's pid.
// hang:  run tasks, print the pids of the workers that ran them, then wait to be killed (the test kills this driver with SIGKILL).
var mode = args.Length > 0 ? args[0] : "print";
using var ray = Ray.Init(new RayOptions { NumCpus = 2 });
switch (mode)
{
    case "print":
        var pid = ChildTasks.Remote.Shout("hello from a worker").Get();
        Console.WriteLine($"driver: worker pid {pid}");
        break;
    case "print-actor":
        var shouter = Shouter.Remote.New();
        Console.WriteLine($"driver: actor pid {shouter.Shout("hello from an actor").Get()}");
        break;
    case "hang":
        var a = ChildTasks.Remote.Pid();
        var b = ChildTasks.Remote.Pid();
        Console.WriteLine($"driver: worker pids {a.Get()} {b.Get()}");
        Console.WriteLine("driver: ready");
        Thread.Sleep(Timeout.Infinite);
        break;
}

namespace RayGen.Process.TestDriver
{
    public static partial class ChildTasks
    {
        [Remote]
        public static int Shout(string text)
        {
            Console.WriteLine(text);
            return Environment.ProcessId;
        }

        [Remote]
        public static int Pid() => Environment.ProcessId;
    }

    [Remote]
    public partial class Shouter
    {
        public int Shout(string text)
        {
            Console.WriteLine(text);
            return Environment.ProcessId;
        }
    }
}
