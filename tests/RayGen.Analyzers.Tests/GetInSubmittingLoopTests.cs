using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;

namespace RayGen.Analyzers.Tests;

/// <summary>RAY010: submitting and getting in one loop waits for each call before starting the next.</summary>
public sealed class GetInSubmittingLoopTests
{
    private const string Submit = """
        public static partial class Work
        {
            public static ObjectRef<int> Submit(int i) => Ray.Put(i);
        }

        """;

    [Test]
    public Task Ray_Get_of_a_ref_submitted_in_the_same_loop_reports_RAY010_on_the_call() => Verify.Analyzer(Submit + """
        public static class Driver
        {
            public static int Sum()
            {
                var total = 0;
                for (var i = 0; i < 10; i++)
                {
                    var result = Work.Submit(i);
                    total += {|#0:Ray.Get(result)|};
                }
                return total;
            }
        }
        """,
        Verify.Warning("RAY010").WithLocation(0).WithArguments("Ray.Get"));

    [Test]
    public Task Get_on_a_call_made_inline_in_a_loop_reports_RAY010_on_the_call() => Verify.Analyzer(Submit + """
        public static class Driver
        {
            public static int Sum(int[] items)
            {
                var total = 0;
                foreach (var item in items)
                    total += {|#0:Work.Submit(item).Get()|};
                return total;
            }
        }
        """,
        Verify.Warning("RAY010").WithLocation(0).WithArguments("ObjectRef.Get"));

    [Test]
    public Task Get_of_a_local_declared_before_the_loop_but_submitted_in_it_reports_RAY010() => Verify.Analyzer(Submit + """
        public static class Driver
        {
            public static int Sum()
            {
                ObjectRef<int> last;
                var total = 0;
                var i = 0;
                do
                {
                    last = Work.Submit(i++);
                    total += {|#0:last.Get()|};
                }
                while (i < 10);
                return total;
            }
        }
        """,
        Verify.Warning("RAY010").WithLocation(0).WithArguments("ObjectRef.Get"));

    [Test]
    public Task Collecting_refs_in_the_loop_and_getting_them_after_it_reports_nothing() => Verify.Analyzer(Submit + """
        public static class Driver
        {
            public static int Sum()
            {
                var refs = new List<ObjectRef<int>>();
                for (var i = 0; i < 10; i++)
                    refs.Add(Work.Submit(i));

                var total = 0;
                foreach (var r in refs)
                    total += Ray.Get(r);
                for (var i = 0; i < 10; i++)
                    total += Ray.Put(i).Get();
                return total + Ray.Get(refs).Length;
            }
        }
        """);
}
