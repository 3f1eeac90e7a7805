using System;
using System.Linq;
using NUnit.Framework;

namespace RayGen.Process.Tests;

[TestFixture]
[NonParallelizable]
public class ArrayViewTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [TearDown]
    public void TearDown()
    {
        Ray.Shutdown();
        ProcessTestSupport.KillLeftoverWorkers();
    }

    [TestCase(RayMode.Processes)]
    [TestCase(RayMode.InProcess)]
    public void A_view_reads_a_stored_array_in_place(RayMode mode)
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, Mode = mode });
        var data = Enumerable.Range(0, 300_000).Select(i => i * 0.5).ToArray();
        var stored = Ray.Put(data);
        using (var view = stored.GetView())
        {
            Assert.That(view.Length, Is.EqualTo(data.Length));
            Assert.That(view[12345], Is.EqualTo(12345 * 0.5));
            Assert.That(view.Span.SequenceEqual(data), Is.True);
            using var again = stored.GetView();
            Assert.That(again.Span == view.Span, Is.True, "two views share the same stored bytes");
        }

        var doubled = ProcTasks.Remote.Reverse(Ray.Put(new byte[] { 1, 2, 3 }));
        using var bytes = doubled.GetView();
        Assert.That(bytes.ToArray(), Is.EqualTo(new byte[] { 3, 2, 1 }));
    }

    [Test]
    public void A_view_of_a_failed_task_throws_its_error()
    {
        using var ray = Ray.Init(new RayOptions { NumCpus = 1, Mode = RayMode.InProcess });
        var stored = Ray.Put<int[]?>(null);
        using (var view = ((ObjectRef<int[]>)(object)stored).GetView())
        {
            Assert.That(view.IsNull, Is.True);
        }

        Assert.Throws<RayTaskException>(() => ProcTasks.Remote.ThrowsArray("no array").GetView());
    }
}
