using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;

namespace RayGen.Analyzers.Tests;

/// <summary>Streams: each item crosses the wire as a result does (RAY003), and StreamBackpressure belongs on a method that streams (RAY017).</summary>
public sealed class StreamShapeTests
{
    [Test]
    public Task A_stream_of_an_unserializable_item_reports_RAY003_on_its_return_type() => Verify.Analyzer("""
        public static partial class Gen
        {
            [Remote]
            public static {|#0:System.Collections.Generic.IEnumerable<System.IO.Stream>|} Files() { yield break; }
        }
        """,
        Verify.Error("RAY003").WithLocation(0).WithArguments("Each stream item", "'Gen.Files'", "Stream", "'Stream' is an abstract class without [MemoryPackUnion]"));

    [Test]
    public Task StreamBackpressure_on_a_method_that_returns_one_value_reports_RAY017_on_the_attribute() => Verify.Analyzer("""
        public static partial class Gen
        {
            [{|#0:Remote(StreamBackpressure = 8)|}]
            public static int[] All(int n) => new int[n];
        }
        """,
        Verify.Error("RAY017").WithLocation(0).WithArguments("'Gen.All'",
            "sets StreamBackpressure, but it returns 'int[]', not a stream; only a method returning IEnumerable<T> or IAsyncEnumerable<T> streams its items"));

    [Test]
    public Task StreamBackpressure_of_zero_reports_RAY017_on_the_attribute() => Verify.Analyzer("""
        public static partial class Gen
        {
            [{|#0:Remote(StreamBackpressure = 0)|}]
            public static System.Collections.Generic.IEnumerable<int> Count() { yield return 1; }
        }
        """,
        Verify.Error("RAY017").WithLocation(0).WithArguments("'Gen.Count'",
            "sets StreamBackpressure = 0; it must be positive: the number of items produced and not yet read at which the producer pauses"));

    [Test]
    public Task A_positive_StreamBackpressure_on_a_stream_method_reports_nothing() => Verify.Analyzer("""
        public static partial class Gen
        {
            [Remote(StreamBackpressure = 4)]
            public static System.Collections.Generic.IEnumerable<int> Count() { yield return 1; }
        }
        """);
}
