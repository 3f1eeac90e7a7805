using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;

namespace RayGen.Analyzers.Tests;

/// <summary>
/// RAY019: a transform given to RayGen.Data that captures nothing still runs elsewhere; 'static' says so and
/// keeps a later edit from capturing. Static transforms and functions given to other APIs are left alone.
/// </summary>
public sealed class NonStaticTransformTests
{
    [Test]
    public Task Lambda_that_captures_nothing_passed_to_Dataset_Map_without_static_is_RAY019_on_the_lambda() => Verify.Analyzer(DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Squares() => RayData.Range(10).Map({|#0:x => x * x|});
        }
        """),
        Verify.Warning("RAY019").WithLocation(0).WithArguments("lambda", "Dataset.Map"));

    [Test]
    public Task Anonymous_method_that_captures_nothing_without_static_is_RAY019_on_the_anonymous_method() => Verify.Analyzer(DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Positive(Dataset<int> numbers) => numbers.Filter({|#0:delegate (int x) { return x > 0; }|});
        }
        """),
        Verify.Warning("RAY019").WithLocation(0).WithArguments("anonymous method", "Dataset.Filter"));

    [Test]
    public Task Static_lambdas_and_method_groups_of_static_methods_are_not_reported() => Verify.Analyzer(DataApi.With("""
        public static class Pipeline
        {
            private static int Twice(int x) => 2 * x;

            private static int[] Normalize(int[] batch) => batch;

            public static Dataset<(int Key, long Value)> Run(Dataset<int> numbers) => numbers
                .Filter(static x => x > 0)
                .Map(static (int x) => x + 1)
                .Map(Twice)
                .Map(Pipeline.Twice)
                .FlatMap(static delegate (int x) { return new[] { x, x }; })
                .MapBatches(Normalize, batchSize: 64)
                .Map(static async x => await Task.FromResult(x))
                .Map(static t => t.Result)
                .Sort(static x => -x, descending: true)
                .GroupBy(static x => x % 10)
                .Aggregate(static () => 0L, static (acc, x) => acc + x, static (a, b) => a + b);
        }
        """));

    [Test]
    public Task Lambdas_and_method_groups_passed_to_methods_of_other_namespaces_are_not_reported() => Verify.Analyzer(DataApi.With("""
        namespace Elsewhere
        {
            public sealed class Dataset
            {
                public Dataset Map(Func<int, int> f) => this;
            }
        }

        namespace RayGen.DataTools
        {
            public static class Helpers
            {
                public static int Apply(Func<int, int> f) => f(1);
            }
        }

        public sealed class Driver
        {
            private int _offset = 1;

            public int Run(Elsewhere.Dataset local, List<int> items)
            {
                var factor = 3;
                local.Map(x => x * factor).Map(x => x + _offset).Map(x => x).Map(Shift);
                items.ForEach(x => factor += x);
                return RayGen.DataTools.Helpers.Apply(x => x * factor)
                    + System.Linq.Enumerable.Sum(items, x => x * factor);
            }

            private int Shift(int x) => x + _offset;
        }
        """));

    [Test]
    public Task Code_of_the_RayGen_Data_package_itself_is_not_checked() => Verify.AnalyzerInAssembly("RayGen.Data", DataApi.With("""
        namespace RayGen.Data.Operators
        {
            internal static class Plan
            {
                public static Dataset<int> Shift(Dataset<int> numbers, int offset) => numbers.Map(x => x + offset).Filter(x => x > 0);
            }
        }
        """));

    [Test]
    public Task An_application_in_a_RayGen_Data_namespace_is_checked_like_any_other() => Verify.Analyzer(DataApi.With("""
        namespace RayGen.Data.Tests
        {
            internal static class Plan
            {
                public static Dataset<int> Positive(Dataset<int> numbers) => numbers.Filter({|#0:x => x > 0|});
            }
        }
        """),
        Verify.Warning("RAY019").WithLocation(0).WithArguments("lambda", "Dataset.Filter"));

    [Test]
    public Task Arguments_that_are_not_functions_are_not_reported() => Verify.Analyzer(DataApi.With("""
        public static class Pipeline
        {
            public static List<int> Head(Dataset<int> numbers, int count, Func<int, int> given)
            {
                var batch = count * 2;
                return numbers.Map(given).MapBatches(static b => b, batchSize: batch).Take(count);
            }
        }
        """));
}
