using NUnit.Framework;
using RayGen.Observability;

namespace RayGen.Tests;

public class ProgressBarTests
{
    [Test]
    public void A_bar_shows_only_when_asked_for_a_wait_on_many_refs_on_a_terminal()
    {
        Assert.That(ProgressBar.ShouldShow(enabled: true, refs: 1000, outputRedirected: false), Is.True);
        Assert.That(ProgressBar.ShouldShow(enabled: true, refs: 1000, outputRedirected: true), Is.False, "off when output is redirected");
        Assert.That(ProgressBar.ShouldShow(enabled: false, refs: 1000, outputRedirected: false), Is.False, "off unless RayOptions.ShowProgress");
        Assert.That(ProgressBar.ShouldShow(enabled: true, refs: ProgressBar.MinimumRefs - 1, outputRedirected: false), Is.False);
    }

    [Test]
    public void A_bar_renders_the_share_done()
    {
        Assert.That(ProgressBar.Render("Get", 250, 1000, width: 8), Is.EqualTo("Get [##------] 250/1000"));
        Assert.That(ProgressBar.Render("Get", 1000, 1000, width: 4), Is.EqualTo("Get [####] 1000/1000"));
    }
}
