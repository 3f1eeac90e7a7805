namespace RayGen.Analyzers.Tests.Infrastructure;

/// <summary>
/// A minimal stand-in for the RayGen.Data package, declared in the test source itself: the analyzer
/// matches the namespace by name, so the tests need neither the package nor its assembly.
/// </summary>
internal static class DataApi
{
    private const string StandIn = """

        namespace RayGen.Data
        {
            public sealed class Dataset<T>
            {
                public Dataset<TOut> Map<TOut>(Func<T, TOut> f) => null!;
                public Dataset<TOut> FlatMap<TOut>(Func<T, IEnumerable<TOut>> f) => null!;
                public Dataset<T> Filter(Func<T, bool> f) => null!;
                public Dataset<TOut> MapBatches<TOut>(Func<T[], TOut[]> f, int batchSize = 4096) => null!;
                public Dataset<T> Sort<TKey>(Func<T, TKey> key, bool descending = false) => null!;
                public GroupedDataset<TKey, T> GroupBy<TKey>(Func<T, TKey> key) => null!;
                public List<T> Take(int n) => null!;
            }

            public sealed class GroupedDataset<TKey, T>
            {
                public Dataset<(TKey Key, TAcc Value)> Aggregate<TAcc>(Func<TAcc> seed, Func<TAcc, T, TAcc> add, Func<TAcc, TAcc, TAcc> merge) => null!;
            }

            public static class RayData
            {
                public static Dataset<int> Range(int n) => null!;
            }
        }
        """;

    /// <summary>The test code, with <c>using RayGen.Data;</c> before it and the stand-in API after it.</summary>
    public static string With(string code) => "using RayGen.Data;\n\n" + code + "\n" + StandIn;
}
