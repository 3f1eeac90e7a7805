using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;

namespace RayGen.Analyzers.Tests;

/// <summary>RAY011-RAY012: the generated code must be able to name each type that holds [Remote] code.</summary>
public sealed class ContainingTypeTests
{
    [Test]
    public Task Generic_type_holding_a_remote_method_reports_RAY011_on_its_identifier() => Verify.Analyzer("""
        public static partial class {|#0:Tasks|}<T>
        {
            [Remote]
            public static int One() => 1;
        }
        """,
        Verify.Error("RAY011").WithLocation(0).WithArguments("Tasks", "it declares [Remote] method 'One'"));

    [Test]
    public Task Generic_actor_class_reports_RAY011_on_its_identifier() => Verify.Analyzer("""
        [Remote]
        public partial class {|#0:Box|}<T>
        {
            public int Count() => 0;
        }
        """,
        Verify.Error("RAY011").WithLocation(0).WithArguments("Box", "it is a [Remote] actor class"));

    [Test]
    public Task Private_nested_type_holding_a_remote_method_reports_RAY012_on_its_identifier() => Verify.Analyzer("""
        public partial class Outer
        {
            private static partial class {|#0:Tasks|}
            {
                [Remote]
                public static int One() => 1;
            }
        }
        """,
        Verify.Error("RAY012").WithLocation(0).WithArguments("Tasks", "private", "it declares [Remote] method 'One'"));

    [Test]
    public Task Internal_and_protected_internal_nested_types_report_nothing() => Verify.Analyzer("""
        public partial class Outer
        {
            internal static partial class Tasks
            {
                [Remote]
                public static int One() => 1;
            }

            [Remote]
            protected internal partial class Counter
            {
                public int Increment() => 1;
            }
        }
        """);

    [Test]
    public Task File_local_type_holding_a_remote_method_reports_RAY012_on_its_identifier() => Verify.Analyzer("""
        file static partial class {|#0:Tasks|}
        {
            [Remote]
            public static int One() => 1;
        }
        """,
        Verify.Error("RAY012").WithLocation(0).WithArguments("Tasks", "file-local", "it declares [Remote] method 'One'"));
}
