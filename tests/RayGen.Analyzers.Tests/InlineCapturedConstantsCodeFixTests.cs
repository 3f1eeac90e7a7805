using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;

namespace RayGen.Analyzers.Tests;

/// <summary>
/// RAY018's fix for the common case: captured locals that hold constants are written into the lambda, which becomes
/// static (a const needs nothing: a static lambda may read it); any other capture gets no fix.
/// </summary>
public sealed class InlineCapturedConstantsCodeFixTests
{
    [Test]
    public Task A_variable_initialized_with_a_constant_is_written_in_and_the_lambda_becomes_static_keeping_consts() => Verify.CodeFix(DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<long> Run(Dataset<int> numbers)
            {
                const int Factor = 3;
                var offset = 2L;
                var label = "n";
                return numbers.Filter({|RAY018:x => label.Length > 0|}).Map({|RAY018:x => x * Factor + offset|});
            }
        }
        """), DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<long> Run(Dataset<int> numbers)
            {
                const int Factor = 3;
                var offset = 2L;
                var label = "n";
                return numbers.Filter(static x => "n".Length > 0).Map(static x => x * Factor + ((long)2));
            }
        }
        """));

    [Test]
    public Task A_variable_assigned_again_is_not_a_constant_and_gets_no_fix() => Verify.CodeFix(DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Run(Dataset<int> numbers)
            {
                var factor = 2;
                factor++;
                return numbers.Map({|RAY018:x => x * factor|});
            }
        }
        """), DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Run(Dataset<int> numbers)
            {
                var factor = 2;
                factor++;
                return numbers.Map({|RAY018:x => x * factor|});
            }
        }
        """));

    [Test]
    public Task A_lambda_that_also_captures_a_parameter_or_a_computed_local_gets_no_fix() => Verify.CodeFix(DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Run(Dataset<int> numbers, int limit)
            {
                const int Factor = 3;
                var now = System.Environment.TickCount;
                return numbers.Filter({|RAY018:x => x * Factor < limit|}).Map({|RAY018:x => x + now|});
            }
        }
        """), DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Run(Dataset<int> numbers, int limit)
            {
                const int Factor = 3;
                var now = System.Environment.TickCount;
                return numbers.Filter({|RAY018:x => x * Factor < limit|}).Map({|RAY018:x => x + now|});
            }
        }
        """));
}
