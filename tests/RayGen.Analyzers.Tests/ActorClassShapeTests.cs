using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;

namespace RayGen.Analyzers.Tests;

/// <summary>RAY006-RAY008: the runtime must be able to construct an actor with Remote.New.</summary>
public sealed class ActorClassShapeTests
{
    [Test]
    public Task Abstract_actor_class_reports_RAY006_on_its_identifier() => Verify.Analyzer("""
        [Remote]
        public abstract partial class {|#0:Worker|}
        {
            public abstract int Run();
        }
        """,
        Verify.Error("RAY006").WithLocation(0).WithArguments("Worker"));

    [Test]
    public Task Actor_class_with_only_private_constructors_reports_RAY007_on_its_identifier() => Verify.Analyzer("""
        [Remote]
        public partial class {|#0:Singleton|}
        {
            private Singleton() { }
            internal Singleton(int seed) { }
            public int Next() => 1;
        }
        """,
        Verify.Error("RAY007").WithLocation(0).WithArguments("Singleton"));

    [Test]
    public Task Actor_class_with_the_implicit_constructor_reports_nothing() => Verify.Analyzer("""
        [Remote]
        public partial class Counter
        {
            public int Next() => 1;
        }
        """);

    [Test]
    public Task Static_class_marked_remote_reports_RAY008_on_its_identifier() => Verify.Analyzer("""
        [Remote]
        public static partial class {|#0:MathTasks|}
        {
            public static int Add(int x, int y) => x + y;
        }
        """,
        Verify.Error("RAY008").WithLocation(0).WithArguments("MathTasks"));
}
