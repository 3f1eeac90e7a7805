using System.Collections.Generic;
using RayGen.Benchmarks.Shared;

namespace RayGen.Benchmarks;

internal static class Peers
{
    public static IEnumerable<BenchResult> Run(HarnessOptions options, TimeitSettings settings) => new List<BenchResult>();
}
