using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;

namespace RayGen.Analyzers.Tests;

/// <summary>RAY004: a reference into one process's memory means nothing in another.</summary>
public sealed class ByReferenceParameterTests
{
    [TestCase("ref int value", "passed by ref")]
    [TestCase("out int value", "an out parameter")]
    [TestCase("in int value", "passed by readonly reference")]
    [TestCase("int* value", "a pointer")]
    public Task By_reference_or_pointer_parameter_reports_RAY004_on_the_parameter(string parameter, string how) => Verify.Analyzer($$"""
        public static unsafe partial class Tasks
        {
            [Remote]
            public static void Use({|#0:{{parameter}}|}) { {{(parameter.StartsWith("out") ? "value = 0;" : "")}} }
        }
        """,
        Verify.Error("RAY004").WithLocation(0).WithArguments("Parameter 'value'", "'Tasks.Use'", how));

    [Test]
    public Task Out_parameter_of_a_public_actor_method_reports_RAY004() => Verify.Analyzer("""
        [Remote]
        public partial class Counter
        {
            public bool TryRead({|#0:out int value|}) { value = 0; return true; }
        }
        """,
        Verify.Error("RAY004").WithLocation(0).WithArguments("Parameter 'value'", "'Counter.TryRead'", "an out parameter"));

    [Test]
    public Task Ref_return_reports_RAY004_on_the_return_type() => Verify.Analyzer("""
        public static partial class Tasks
        {
            private static int s_value;

            [Remote]
            public static {|#0:ref int|} Slot() => ref s_value;
        }
        """,
        Verify.Error("RAY004").WithLocation(0).WithArguments("The return value", "'Tasks.Slot'", "returned by reference"));
}
