namespace RayGen.Benchmarks;

internal static class MicroSuites
{
    public static int Run(string[] args) => 0;
}
