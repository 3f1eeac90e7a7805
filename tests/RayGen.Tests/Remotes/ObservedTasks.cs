using System;
using Microsoft.Extensions.Logging;
using RayGen;

namespace RayGen.Tests.Remotes;

/// <summary>Remote code that logs, for the observability tests; the logger is made once, before any runtime runs.</summary>
public static partial class ObservedTasks
{
    public const string Category = "RayGen.Tests.ObservedTasks";

    private static readonly ILogger Log = Ray.GetLogger(Category);

    [Remote]
    public static int LogGreeting(string name)
    {
        Log.LogInformation("hello {Name} from a task", name);
        return name.Length;
    }

    [Remote]
    public static int LogFailure(string message)
    {
        try
        {
            throw new InvalidOperationException(message);
        }
        catch (InvalidOperationException e)
        {
            Log.LogError(e, "the task caught {Message}", message);
        }

        return 0;
    }
}
