using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;
using RayGen.Generators;

namespace RayGen.Analyzers.Tests;

/// <summary>
/// The contract between the generator and the analyzers, shape by shape: every [Remote] shape either gets a stub
/// that the user's code calls and that compiles cleanly, or a RAY error on its declaration. Never neither (the
/// user would see only CS0117 at the call), and never a stub that fails to compile.
/// </summary>
public sealed class ShapeCorpusTests
{
    private const string Stub = "stub";

    /// <summary>A shape, what it should produce (a stub, or a RAY id), and compiler errors C# itself adds to a rejected one.</summary>
    public sealed record Shape(string Name, string Expected, string Source, string[]? CompilerErrors = null, string[]? NotInStub = null)
    {
        public override string ToString() => Name;
    }

    private static readonly Shape[] Corpus =
    [
        // Tasks: [Remote] static methods, in every kind of type that can hold one.
        new("Static_method_in_a_static_class", Stub, """
            public static partial class MathTasks { [Remote] public static int Add(int x, int y) => x + y; }
            static class Use { static ObjectRef<int> Run() => MathTasks.Remote.Add(1, 2); }
            """),
        new("Static_method_in_an_abstract_class", Stub, """
            public abstract partial class Base { [Remote] public static int One() => 1; }
            static class Use { static ObjectRef<int> Run() => Base.Remote.One(); }
            """),
        new("Static_method_in_a_struct", Stub, """
            public partial struct Point { public int X; [Remote] public static int Twice(int x) => 2 * x; }
            static class Use { static ObjectRef<int> Run() => Point.Remote.Twice(2); }
            """),
        new("Static_method_in_a_readonly_struct", Stub, """
            public readonly partial struct Point { public readonly int X; [Remote] public static int Twice(int x) => 2 * x; }
            static class Use { static ObjectRef<int> Run() => Point.Remote.Twice(2); }
            """),
        new("Static_method_in_a_ref_struct", Stub, """
            public ref partial struct Cursor { [Remote] public static int Twice(int x) => 2 * x; }
            static class Use { static ObjectRef<int> Run() => Cursor.Remote.Twice(2); }
            """),
        new("Static_method_in_a_record_class", Stub, """
            public partial record Money(decimal Amount) { [Remote] public static decimal Double(decimal x) => 2 * x; }
            static class Use { static ObjectRef<decimal> Run() => Money.Remote.Double(2m); }
            """),
        new("Static_method_in_a_record_struct", Stub, """
            public partial record struct Money(decimal Amount) { [Remote] public static decimal Double(decimal x) => 2 * x; }
            static class Use { static ObjectRef<decimal> Run() => Money.Remote.Double(2m); }
            """),
        new("Static_method_with_a_body_in_an_interface", Stub, """
            public partial interface ITasks { [Remote] public static int One() => 1; }
            static class Use { static ObjectRef<int> Run() => ITasks.Remote.One(); }
            """),
        new("Static_method_in_an_internal_class", Stub, """
            internal static partial class Tasks { [Remote] internal static int One() => 1; }
            static class Use { static ObjectRef<int> Run() => Tasks.Remote.One(); }
            """),
        new("Private_static_method_gets_an_internal_stub", Stub, """
            public static partial class Tasks { [Remote] private static int Secret() => 42; }
            static class Use { static ObjectRef<int> Run() => Tasks.Remote.Secret(); }
            """),
        new("Static_method_in_the_global_namespace", Stub, """
            public static partial class GlobalTasks { [Remote] public static string Hi(string name) => name; }
            static class Use { static ObjectRef<string> Run() => GlobalTasks.Remote.Hi("x"); }
            """),
        new("Static_method_in_nested_partial_types", Stub, """
            public partial class Outer { internal static partial class Inner { [Remote] public static int One() => 1; } }
            static class Use { static ObjectRef<int> Run() => Outer.Inner.Remote.One(); }
            """),
        new("Static_method_in_a_protected_internal_nested_type", Stub, """
            public partial class Outer { protected internal static partial class Inner { [Remote] public static int One() => 1; } }
            static class Use { static ObjectRef<int> Run() => Outer.Inner.Remote.One(); }
            """),
        new("Overloaded_static_methods", Stub, """
            public static partial class MathTasks
            {
                [Remote] public static int Add(int x, int y) => x + y;
                [Remote] public static int Add(int x, int y, int z) => x + y + z;
                [Remote] public static string Add(string x, string y) => x + y;
            }
            static class Use
            {
                static ObjectRef<string> Run()
                {
                    ObjectRef<int> two = MathTasks.Remote.Add(1, 2);
                    ObjectRef<int> three = MathTasks.Remote.Add(1, 2, 3);
                    return MathTasks.Remote.Add("a", "b");
                }
            }
            """),
        new("Partial_static_method_declared_in_two_parts", Stub, """
            public static partial class Tasks
            {
                [Remote] public static partial int One(int x);
                public static partial int One(int x) => x;
            }
            static class Use { static ObjectRef<int> Run() => Tasks.Remote.One(1); }
            """),
        new("Params_array_parameter", Stub, """
            public static partial class MathTasks { [Remote] public static int Sum(params int[] values) => values.Sum(); }
            static class Use { static ObjectRef<int> Run() => MathTasks.Remote.Sum(new[] { 1, 2, 3 }); }
            """),
        new("Default_parameter_value_is_passed_explicitly", Stub, """
            public static partial class MathTasks { [Remote] public static int Scale(int x, int factor = 2) => x * factor; }
            static class Use { static ObjectRef<int> Run() => MathTasks.Remote.Scale(1, 2); }
            """),
        new("Defaulted_CancellationToken_is_supplied_by_the_runtime", Stub, """
            public static partial class Slow { [Remote] public static Task<int> WaitAsync(int ms, CancellationToken token = default) => Task.FromResult(ms); }
            static class Use { static ObjectRef<int> Run() => Slow.Remote.WaitAsync(5); }
            """),
        new("Tuple_and_collection_types", Stub, """
            public static partial class Tasks { [Remote] public static (int Min, int Max) Range(List<int> xs) => (xs.Min(), xs.Max()); }
            static class Use { static ObjectRef<(int Min, int Max)> Run() => Tasks.Remote.Range(new List<int> { 1 }); }
            """),
        new("Keyword_named_method_and_parameter", Stub, """
            public static partial class Tasks { [Remote] public static int @event(int @class) => @class; }
            static class Use { static ObjectRef<int> Run() => Tasks.Remote.@event(1); }
            """),
        new("ObjectRef_parameter_receives_the_ref", Stub, """
            public static partial class Tasks { [Remote] public static int Peek(ObjectRef<int> r) => 0; }
            static class Use { static ObjectRef<int> Run() => Tasks.Remote.Peek(Ray.Put(1)); }
            """),

        // Actors: [Remote] classes and record classes.
        new("Class_actor", Stub, """
            [Remote] public partial class Counter { private int _n; public Counter(int start) => _n = start; public int Increment() => ++_n; }
            static class Use { static ObjectRef<int> Run() => Counter.Remote.New(1).Increment(); }
            """),
        new("Class_actor_with_the_implicit_constructor", Stub, """
            [Remote] public partial class Counter { public int Next() => 1; }
            static class Use { static ObjectRef<int> Run() => Counter.Remote.New().Next(); }
            """),
        new("Class_actor_with_a_primary_constructor", Stub, """
            [Remote] public partial class Acc(int start) { public int Add(int x) => start + x; }
            static class Use { static ObjectRef<int> Run() => Acc.Remote.New(1).Add(2); }
            """),
        new("Sealed_internal_class_actor", Stub, """
            [Remote] internal sealed partial class Counter { public int Next() => 1; }
            static class Use { static ObjectRef<int> Run() => Counter.Remote.New().Next(); }
            """),
        new("Actor_deriving_from_an_abstract_class", Stub, """
            public abstract class Worker { public abstract int Run(); }
            [Remote] public partial class FastWorker : Worker { public override int Run() => 1; }
            static class Use { static ObjectRef<int> Go() => FastWorker.Remote.New().Run(); }
            """),
        new("Nested_class_actor", Stub, """
            public partial class Bank { [Remote] public partial class Account { public decimal Deposit(decimal amount) => amount; } }
            static class Use { static ObjectRef<decimal> Run() => Bank.Account.Remote.New().Deposit(1m); }
            """),
        new("Actor_with_overloads_async_methods_and_two_constructors", Stub, """
            [Remote]
            public partial class Store
            {
                public Store() { }
                public Store(string name) { }
                public int Put(int x) => x;
                public int Put(string s) => s.Length;
                public async Task<int> ReadAsync() { await Task.Yield(); return 1; }
                public ValueTask FlushAsync() => default;
                public void Log(string message) { }
            }
            static class Use
            {
                static ObjectRef<int> Run()
                {
                    var store = Store.Remote.New("s");
                    ObjectRef none = store.FlushAsync();
                    ObjectRef logged = store.Log("m");
                    ObjectRef<int> a = store.Put(1);
                    ObjectRef<int> b = store.Put("x");
                    return store.ReadAsync();
                }
            }
            """),
        new("Actor_members_that_are_not_remote_are_skipped", Stub, """
            [Remote]
            public partial class Counter
            {
                public int Start { get; init; }
                public int Next() => Helper<int>(1) + Internal() + Private();
                internal int Internal() => 1;
                private int Private() => 1;
                private T Helper<T>(T x) => x;
                internal Counter(string s) { }
                public Counter() { }
                public static int Shared() => 1;
                public override string ToString() => "counter";
                public override bool Equals(object? other) => false;
                public override int GetHashCode() => 0;
            }
            static class Use { static ObjectRef<int> Run() => Counter.Remote.New().Next(); }
            """,
            NotInStub: [" Internal(", " Private(", "Helper", " Shared(", "ToString(", "Equals(", "GetHashCode(", "Start("]),
        new("Actor_with_a_static_remote_method_shares_one_Remote_property", Stub, """
            [Remote] public partial class Registry { public int Count() => 0; [Remote] public static int Version() => 1; }
            static class Use { static ObjectRef<int> Run() { ObjectRef<int> v = Registry.Remote.Version(); return Registry.Remote.New().Count(); } }
            """),
        new("Remote_on_an_actor_method_is_redundant", Stub, """
            [Remote] public partial class Counter { [Remote] public int Next() => 1; }
            static class Use { static ObjectRef<int> Run() => Counter.Remote.New().Next(); }
            """),
        new("Positional_record_class_actor", Stub, """
            [Remote] public partial record Acc(int Start) { public int Add(int x) => Start + x; }
            static class Use { static ObjectRef<int> Run() => Acc.Remote.New(10).Add(1); }
            """,
            NotInStub: ["Deconstruct", "PrintMembers", "Clone", "EqualityContract", "Equals(", "GetHashCode(", "ToString(", "Start("]),
        new("Sealed_record_class_actor_with_init_properties", Stub, """
            [Remote] public sealed partial record class Settings { public int Size { get; init; } = 4; public int Grow(int by) => Size + by; }
            static class Use { static ObjectRef<int> Run() => Settings.Remote.New().Grow(1); }
            """,
            NotInStub: ["Deconstruct", "PrintMembers", "Clone", "Equals(", "Size("]),
        new("Record_actor_with_customized_record_members", Stub, """
            [Remote]
            public partial record Acc(int Start)
            {
                public int Add(int x) => Start + x;
                public virtual bool Equals(Acc? other) => other is not null && other.Start == Start;
                public override int GetHashCode() => Start;
                public override string ToString() => "acc";
                protected virtual bool PrintMembers(System.Text.StringBuilder builder) => false;
                public void Deconstruct(out int start) => start = Start;
            }
            static class Use { static ObjectRef<int> Run() => Acc.Remote.New(1).Add(2); }
            """,
            NotInStub: ["Deconstruct", "PrintMembers", "Equals(", "GetHashCode(", "ToString("]),
        new("Derived_record_actor", Stub, """
            public abstract record Shape(string Name);
            [Remote] public partial record Circle(string Name, double R) : Shape(Name) { public double Area() => 3.14 * R * R; }
            static class Use { static ObjectRef<double> Run() => Circle.Remote.New("c", 1.0).Area(); }
            """,
            NotInStub: ["Deconstruct", "PrintMembers", "Equals("]),

        // RAY001: the generator cannot add to a type that is not partial.
        new("Non_partial_class_holding_a_task", "RAY001", """
            public static class MathTasks { [Remote] public static int Add(int x, int y) => x + y; }
            """),
        new("Non_partial_class_actor", "RAY001", """
            [Remote] public class Counter { public int Next() => 1; }
            """),
        new("Non_partial_record_actor", "RAY001", """
            [Remote] public record Acc(int Start) { public int Add(int x) => Start + x; }
            """),
        new("Non_partial_struct_holding_a_task", "RAY001", """
            public struct Point { [Remote] public static int One() => 1; }
            """),
        new("Non_partial_type_around_a_partial_one", "RAY001", """
            public class Outer { public static partial class Inner { [Remote] public static int One() => 1; } }
            """),

        // RAY002: an instance method is remote only on an actor.
        new("Instance_method_of_a_plain_class", "RAY002", """
            public partial class Calculator { [Remote] public int Add(int x, int y) => x + y; }
            """),
        new("Instance_method_of_a_struct", "RAY002", """
            public partial struct Calculator { [Remote] public int Add(int x, int y) => x + y; }
            """),
        new("Default_interface_method", "RAY002", """
            public partial interface ICalculator { [Remote] public int Add(int x, int y) => x + y; }
            """),
        new("Abstract_instance_method", "RAY002", """
            public abstract partial class Calculator { [Remote] public abstract int Add(int x, int y); }
            """),

        // RAY003: what a stub cannot carry.
        new("Unserializable_parameter", "RAY003", """
            public static partial class Files { [Remote] public static long Length(Stream stream) => stream.Length; }
            """),
        new("Span_parameter", "RAY003", """
            public static partial class Tasks { [Remote] public static int Sum(Span<int> values) => values.Length; }
            """),
        new("ReadOnlySpan_result", "RAY003", """
            public static partial class Tasks { [Remote] public static ReadOnlySpan<int> Empty() => default; }
            """),
        new("Pointer_result", "RAY003", """
            public static unsafe partial class Native { [Remote] public static int* Address() => null; }
            """),
        new("Ref_struct_actor_method_parameter", "RAY003", """
            [Remote] public partial class Counter { public int Count(ReadOnlySpan<char> text) => text.Length; }
            """),

        // RAY004: references and pointers do not cross processes.
        new("Ref_parameter", "RAY004", """
            public static partial class Counters { [Remote] public static int Bump(ref int value) => ++value; }
            """),
        new("Out_parameter", "RAY004", """
            public static partial class Counters { [Remote] public static void Read(out int value) => value = 1; }
            """),
        new("In_parameter", "RAY004", """
            public static partial class Counters { [Remote] public static int Read(in int value) => value; }
            """),
        new("Ref_readonly_parameter", "RAY004", """
            public static partial class Counters { [Remote] public static int Read(ref readonly int value) => value; }
            """),
        new("Pointer_parameter", "RAY004", """
            public static unsafe partial class Native { [Remote] public static int Read(int* value) => *value; }
            """),
        new("Ref_return", "RAY004", """
            public static partial class Slots { private static int s_value; [Remote] public static ref int Slot() => ref s_value; }
            """),
        new("Out_parameter_of_an_actor_method", "RAY004", """
            [Remote] public partial class Counter { public bool TryRead(out int value) { value = 0; return true; } }
            """),
        new("Ref_parameter_of_an_actor_constructor", "RAY004", """
            [Remote] public partial class Counter { public Counter(ref int seed) { } }
            """),

        // RAY005: no generic remote methods.
        new("Generic_static_method", "RAY005", """
            public static partial class Tasks { [Remote] public static T Echo<T>(T value) => value; }
            """),
        new("Generic_public_actor_method", "RAY005", """
            [Remote] public partial class Cache { public T Echo<T>(T value) => value; }
            """),

        // RAY006-RAY008, RAY015: an actor is a class the runtime can construct.
        new("Abstract_class_actor", "RAY006", """
            [Remote] public abstract partial class Worker { public abstract int Run(); }
            """),
        new("Abstract_record_actor", "RAY006", """
            [Remote] public abstract partial record Worker(int Id) { public int Run() => Id; }
            """),
        new("Actor_without_a_public_constructor", "RAY007", """
            [Remote] public partial class Singleton { private Singleton() { } public int Next() => 1; }
            """),
        new("Static_class_actor", "RAY008", """
            [Remote] public static partial class MathTasks { public static int Add(int x, int y) => x + y; }
            """),
        new("Struct_actor", "RAY015", """
            [Remote] public partial struct Counter { public int Next() => 1; }
            """, CompilerErrors: ["CS0592"]),
        new("Record_struct_actor", "RAY015", """
            [Remote] public partial record struct Tally(int Count) { public int Add(int x) => Count + x; }
            """, CompilerErrors: ["CS0592"]),
        new("Interface_actor", "RAY015", """
            [Remote] public partial interface IWorker { int Run(); }
            """, CompilerErrors: ["CS0592"]),

        // RAY011, RAY012: the generator names the type from outside it.
        new("Generic_class_holding_a_task", "RAY011", """
            public static partial class Tasks<T> { [Remote] public static int One() => 1; }
            """),
        new("Generic_class_actor", "RAY011", """
            [Remote] public partial class Box<T> { public int Count() => 0; }
            """),
        new("Generic_record_actor", "RAY011", """
            [Remote] public partial record Box<T>(T Value) { public int Count() => 0; }
            """),
        new("Task_nested_in_a_generic_class", "RAY011", """
            public partial class Outer<T> { public static partial class Inner { [Remote] public static int One() => 1; } }
            """),
        new("Private_nested_class_holding_a_task", "RAY012", """
            public partial class Outer { private static partial class Tasks { [Remote] public static int One() => 1; } }
            """),
        new("Protected_nested_actor", "RAY012", """
            public partial class Outer { [Remote] protected partial class Counter { public int Next() => 1; } }
            """),
        new("Private_protected_nested_class_holding_a_task", "RAY012", """
            public partial class Outer { private protected static partial class Tasks { [Remote] public static int One() => 1; } }
            """),
        new("File_local_class_holding_a_task", "RAY012", """
            file static partial class Tasks { [Remote] public static int One() => 1; }
            """),
        new("File_local_actor", "RAY012", """
            [Remote] file partial class Counter { public int Next() => 1; }
            """),

        // RAY013, RAY014: the stub's call shape.
        new("Extension_method", "RAY013", """
            public static partial class IntTasks { [Remote] public static int Twice(this int value) => 2 * value; }
            """),
        new("Params_collection_parameter", "RAY014", """
            public static partial class Tasks { [Remote] public static int Sum(params List<int> values) => values.Count; }
            """),

        // Streams: a method returning IEnumerable<T> or IAsyncEnumerable<T> streams its items as ObjectRefStream<T>.
        new("Static_method_returning_IEnumerable", Stub, """
            public static partial class Gen { [Remote] public static IEnumerable<int> Count(int n) { for (var i = 0; i < n; i++) yield return i; } }
            static class Use { static ObjectRefStream<int> Run() => Gen.Remote.Count(3); }
            """),
        new("Static_method_returning_IAsyncEnumerable_with_a_token", Stub, """
            public static partial class Gen
            {
                [Remote(StreamBackpressure = 2)]
                public static async IAsyncEnumerable<string> Lines(int n, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken token)
                { await Task.Yield(); yield return "a"; }
            }
            static class Use { static async Task<int> Run() { var n = 0; await foreach (var line in Gen.Remote.Lines(1)) n += (await line).Length; return n; } }
            """),
        new("Actor_methods_returning_streams", Stub, """
            [Remote(StreamBackpressure = 4)]
            public partial class Reader
            {
                public IEnumerable<int> Take(int n) { yield return n; }
                public async IAsyncEnumerable<int> TakeAsync(int n) { await Task.Yield(); yield return n; }
            }
            static class Use { static ObjectRefStream<int> Run(ActorHandle<Reader> r) => r.TakeAsync(1); }
            """),
        new("Stream_passed_as_a_parameter", Stub, """
            public static partial class Gen
            {
                [Remote] public static IEnumerable<int> Count(int n) { yield return n; }
                [Remote] public static int Sum(ObjectRefStream<int> items) => items.AsEnumerable().Sum(r => r.Get());
            }
            static class Use { static ObjectRef<int> Run() => Gen.Remote.Sum(Gen.Remote.Count(3)); }
            """),
        new("Collection_result_is_one_value_not_a_stream", Stub, """
            public static partial class Gen { [Remote] public static List<int> All(int n) => new(); }
            static class Use { static ObjectRef<List<int>> Run() => Gen.Remote.All(3); }
            """),
        new("Stream_of_a_ref_struct", "RAY003", """
            public static partial class Gen { [Remote] public static IEnumerable<Span<int>> Spans() => throw new NotSupportedException(); }
            """),
        new("Async_stream_of_an_unserializable_item", "RAY003", """
            public static partial class Gen { [Remote] public static async IAsyncEnumerable<Stream> Files() { await Task.Yield(); yield break; } }
            """),
        new("Actor_stream_of_an_unserializable_item", "RAY003", """
            [Remote] public partial class Reader { public IEnumerable<Action> Callbacks() { yield break; } }
            """),
        new("Enumerator_result", "RAY003", """
            public static partial class Gen { [Remote] public static IEnumerator<int> Count() { yield return 1; } }
            """),
        new("StreamBackpressure_on_a_method_that_does_not_stream", "RAY017", """
            public static partial class Gen { [Remote(StreamBackpressure = 8)] public static int[] All(int n) => new int[n]; }
            """),
        new("StreamBackpressure_that_is_not_positive", "RAY017", """
            public static partial class Gen { [Remote(StreamBackpressure = 0)] public static IEnumerable<int> Count() { yield return 1; } }
            """),
        new("StreamBackpressure_that_is_not_positive_on_an_actor", "RAY017", """
            [Remote(StreamBackpressure = -1)] public partial class Reader { public IEnumerable<int> Take() { yield return 1; } }
            """),

        // RAY016: [Remote] on something a worker cannot call by name.
        new("Operator", "RAY016", """
            public readonly partial struct Money
            {
                public decimal Amount { get; init; }
                [Remote] public static Money operator +(Money a, Money b) => new() { Amount = a.Amount + b.Amount };
            }
            """),
        new("Conversion_operator", "RAY016", """
            public readonly partial struct Money { public decimal Amount { get; init; } [Remote] public static implicit operator decimal(Money m) => m.Amount; }
            """),
        new("Property_accessor", "RAY016", """
            public static partial class Config { public static int Size { [Remote] get => 1; } }
            """),
        new("Constructor_of_a_class_that_is_not_an_actor", "RAY016", """
            public partial class Plain { [Remote] public Plain() { } }
            """, CompilerErrors: ["CS0592"]),
        new("Static_constructor", "RAY016", """
            public partial class Plain { [Remote] static Plain() { } }
            """, CompilerErrors: ["CS0592"]),
        new("Finalizer", "RAY016", """
            public partial class Plain { [Remote] ~Plain() { } }
            """),
        new("Local_function", "RAY016", """
            public static partial class Tasks
            {
                public static int Outer() { return Inner(); [Remote] static int Inner() => 1; }
            }
            """),
        new("Lambda", "RAY016", """
            public static partial class Tasks { public static Func<int, int> Twice = [Remote] static (int x) => 2 * x; }
            """),
        new("Static_abstract_interface_member", "RAY016", """
            public partial interface IFactory { [Remote] static abstract int Create(); }
            """),
        new("Static_virtual_interface_member", "RAY016", """
            public partial interface IFactory { [Remote] static virtual int Create() => 1; }
            """),
    ];

    private static IEnumerable<TestCaseData> Cases() =>
        Corpus.Select(shape => new TestCaseData(shape).SetName(
            shape.Name + (shape.Expected == Stub ? "_gets_a_stub_that_compiles" : "_is_rejected_with_" + shape.Expected)));

    [TestCaseSource(nameof(Cases))]
    public async Task Each_shape_gets_a_stub_that_compiles_or_a_RAY_error(Shape shape)
    {
        var compilation = await CreateCompilationAsync(shape.Source);
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            generators: [new RemoteGenerator().AsSourceGenerator()],
            parseOptions: (CSharpParseOptions)compilation.SyntaxTrees.First().Options);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var run = driver.GetRunResult();
        Assert.That(run.Results.Select(r => r.Exception), Is.All.Null, "the generator threw");
        Assert.That(generatorDiagnostics, Is.Empty, "the generator reports nothing; diagnostics are the analyzers' job");

        var all = await output
            .WithAnalyzers(RayGenAnalyzers.All().ToImmutableArray())
            .GetAllDiagnosticsAsync(CancellationToken.None);
        var errors = all.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        var generated = run.GeneratedTrees.ToHashSet();
        var report = string.Join("\n", errors.Select(e => e.ToString()));

        Assert.That(errors.Where(e => e.Location.SourceTree is { } tree && generated.Contains(tree)), Is.Empty,
            "a stub that does not compile:\n" + report + "\n" + string.Join("\n", run.GeneratedTrees.Select(t => t.ToString())));

        var stubText = string.Concat(run.GeneratedTrees.Select(t => t.ToString()));
        if (shape.Expected == Stub)
        {
            Assert.That(errors, Is.Empty, "the shape should get a stub the user's calls compile against:\n" + report);
            Assert.That(run.GeneratedTrees, Is.Not.Empty);
            foreach (var name in shape.NotInStub ?? [])
                Assert.That(stubText, Does.Not.Contain(name), $"'{name}' is not a remote member");
            return;
        }

        var rayErrors = errors.Where(e => e.Id.StartsWith("RAY", StringComparison.Ordinal)).ToArray();
        Assert.That(rayErrors.Select(e => e.Id), Does.Contain(shape.Expected), "the RAY error that explains the rejection:\n" + report);
        Assert.That(rayErrors.Where(e => e.Id == shape.Expected).Select(e => e.Location.SourceTree),
            Has.All.SameAs(compilation.SyntaxTrees.First()), "the error points at the user's declaration");
        var otherErrors = errors.Where(e => !e.Id.StartsWith("RAY", StringComparison.Ordinal)).Select(e => e.Id).Distinct();
        Assert.That(otherErrors, Is.EquivalentTo(shape.CompilerErrors ?? []), "compiler errors besides the RAY ones:\n" + report);
    }

    private static async Task<Compilation> CreateCompilationAsync(string source)
    {
        const string usings = "using System;\nusing System.Collections.Generic;\nusing System.IO;\nusing System.Linq;\nusing System.Threading;\nusing System.Threading.Tasks;\nusing RayGen;\n\n";
        var references = await TestReferences.Net10.ResolveAsync(LanguageNames.CSharp, CancellationToken.None);
        return CSharpCompilation.Create(
            "UserApp",
            [CSharpSyntaxTree.ParseText(usings + source, new CSharpParseOptions(LanguageVersion.Latest), path: "Shape.cs")],
            references.AddRange(TestReferences.RayGen),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
    }
}
