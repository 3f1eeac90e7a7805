using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;

namespace RayGen.Analyzers.Tests;

/// <summary>
/// RAY018: a transform given to RayGen.Data runs in a worker process, so a lambda or method group that
/// captures a variable, a parameter or <c>this</c> has nothing to capture there.
/// </summary>
public sealed class CapturingTransformTests
{
    [Test]
    public Task Lambda_capturing_a_local_passed_to_Dataset_Map_is_RAY018_on_the_lambda() => Verify.Analyzer(DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Scaled()
            {
                var factor = 3;
                return RayData.Range(10).Map({|#0:x => x * factor|});
            }
        }
        """),
        Verify.Error("RAY018").WithLocation(0).WithArguments("lambda", "Dataset.Map", "'factor'"));

    [Test]
    public Task Lambda_capturing_a_parameter_passed_to_Dataset_Filter_is_RAY018_on_the_lambda() => Verify.Analyzer(DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Above(Dataset<int> numbers, int threshold) =>
                numbers.Filter({|#0:(int x) => x > threshold|});
        }
        """),
        Verify.Error("RAY018").WithLocation(0).WithArguments("lambda", "Dataset.Filter", "'threshold'"));

    [Test]
    public Task Lambda_reading_an_instance_field_captures_this_and_is_RAY018_on_the_lambda() => Verify.Analyzer(DataApi.With("""
        public sealed class Pipeline
        {
            private readonly int _offset = 1;

            public Dataset<int> Shifted(Dataset<int> numbers) => numbers.Map({|#0:x => x + _offset|});
        }
        """),
        Verify.Error("RAY018").WithLocation(0).WithArguments("lambda", "Dataset.Map", "'this'"));

    [Test]
    public Task Lambda_capturing_several_variables_names_each_in_order_of_declaration() => Verify.Analyzer(DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Line(Dataset<int> numbers, int slope)
            {
                var intercept = 2;
                var limit = 100;
                return numbers.Map({|#0:x =>
                {
                    var y = x * slope + intercept;
                    return y > limit ? limit : y;
                }|});
            }
        }
        """),
        Verify.Error("RAY018").WithLocation(0).WithArguments("lambda", "Dataset.Map", "'slope', 'intercept' and 'limit'"));

    [Test]
    public Task Anonymous_method_capturing_a_local_passed_to_Dataset_FlatMap_is_RAY018_on_the_anonymous_method() => Verify.Analyzer(DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Repeated(Dataset<int> numbers)
            {
                var times = 2;
                return numbers.FlatMap({|#0:delegate (int x) { return new int[times]; }|});
            }
        }
        """),
        Verify.Error("RAY018").WithLocation(0).WithArguments("anonymous method", "Dataset.FlatMap", "'times'"));

    [Test]
    public Task Each_capturing_function_given_to_GroupedDataset_Aggregate_is_RAY018_on_its_own_lambda() => Verify.Analyzer(DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<(int Key, long Value)> Sums(Dataset<int> numbers, long start, long weight) =>
                numbers.GroupBy(static x => x % 10).Aggregate(
                    {|#0:() => start|},
                    {|#1:(acc, x) => acc + weight * x|},
                    static (a, b) => a + b);
        }
        """),
        Verify.Error("RAY018").WithLocation(0).WithArguments("lambda", "GroupedDataset.Aggregate", "'start'"),
        Verify.Error("RAY018").WithLocation(1).WithArguments("lambda", "GroupedDataset.Aggregate", "'weight'"));

    [Test]
    public Task Method_group_of_an_instance_method_captures_its_target_and_is_RAY018_on_the_method_group() => Verify.Analyzer(DataApi.With("""
        public sealed class Scaler
        {
            public int Factor { get; init; } = 2;

            public int Scale(int x) => x * Factor;
        }

        public sealed class Pipeline
        {
            public static Dataset<int> Scaled(Dataset<int> numbers, Scaler scaler) => numbers.Map({|#0:scaler.Scale|});

            public Dataset<bool> Flags(Dataset<int> numbers) => numbers.Map<bool>({|#1:IsOdd|});

            private bool IsOdd(int x) => x % 2 == 1;
        }
        """),
        Verify.Error("RAY018").WithLocation(0).WithArguments("method group 'scaler.Scale'", "Dataset.Map", "'scaler'"),
        Verify.Error("RAY018").WithLocation(1).WithArguments("method group 'IsOdd'", "Dataset.Map", "'this'"));

    [Test]
    public Task Lambda_in_a_class_with_a_primary_constructor_capturing_its_parameter_is_RAY018() => Verify.Analyzer(DataApi.With("""
        public sealed class Pipeline(int factor)
        {
            public Dataset<int> Scaled(Dataset<int> numbers) => numbers.Map({|#0:x => x * factor|});
        }
        """),
        Verify.Error("RAY018").WithLocation(0).WithArguments("lambda", "Dataset.Map", "'factor'"));

    [Test]
    public Task Lambda_calling_a_local_function_that_captures_is_RAY018_naming_what_the_local_function_captures() => Verify.Analyzer(DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Scaled(Dataset<int> numbers, int factor)
            {
                return numbers.Map({|#0:x => Scale(x)|});

                int Scale(int x) => x * factor;
            }
        }
        """),
        Verify.Error("RAY018").WithLocation(0).WithArguments("lambda", "Dataset.Map", "'factor'"));

    [Test]
    public Task Method_group_of_a_local_function_that_captures_is_RAY018_on_the_method_group() => Verify.Analyzer(DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Scaled(Dataset<int> numbers, int factor)
            {
                return numbers.Map({|#0:Scale|}).Map(Twice).Map(Same).Map({|#1:x => Same(Scale(x))|});

                int Scale(int x) => x * factor;
                static int Twice(int x) => 2 * x;
                int Same(int x) => x;
            }
        }
        """),
        Verify.Error("RAY018").WithLocation(0).WithArguments("method group 'Scale'", "Dataset.Map", "'factor'"),
        Verify.Error("RAY018").WithLocation(1).WithArguments("lambda", "Dataset.Map", "'factor'"));

    [Test]
    public Task Each_branch_of_a_conditional_transform_is_checked_on_its_own() => Verify.Analyzer(DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Signed(Dataset<int> numbers, bool negate, int offset) =>
                numbers.Map<int>(negate ? {|#0:x => -x - offset|} : static x => x);
        }
        """),
        Verify.Error("RAY018").WithLocation(0).WithArguments("lambda", "Dataset.Map", "'offset'"));

    [Test]
    public Task Lambda_capturing_a_local_passed_to_a_constructor_of_a_RayGen_Data_type_is_RAY018() => Verify.Analyzer(DataApi.With("""
        namespace RayGen.Data
        {
            public sealed class Window
            {
                public Window(Func<int, bool> keep) { }
            }
        }

        public static class Pipeline
        {
            public static Window Recent(int since) => new Window({|#0:t => t > since|});
        }
        """),
        Verify.Error("RAY018").WithLocation(0).WithArguments("lambda", "new Window", "'since'"));

    [Test]
    public Task Variables_declared_inside_the_lambda_are_not_captures_even_when_a_nested_lambda_captures_them() => Verify.Analyzer(DataApi.With("""
        public static class Pipeline
        {
            public static Dataset<int> Doubled(Dataset<int> numbers) => numbers.Map(static x =>
            {
                var twice = 2;
                Func<int, int> times = y => y * twice * x;
                return times(1);
            });
        }
        """));

    [Test]
    public Task Constants_static_fields_and_static_methods_are_not_captures() => Verify.Analyzer(DataApi.With("""
        public static class Pipeline
        {
            private static readonly int Shift = 3;

            private static int Clamp(int x) => Math.Min(x, 100);

            public static Dataset<int> Adjusted(Dataset<int> numbers)
            {
                const int Factor = 2;
                return numbers.Map(static x => Clamp(x * Factor + Shift));
            }
        }
        """));
}
