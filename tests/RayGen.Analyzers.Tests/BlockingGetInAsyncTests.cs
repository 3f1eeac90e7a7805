using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;

namespace RayGen.Analyzers.Tests;

/// <summary>RAY009: a blocking Get parks a thread that async code needs (Ray issue 7197 at run time).</summary>
public sealed class BlockingGetInAsyncTests
{
    [Test]
    public Task Blocking_Get_on_a_ref_inside_an_async_method_reports_RAY009_on_the_call() => Verify.Analyzer("""
        public static class Driver
        {
            public static async Task<int> RunAsync(ObjectRef<int> value)
            {
                await Task.Yield();
                return {|#0:value.Get()|};
            }
        }
        """,
        Verify.Warning("RAY009").WithLocation(0).WithArguments("ObjectRef.Get"));

    [Test]
    public Task Ray_Get_inside_an_async_lambda_reports_RAY009_on_the_call() => Verify.Analyzer("""
        public static class Driver
        {
            public static Func<Task<int>> Later(ObjectRef<int> value) => async () =>
            {
                await Task.Yield();
                return {|#0:Ray.Get(value, TimeSpan.FromSeconds(1))|};
            };
        }
        """,
        Verify.Warning("RAY009").WithLocation(0).WithArguments("Ray.Get"));

    [Test]
    public Task Blocking_Get_outside_async_code_reports_nothing() => Verify.Analyzer("""
        public static class Driver
        {
            public static int Run(ObjectRef<int> value) => value.Get() + Ray.Get(value);

            public static async Task<int> RunAsync(ObjectRef<int> value)
            {
                Func<int> read = () => value.Get();
                await Task.Yield();
                return read() + await value;
            }
        }
        """);
}
