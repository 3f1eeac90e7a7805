using System;
using System.Linq;
using NUnit.Framework;

namespace RayGen.Process.Tests;

[TestFixture]
[NonParallelizable]
public class ArrayViewTests
{
    [TearDown]
    public void TearDown()
    {
        Ray.Shutdown();
        ProcessTestSupport.KillLeftoverWorkers();
    }

    private static double[] Halves() => Enumerable.Range(0, 300_000).Select(i => i * 0.5).ToArray();

    [TestCase(RayMode.Processes)]
    [TestCase(RayMode.InProcess)]
    public void A_view_has_the_stored_arrays_length_and_elements(RayMode mode)
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, Mode = mode });
        var data = Halves();
        using var view = Ray.Put(data).GetView();
        Assert.That(view.Length, Is.EqualTo(data.Length));
        Assert.That(view[12345], Is.EqualTo(12345 * 0.5));
        Assert.That(view.Span.SequenceEqual(data), Is.True);
    }

    [TestCase(RayMode.Processes)]
    [TestCase(RayMode.InProcess)]
    public void Two_views_of_one_value_share_the_same_stored_bytes(RayMode mode)
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, Mode = mode });
        var stored = Ray.Put(Halves());
        using var view = stored.GetView();
        using var again = stored.GetView();
        Assert.That(again.Span == view.Span, Is.True);
    }

    [TestCase(RayMode.Processes)]
    [TestCase(RayMode.InProcess)]
    public void A_view_of_a_task_result_reads_the_result(RayMode mode)
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, Mode = mode });
        using var bytes = ProcTasks.Remote.Reverse(Ray.Put(new byte[] { 1, 2, 3 })).GetView();
        Assert.That(bytes.ToArray(), Is.EqualTo(new byte[] { 3, 2, 1 }));
    }

    [Test]
    public void A_view_of_a_stored_null_array_is_null()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, Mode = RayMode.InProcess });
        var stored = Ray.Put<int[]?>(null);
        using var view = ((ObjectRef<int[]>)(object)stored).GetView();
        Assert.That(view.IsNull, Is.True);
    }

    [Test]
    public void A_view_of_a_failed_task_throws_its_error()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, Mode = RayMode.InProcess });
        Assert.Throws<RayTaskException>(() => ProcTasks.Remote.ThrowsArray("no array").GetView());
    }
}
