using System;
using System.Reflection;

namespace RayGen.Worker;

/// <summary>Hands the process to RayGen's worker loop; the worker never runs the application's own Main.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        // RayGen resolves through the application's deps.json; one reflective call at start-up, none per task.
        var entry = Assembly.Load("RayGen").GetType("RayGen.WorkerHost.WorkerMain", throwOnError: true)!
            .GetMethod("Run", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)!;
        try
        {
            return (int)entry.Invoke(null, new object[] { args })!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            Console.Error.WriteLine($"RayGen worker failed: {e.InnerException}");
            return 70;
        }
    }
}
