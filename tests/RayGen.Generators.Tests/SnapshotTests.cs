using System.Linq;
using System.Runtime.CompilerServices;
using NUnit.Framework;

namespace RayGen.Generators.Tests;

/// <summary>Every generated shape, as a verified file; each case also compiles cleanly with nullable on and warnings reported.</summary>
public class SnapshotTests
{
    private static void Verify(string source, [CallerMemberName] string test = "")
    {
        var files = GeneratorHarness.GenerateCleanly(source, GeneratorHarness.RayGenResult);
        Assert.That(files, Is.Not.Empty, "something was generated");
        foreach (var file in files)
            Snapshot.Match($"{nameof(SnapshotTests)}.{test}#{System.IO.Path.GetFileNameWithoutExtension(file.HintName)}", file.SourceText.ToString());
    }

    [Test]
    public void Simple_task() => Verify("""
        using RayGen;
        namespace Demo;
        public static partial class MathTasks
        {
            [Remote]
            public static int Add(int x, int y) => x + y;
        }
        """);

    [Test]
    public void Task_of_T_return() => Verify("""
        using System.Threading.Tasks;
        using RayGen;
        namespace Demo;
        public static partial class Downloads
        {
            [Remote]
            public static async Task<string> FetchAsync(string url) { await Task.Yield(); return url; }
        }
        """);

    [Test]
    public void ValueTask_of_T_return() => Verify("""
        using System.Threading.Tasks;
        using RayGen;
        namespace Demo;
        public static partial class Cache
        {
            [Remote]
            public static ValueTask<long> SizeAsync(string key) => new(key.Length);
        }
        """);

    [Test]
    public void Void_Task_and_ValueTask_returns() => Verify("""
        using System.Threading.Tasks;
        using RayGen;
        namespace Demo;
        public static partial class Jobs
        {
            [Remote]
            public static void Log(string message) { }

            [Remote]
            public static Task FlushAsync() => Task.CompletedTask;

            [Remote]
            public static ValueTask PingAsync() => default;
        }
        """);

    [Test]
    public void CancellationToken_parameter_is_supplied_by_the_runtime() => Verify("""
        using System.Threading;
        using System.Threading.Tasks;
        using RayGen;
        namespace Demo;
        public static partial class Slow
        {
            [Remote]
            public static async Task<int> WaitAsync(int ms, CancellationToken cancellationToken)
            {
                await Task.Delay(ms, cancellationToken);
                return ms;
            }
        }
        """);

    [Test]
    public void Nested_partial_type() => Verify("""
        using RayGen;
        namespace Demo;
        public partial class Outer
        {
            internal partial struct Inner
            {
                [Remote]
                public static int Twice(int x) => 2 * x;
            }
        }
        """);

    [Test]
    public void Several_methods_and_overloads_in_one_type() => Verify("""
        using RayGen;
        namespace Demo;
        public static partial class MathTasks
        {
            [Remote]
            public static int Add(int x, int y) => x + y;

            [Remote]
            public static double Add(double x, double y) => x + y;

            [Remote]
            internal static int Negate(int x) => -x;
        }
        """);

    [Test]
    public void Options_in_the_attribute() => Verify("""
        using RayGen;
        namespace Demo;
        public static partial class Heavy
        {
            [Remote(NumCpus = 2, NumGpus = 0.5, MaxRetries = 5, RetryExceptions = true)]
            public static int Crunch(int[] data) => data.Length;
        }
        """);

    [Test]
    public void Method_in_the_global_namespace() => Verify("""
        using RayGen;
        public static partial class GlobalTasks
        {
            [Remote]
            public static string Echo(string text) => text;
        }
        """);

    [Test]
    public void Parameter_names_that_clash_with_generated_names() => Verify("""
        using RayGen;
        namespace Demo;
        public static partial class Clashes
        {
            [Remote]
            public static int Sum(int value, int options, int ray, int context, int @class, int __rayCall) =>
                value + options + ray + context + @class + __rayCall;
        }
        """);

    [Test]
    public void ObjectRef_parameter_receives_the_ref_itself() => Verify("""
        using RayGen;
        namespace Demo;
        public static partial class Refs
        {
            [Remote]
            public static int Length(ObjectRef<int[]> data, ObjectRef done) => data.Get().Length;
        }
        """);

    [Test]
    public void MemoryPackable_types_are_registered_explicitly() => Verify("""
        using System.Collections.Generic;
        using MemoryPack;
        using RayGen;
        namespace Demo;
        [MemoryPackable]
        public partial class Point { public int X { get; set; } public int Y { get; set; } }
        public static partial class Geometry
        {
            [Remote]
            public static Point Middle(List<Point> points) => points[0];
        }
        """);

    [Test]
    public void Actor_with_two_constructors_and_every_return_shape() => Verify("""
        using System.Threading;
        using System.Threading.Tasks;
        using RayGen;
        namespace Demo;
        [Remote(MaxRestarts = 1)]
        public partial class Counter
        {
            private int _n;
            public Counter() { }
            public Counter(int start) => _n = start;
            public void Reset() => _n = 0;
            public int Increment() => ++_n;
            public Task SaveAsync() => Task.CompletedTask;
            public async Task<int> ReadAsync() { await Task.Yield(); return _n; }
            public async Task<int> WaitAsync(int ms, CancellationToken cancellationToken) { await Task.Delay(ms, cancellationToken); return _n; }
            private int Hidden() => _n;
            public static int NotAnActorMethod() => 0;
        }
        """);

    [Test]
    public void Nested_actor_class() => Verify("""
        using RayGen;
        namespace Demo;
        public static partial class Bank
        {
            [Remote]
            public partial class Account
            {
                private decimal _balance;
                public decimal Deposit(decimal amount) => _balance += amount;
            }
        }
        """);

    [Test]
    public void Record_actor_gets_New_from_its_primary_constructor_and_only_its_own_methods() => Verify("""
        using RayGen;
        namespace Demo;
        [Remote]
        public sealed partial record Acc(int Start)
        {
            public int Step { get; init; } = 1;
            public int Add(int x) => Start + Step * x;
            public override string ToString() => $"Acc({Start})";
        }
        """);

    [Test]
    public void Two_actors_of_one_name_in_different_namespaces() => Verify("""
        using RayGen;
        namespace Alpha
        {
            [Remote]
            public partial class Worker { public int Id() => 1; }
        }
        namespace Beta
        {
            [Remote]
            internal partial class Worker { public int Id() => 2; }
        }
        """);

    [Test]
    public void Actor_with_static_remote_methods_shares_one_Remote_property() => Verify("""
        using RayGen;
        namespace Demo;
        [Remote]
        public partial class Registry
        {
            public int Count() => 0;

            [Remote]
            public static int Count(int[] items) => items.Length;
        }
        """);
    [Test]
    public void Methods_returning_IEnumerable_or_IAsyncEnumerable_stream_their_items() => Verify("""
        using System.Collections.Generic;
        using System.Runtime.CompilerServices;
        using System.Threading;
        using System.Threading.Tasks;
        using RayGen;
        namespace Demo;
        public static partial class Gen
        {
            [Remote]
            public static IEnumerable<int> Count(int n) { for (var i = 0; i < n; i++) yield return i; }

            [Remote(StreamBackpressure = 4)]
            public static async IAsyncEnumerable<string> LinesAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
            {
                await Task.Yield();
                yield return path;
            }

            [Remote]
            public static int Sum(ObjectRefStream<int> items) { var sum = 0; foreach (var item in items) sum += item.Get(); return sum; }

            [Remote]
            public static List<int> NotAStream() => new();
        }
        """);

    [Test]
    public void Actor_methods_returning_streams() => Verify("""
        using System.Collections.Generic;
        using System.Threading.Tasks;
        using RayGen;
        namespace Demo;
        [Remote(StreamBackpressure = 2)]
        public partial class Reader
        {
            private int _next;
            public IEnumerable<int> Take(int count) { for (var i = 0; i < count; i++) yield return _next++; }
            public async IAsyncEnumerable<byte[]> ChunksAsync(int size) { await Task.Yield(); yield return new byte[size]; }
        }
        """);
}
