using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;

namespace RayGen.Analyzers.Tests;

/// <summary>RAY002: an instance method has no object to run on remotely unless its class is an actor.</summary>
public sealed class InstanceMethodOutsideActorTests
{
    [Test]
    public Task Remote_instance_method_of_a_class_that_is_not_remote_reports_RAY002_on_the_method_name() => Verify.Analyzer("""
        public partial class Calculator
        {
            [Remote]
            public int {|#0:Add|}(int x, int y) => x + y;
        }
        """,
        Verify.Error("RAY002").WithLocation(0).WithArguments("Add", "Calculator"));

    [Test]
    public Task Remote_instance_method_of_an_actor_class_reports_nothing() => Verify.Analyzer("""
        [Remote]
        public partial class Calculator
        {
            [Remote]
            public int Add(int x, int y) => x + y;
        }
        """);
}
