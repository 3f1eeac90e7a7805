using NUnit.Framework;
using RayGen.Cluster.Nodes;

namespace RayGen.Cluster.Tests;

/// <summary>How a job host runs a resent batch once: it remembers the keys it was handed lately.</summary>
public class RecentKeysTests
{
    [Test]
    public void A_key_handed_again_is_a_duplicate()
    {
        var keys = new RecentKeys(capacity: 4);
        Assert.That(keys.Add(7), Is.True, "first time: run it");
        Assert.That(keys.Add(8), Is.True);
        Assert.That(keys.Add(7), Is.False, "again: skip it");
    }

    [Test]
    public void Only_the_latest_keys_are_kept()
    {
        var keys = new RecentKeys(capacity: 2);
        keys.Add(1);
        keys.Add(2);
        keys.Add(3); // 1 is forgotten
        Assert.That(keys.Add(3), Is.False);
        Assert.That(keys.Add(1), Is.True, "the oldest key went when the set was full");
    }
}
