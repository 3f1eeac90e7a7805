using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;

namespace RayGen.Analyzers.Tests;

/// <summary>The RAY009 fix turns a blocking read into an await of the ref itself.</summary>
public sealed class AwaitInsteadOfGetCodeFixTests
{
    [Test]
    public Task Replaces_instance_Get_with_await() => Verify.CodeFix("""
        public static class Driver
        {
            public static async Task<int> RunAsync(ObjectRef<int> value, ObjectRef done)
            {
                {|RAY009:done.Get()|};
                return {|RAY009:value.Get()|} + 1;
            }
        }
        """, """
        public static class Driver
        {
            public static async Task<int> RunAsync(ObjectRef<int> value, ObjectRef done)
            {
                await done;
                return await value + 1;
            }
        }
        """);

    [Test]
    public Task Replaces_Ray_Get_with_await_and_parenthesizes_where_a_member_follows() => Verify.CodeFix("""
        public static class Driver
        {
            public static async Task<string> RunAsync(ObjectRef<int> value, bool again)
            {
                var first = {|RAY009:Ray.Get(value)|};
                return {|RAY009:Ray.Get(again ? value : value)|}.ToString() + first;
            }
        }
        """, """
        public static class Driver
        {
            public static async Task<string> RunAsync(ObjectRef<int> value, bool again)
            {
                var first = await value;
                return (await (again ? value : value)).ToString() + first;
            }
        }
        """);

    [Test]
    public Task Offers_no_fix_for_a_Get_with_a_timeout_or_of_many_refs() => Verify.CodeFix("""
        public static class Driver
        {
            public static async Task<int> RunAsync(ObjectRef<int> value, List<ObjectRef<int>> many)
            {
                await Task.Yield();
                return {|RAY009:value.Get(TimeSpan.FromSeconds(1))|} + {|RAY009:Ray.Get(many)|}.Length;
            }
        }
        """, """
        public static class Driver
        {
            public static async Task<int> RunAsync(ObjectRef<int> value, List<ObjectRef<int>> many)
            {
                await Task.Yield();
                return {|RAY009:value.Get(TimeSpan.FromSeconds(1))|} + {|RAY009:Ray.Get(many)|}.Length;
            }
        }
        """);
}
