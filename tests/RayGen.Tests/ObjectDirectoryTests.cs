using NUnit.Framework;
using RayGen.Driver;
using RayGen.Protocol;

namespace RayGen.Tests;

public class ObjectDirectoryTests
{
    [Test]
    public void A_ref_a_worker_reports_that_the_driver_never_knew_completes_as_lost_instead_of_staying_pending()
    {
        var runtime = new DriverRuntime(new RayOptions { Mode = RayMode.InProcess, NumCpus = 1 });
        try
        {
            var unknown = new ObjectId(runtime.Objects.Owner, 123_456);
            var entry = runtime.Objects.FindReported(unknown);
            Assert.That(entry.Error?.Kind, Is.EqualTo(ErrorKind.ObjectLost));
        }
        finally
        {
            runtime.Shutdown();
        }
    }

    [Test]
    public void A_ref_a_worker_reports_that_the_driver_knows_is_the_driver_s_own_entry()
    {
        var runtime = new DriverRuntime(new RayOptions { Mode = RayMode.InProcess, NumCpus = 1 });
        try
        {
            var entry = runtime.Put(5);
            var id = runtime.Objects.Export(entry);
            Assert.That(runtime.Objects.FindReported(id), Is.SameAs(entry));
        }
        finally
        {
            runtime.Shutdown();
        }
    }
}
