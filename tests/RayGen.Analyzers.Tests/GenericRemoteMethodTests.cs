using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Analyzers.Tests.Infrastructure;

namespace RayGen.Analyzers.Tests;

/// <summary>RAY005: workers find functions through a registry of closed signatures, so remote methods cannot be generic.</summary>
public sealed class GenericRemoteMethodTests
{
    [Test]
    public Task Generic_remote_method_reports_RAY005_on_its_name() => Verify.Analyzer("""
        public static partial class Tasks
        {
            [Remote]
            public static T {|#0:Echo|}<T>(T value) => value;
        }
        """,
        Verify.Error("RAY005").WithLocation(0).WithArguments("'Tasks.Echo'"));

    [Test]
    public Task Generic_public_actor_method_reports_RAY005_on_its_name() => Verify.Analyzer("""
        [Remote]
        public partial class Box
        {
            public T {|#0:Echo|}<T>(T value) => value;
        }
        """,
        Verify.Error("RAY005").WithLocation(0).WithArguments("'Box.Echo'"));
}
