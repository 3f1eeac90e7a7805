using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;

namespace RayGen.Analyzers.Tests;

/// <summary>The RAY001 fix adds 'partial' where C# wants it: last among the modifiers, before the keyword.</summary>
public sealed class AddPartialCodeFixTests
{
    [Test]
    public Task Adds_partial_after_the_existing_modifiers() => Verify.CodeFix("""
        public static class {|RAY001:MathTasks|}
        {
            [Remote]
            public static int Add(int x, int y) => x + y;
        }
        """, """
        public static partial class MathTasks
        {
            [Remote]
            public static int Add(int x, int y) => x + y;
        }
        """);

    [Test]
    public Task Adds_partial_to_a_declaration_without_modifiers_keeping_its_attributes() => Verify.CodeFix("""
        [Remote]
        class {|RAY001:Counter|}
        {
            public int Increment() => 1;
        }
        """, """
        [Remote]
        partial class Counter
        {
            public int Increment() => 1;
        }
        """);

    [Test]
    public Task Adds_partial_to_every_containing_type_that_lacks_it() => Verify.CodeFix("""
        public class {|RAY001:Outer|}
        {
            public partial class Middle
            {
                internal sealed class {|RAY001:Inner|}
                {
                    [Remote]
                    public static int One() => 1;
                }
            }
        }
        """, """
        public partial class Outer
        {
            public partial class Middle
            {
                internal sealed partial class Inner
                {
                    [Remote]
                    public static int One() => 1;
                }
            }
        }
        """);
}
