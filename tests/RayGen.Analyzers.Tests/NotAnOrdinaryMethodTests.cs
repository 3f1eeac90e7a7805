using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;

namespace RayGen.Analyzers.Tests;

/// <summary>RAY016: a worker calls a task by type and name, which only an ordinary method has.</summary>
public sealed class NotAnOrdinaryMethodTests
{
    [Test]
    public Task Operator_reports_RAY016_on_the_operator_token() => Verify.Analyzer("""
        public readonly partial struct Money
        {
            public decimal Amount { get; init; }

            [Remote]
            public static Money operator {|#0:+|}(Money a, Money b) => new() { Amount = a.Amount + b.Amount };
        }
        """,
        Verify.Error("RAY016").WithLocation(0).WithArguments("operator 'Money.operator +(Money, Money)'"));

    [Test]
    public Task Property_accessor_reports_RAY016_on_the_accessor_keyword() => Verify.Analyzer("""
        public static partial class Config
        {
            public static int Size { [Remote] {|#0:get|} => 1; }
        }
        """,
        Verify.Error("RAY016").WithLocation(0).WithArguments("the accessor 'get_Size' of 'Config'"));

    [Test]
    public Task Local_function_reports_RAY016_on_its_name() => Verify.Analyzer("""
        public static partial class Tasks
        {
            public static int Outer()
            {
                return Inner();

                [Remote]
                static int {|#0:Inner|}() => 1;
            }
        }
        """,
        Verify.Error("RAY016").WithLocation(0).WithArguments("local function 'Inner'"));

    [Test]
    public Task Static_abstract_interface_member_reports_RAY016_on_its_name() => Verify.Analyzer("""
        public partial interface IFactory
        {
            [Remote]
            static abstract int {|#0:Create|}();
        }
        """,
        Verify.Error("RAY016").WithLocation(0).WithArguments("static abstract member 'IFactory.Create'"));

    [Test]
    public Task Constructor_of_a_class_that_is_not_an_actor_reports_RAY016_on_its_name() => Verify.Analyzer("""
        public partial class Plain
        {
            [{|CS0592:Remote|}]
            public {|#0:Plain|}() { }
        }
        """,
        Verify.Error("RAY016").WithLocation(0).WithArguments("a constructor of 'Plain', which is not a [Remote] actor class"));
}
