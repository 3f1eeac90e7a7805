using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;

namespace RayGen.Analyzers.Tests;

/// <summary>RAY013-RAY014: method shapes a typed stub cannot reproduce.</summary>
public sealed class MethodShapeTests
{
    [Test]
    public Task Remote_extension_method_reports_RAY013_on_its_name() => Verify.Analyzer("""
        public static partial class IntTasks
        {
            [Remote]
            public static int {|#0:Twice|}(this int value) => 2 * value;
        }
        """,
        Verify.Error("RAY013").WithLocation(0).WithArguments("Twice", "IntTasks"));

    [Test]
    public Task Params_collection_parameter_reports_RAY014_on_the_parameter() => Verify.Analyzer("""
        public static partial class Tasks
        {
            [Remote]
            public static int Sum({|#0:params List<int> values|}) => values.Count;
        }
        """,
        Verify.Error("RAY014").WithLocation(0).WithArguments("values", "'Tasks.Sum'", "List<int>", "int"));

    [Test]
    public Task Params_array_parameter_reports_nothing() => Verify.Analyzer("""
        public static partial class Tasks
        {
            [Remote]
            public static int Sum(params int[] values) => values.Length;
        }
        """);
}
