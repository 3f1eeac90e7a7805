using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;

namespace RayGen.Analyzers.Tests;

/// <summary>RAY001: the generator extends types holding [Remote] code, so they and their containers must be partial.</summary>
public sealed class NonPartialTypeTests
{
    [Test]
    public Task Non_partial_type_with_remote_method_reports_RAY001_on_its_identifier() => Verify.Analyzer("""
        public static class {|#0:MathTasks|}
        {
            [Remote]
            public static int Add(int x, int y) => x + y;
        }
        """,
        Verify.Error("RAY001").WithLocation(0).WithArguments("MathTasks", "it declares [Remote] method 'Add'"));

    [Test]
    public Task Non_partial_actor_class_reports_RAY001_on_its_identifier() => Verify.Analyzer("""
        [Remote]
        public class {|#0:Counter|}
        {
            public int Increment() => 1;
        }
        """,
        Verify.Error("RAY001").WithLocation(0).WithArguments("Counter", "it is a [Remote] actor class"));

    [Test]
    public Task Every_non_partial_type_around_a_remote_method_reports_RAY001() => Verify.Analyzer("""
        public class {|#0:Outer|}
        {
            public partial class Middle
            {
                public static class {|#1:Inner|}
                {
                    [Remote]
                    public static int One() => 1;
                }
            }
        }
        """,
        Verify.Error("RAY001").WithLocation(0).WithArguments("Outer", "it contains 'Middle', which holds [Remote] code"),
        Verify.Error("RAY001").WithLocation(1).WithArguments("Inner", "it declares [Remote] method 'One'"));

    [Test]
    public Task Partial_types_holding_remote_code_report_nothing() => Verify.Analyzer("""
        public partial class Outer
        {
            public static partial class Tasks
            {
                [Remote]
                public static int One() => 1;
            }

            [Remote]
            public partial class Counter
            {
                public int Increment() => 1;
            }
        }
        """);

    [Test]
    public Task Non_partial_type_without_remote_code_reports_nothing() => Verify.Analyzer("""
        public static class Helpers
        {
            public static int One() => 1;
        }
        """);
}
