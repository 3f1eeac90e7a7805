using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;

namespace RayGen.Analyzers.Tests;

/// <summary>RAY003: every value that crosses to a worker goes through MemoryPack.</summary>
public sealed class NotSerializableTests
{
    [Test]
    public Task Class_parameter_without_MemoryPackable_reports_RAY003_on_the_parameter_type() => Verify.Analyzer("""
        public static partial class Files
        {
            [Remote]
            public static int Length({|#0:Stream|} stream) => (int)stream.Length;
        }
        """,
        Verify.Error("RAY003").WithLocation(0)
            .WithArguments("Parameter 'stream'", "'Files.Length'", "Stream", "'Stream' is an abstract class without [MemoryPackUnion]"));

    [Test]
    public Task Generic_parameter_type_names_the_element_at_fault() => Verify.Analyzer("""
        public static partial class Files
        {
            [Remote]
            public static int Count({|#0:Dictionary<string, List<Stream>>|} streams) => streams.Count;
        }
        """,
        Verify.Error("RAY003").WithLocation(0)
            .WithArguments("Parameter 'streams'", "'Files.Count'", "Dictionary<string, List<Stream>>", "its element 'Stream' is an abstract class without [MemoryPackUnion]"));

    [TestCase("object", "'object' names no type to deserialize into")]
    [TestCase("Exception", "'Exception' is a class without [MemoryPackable]")]
    [TestCase("(int, Stream)", "its element 'Stream' is an abstract class without [MemoryPackUnion]")]
    [TestCase("IDisposable", "'IDisposable' is an interface without [MemoryPackUnion]")]
    [TestCase("Func<int>", "'Func<int>' is a delegate: code, not data")]
    [TestCase("Span<int>", "'Span<int>' is a ref struct, which cannot leave the stack")]
    [TestCase("KeyValuePair<string, object>", "its element 'object' names no type to deserialize into")]
    public Task Unserializable_parameter_reports_RAY003_with_the_reason(string type, string reason) => Verify.Analyzer($$"""
        public static partial class Tasks
        {
            [Remote]
            public static void Use({|#0:{{type}}|} value) { }
        }
        """,
        Verify.Error("RAY003").WithLocation(0).WithArguments("Parameter 'value'", "'Tasks.Use'", type, reason));

    [Test]
    public Task Task_return_is_unwrapped_and_its_result_reports_RAY003_on_the_return_type() => Verify.Analyzer("""
        public static partial class Files
        {
            [Remote]
            public static {|#0:Task<Stream>|} OpenAsync(string path) => Task.FromResult<Stream>(File.OpenRead(path));
        }
        """,
        Verify.Error("RAY003").WithLocation(0)
            .WithArguments("The return value", "'Files.OpenAsync'", "Stream", "'Stream' is an abstract class without [MemoryPackUnion]"));

    [Test]
    public Task Ref_struct_parameter_reports_RAY003_on_the_parameter_type() => Verify.Analyzer("""
        public static partial class Tasks
        {
            [Remote]
            public static int Sum({|#0:Span<int>|} values) => values.Length;
        }
        """,
        Verify.Error("RAY003").WithLocation(0)
            .WithArguments("Parameter 'values'", "'Tasks.Sum'", "Span<int>", "'Span<int>' is a ref struct, which cannot leave the stack"));

    [Test]
    public Task Pointer_return_reports_RAY003() => Verify.Analyzer("""
        public static unsafe partial class Native
        {
            [Remote]
            public static {|#0:int*|} Address() => null;
        }
        """,
        Verify.Error("RAY003").WithLocation(0)
            .WithArguments("The return value", "'Native.Address'", "int*", "'int*' is a pointer, an address that means nothing in another process"));

    [Test]
    public Task Actor_constructor_and_public_method_types_report_RAY003_but_private_methods_do_not() => Verify.Analyzer("""
        [Remote]
        public partial class Store
        {
            public Store({|#0:Stream|} backing) { }
            public {|#1:Func<int>|} Reader() => () => 1;
            private Func<int> Hidden() => () => 2;
            public override bool Equals(object? other) => ReferenceEquals(this, other);
            public override int GetHashCode() => 0;
        }
        """,
        Verify.Error("RAY003").WithLocation(0)
            .WithArguments("Parameter 'backing'", "the constructor of 'Store'", "Stream", "'Stream' is an abstract class without [MemoryPackUnion]"),
        Verify.Error("RAY003").WithLocation(1)
            .WithArguments("The return value", "'Store.Reader'", "Func<int>", "'Func<int>' is a delegate: code, not data"));

    [Test]
    public Task Types_MemoryPack_can_serialize_report_nothing() => Verify.Analyzer("""
        public enum Color { Red, Green }
        public struct Point { public int X; public int Y; }

        [MemoryPackable]
        public partial class Order { public string Name { get; set; } = ""; }

        [MemoryPackUnion(0, typeof(Circle))]
        public partial interface IShape { }

        [MemoryPackable]
        public partial class Circle : IShape { }

        [Remote]
        public partial class Counter { public int Increment() => 1; }

        public static partial class Tasks
        {
            [Remote]
            public static void Primitives(int a, long b, double c, bool d, char e, decimal f, string g, string? h) { }

            [Remote]
            public static void Values(DateTime a, DateTimeOffset b, TimeSpan c, Guid d, Color e, Point f, int? g, Uri h, Version i) { }

            [Remote]
            public static void Collections(int[] a, string[,] b, List<int> c, Dictionary<string, List<Order>> d, HashSet<Guid> e,
                IReadOnlyList<Point> f, (int, string) g, Tuple<int, Order> h, KeyValuePair<string, int> i, Queue<IShape> j) { }

            [Remote]
            public static void Ray(ObjectRef<int> a, ObjectRef b, ActorHandle<Counter> c, ObjectRef<Stream> d, CancellationToken token) { }

            [Remote]
            public static Task<List<Order>> Async() => Task.FromResult(new List<Order>());

            [Remote]
            public static ValueTask<IShape> AsyncShape() => new(new Circle());

            [Remote]
            public static Task Plain() => Task.CompletedTask;

            [Remote]
            public static ValueTask PlainValue() => default;

            [Remote]
            public static ObjectRef<int> Forward(ObjectRef<int> value) => value;
        }
        """);
}
