using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;

namespace RayGen.Analyzers.Tests;

/// <summary>RAY015: an actor is one object in a worker, so only a class (or record class) can be one.</summary>
public sealed class ActorKindTests
{
    [Test]
    public Task Struct_marked_remote_reports_RAY015_on_its_identifier() => Verify.Analyzer("""
        [{|CS0592:Remote|}]
        public partial struct {|#0:Counter|}
        {
            public int Next() => 1;
        }
        """,
        Verify.Error("RAY015").WithLocation(0).WithArguments("Counter", "a struct"));

    [Test]
    public Task Record_struct_marked_remote_reports_RAY015_on_its_identifier() => Verify.Analyzer("""
        [{|CS0592:Remote|}]
        public partial record struct {|#0:Tally|}(int Count)
        {
            public int Add(int x) => Count + x;
        }
        """,
        Verify.Error("RAY015").WithLocation(0).WithArguments("Tally", "a record struct"));

    [Test]
    public Task Interface_marked_remote_reports_RAY015_on_its_identifier() => Verify.Analyzer("""
        [{|CS0592:Remote|}]
        public partial interface {|#0:IWorker|}
        {
            int Run();
        }
        """,
        Verify.Error("RAY015").WithLocation(0).WithArguments("IWorker", "an interface"));

    [Test]
    public Task Record_class_actor_reports_nothing_and_its_record_members_are_not_checked() => Verify.Analyzer("""
        [Remote]
        public partial record Acc(int Start)
        {
            public int Add(int x) => Start + x;
            public void Deconstruct(out int start) => start = Start;
        }
        """);
}
