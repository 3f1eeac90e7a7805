using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;

namespace RayGen.Analyzers.Tests;

/// <summary>
/// RAY020: a function given to a dataset operator that the generated registry cannot hold is bound by reflection in
/// workers; the information names the function and why, on the argument. Functions the registry holds are quiet.
/// </summary>
public sealed class ReflectedTransformTests
{
    [Test]
    public Task Lambda_that_calls_a_private_method_is_RAY020_on_the_lambda() => Verify.Analyzer(DataApi.With("""
        public static class Pipeline
        {
            private static int Scale(int x) => x * 7;
            public static Dataset<int> Run(Dataset<int> numbers) => numbers.Map({|#0:static x => Scale(x)|});
        }
        """),
        Verify.Info("RAY020").WithLocation(0).WithArguments("lambda", "Dataset.Map",
            "it uses 'Pipeline.Scale(int)', which is private (make it internal to let the generated registry name it)"));

    [Test]
    public Task Method_group_of_a_local_function_is_RAY020_on_the_method_group() => Verify.Analyzer(DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Run(Dataset<int> numbers)
            {
                static int Twice(int x) => 2 * x;
                return numbers.Filter(static x => x > 0).Map({|#0:Twice|});
            }
        }
        """),
        Verify.Info("RAY020").WithLocation(0).WithArguments("method group 'Twice'", "Dataset.Map",
            "it is the local function 'Twice', which only its method can name"));

    [Test]
    public Task Function_held_in_a_variable_is_RAY020_on_the_argument() => Verify.Analyzer(DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Run(Dataset<int> numbers, Func<int, bool> keep) => numbers.Filter({|#0:keep|});
        }
        """),
        Verify.Info("RAY020").WithLocation(0).WithArguments("function 'keep'", "Dataset.Filter",
            "it is not a lambda or a method group written at the call"));

    [Test]
    public Task Operator_on_a_private_row_type_is_RAY020_on_its_function() => Verify.Analyzer(DataApi.With("""
        public static class Pipeline
        {
            private sealed record Hidden(int Value);
            private static Dataset<int> Run(Dataset<Hidden> rows) => rows.Map({|#0:static h => h.Value|});
        }
        """),
        Verify.Info("RAY020").WithLocation(0).WithArguments("lambda", "Dataset.Map",
            "it uses 'Pipeline.Hidden', which is private (make it internal to let the generated registry name it)"));

    [Test]
    public Task Functions_that_name_only_visible_code_are_not_reported() => Verify.Analyzer(DataApi.With("""
        public static class Pipeline
        {
            internal static int Scale(int x) => x * 7;
            public static bool Keep(int x) => x > 0;

            public static Dataset<(int Key, long Value)> Run(Dataset<int> numbers)
            {
                const int limit = 100;
                return numbers
                    .Filter(Keep)
                    .Map(static x => Math.Min(Scale(x), limit))
                    .MapBatches(static (int[] batch) => batch, batchSize: 64)
                    .Sort(static x => -x, descending: true)
                    .GroupBy(static x => x % 10)
                    .Aggregate(static () => 0L, static (acc, x) => acc + x, static (a, b) => a + b);
            }
        }
        """));
}
