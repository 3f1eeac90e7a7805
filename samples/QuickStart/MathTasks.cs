using RayGen;

namespace QuickStart;

public static partial class MathTasks
{
    [Remote]
    public static int Add(int x, int y) => x + y;

    [Remote]
    public static int ProcessId() => System.Environment.ProcessId;
}
