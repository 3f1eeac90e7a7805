using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;

namespace RayGen.Analyzers.Tests;

/// <summary>The RAY019 fix adds 'static' first among the lambda's modifiers; a capturing lambda (RAY018) gets no fix.</summary>
public sealed class MakeTransformStaticCodeFixTests
{
    [Test]
    public Task Adds_static_to_simple_and_parenthesized_lambdas_and_anonymous_methods() => Verify.CodeFix(DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Run(Dataset<int> numbers) => numbers
                .Filter({|RAY019:x => x > 0|})
                .Map({|RAY019:(int x) => x * 2|})
                .FlatMap({|RAY019:delegate (int x) { return new[] { x, x }; }|});
        }
        """), DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Run(Dataset<int> numbers) => numbers
                .Filter(static x => x > 0)
                .Map(static (int x) => x * 2)
                .FlatMap(static delegate (int x) { return new[] { x, x }; });
        }
        """));

    [Test]
    public Task Adds_static_before_async_and_keeps_the_lambda_on_its_own_line() => Verify.CodeFix(DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<Task<int>> Run(Dataset<int> numbers) => numbers.Map(
                // one call per row
                {|RAY019:async x =>
                {
                    await Task.Yield();
                    return x;
                }|});
        }
        """), DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<Task<int>> Run(Dataset<int> numbers) => numbers.Map(
                // one call per row
                static async x =>
                {
                    await Task.Yield();
                    return x;
                });
        }
        """));

    [Test]
    public Task Makes_the_local_functions_the_lambda_calls_static_too() => Verify.CodeFix(DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Run(Dataset<int> numbers)
            {
                return numbers.Map({|#0:x => Twice(x)|});

                int {|#1:Twice|}(int x) => Add(x, x);

                [System.Diagnostics.DebuggerStepThrough]
                int {|#2:Add|}(int a, int b) => a + b;
            }
        }
        """), DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Run(Dataset<int> numbers)
            {
                return numbers.Map(static x => Twice(x));

                static int Twice(int x) => Add(x, x);

                [System.Diagnostics.DebuggerStepThrough]
                static int Add(int a, int b) => a + b;
            }
        }
        """),
        Verify.Warning("RAY019").WithLocation(0).WithLocation(1).WithLocation(2).WithArguments("lambda", "Dataset.Map"));

    [Test]
    public Task Offers_no_fix_for_a_lambda_that_captures() => Verify.CodeFix(DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Run(Dataset<int> numbers, int factor) => numbers.Map({|RAY018:x => x * factor|});
        }
        """), DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Run(Dataset<int> numbers, int factor) => numbers.Map({|RAY018:x => x * factor|});
        }
        """));
}
