using System;
using NUnit.Framework;
using RayGen.Cluster.Nodes;

namespace RayGen.Cluster.Tests;

/// <summary>How a node notices a driver that died without a word: its job's lease runs out.</summary>
public class JobLeasesTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);

    [Test]
    public void A_job_not_heard_from_for_longer_than_the_lease_expires_once()
    {
        var leases = new JobLeases(Lease);
        leases.Renew("a", now: 1_000);
        Assert.That(leases.Expired(now: 1_000 + 15_000), Is.Empty, "at the lease's end it still holds");
        Assert.That(leases.Expired(now: 1_000 + 15_001), Is.EqualTo(new[] { "a" }));
        Assert.That(leases.Expired(now: 100_000), Is.Empty, "reported once");
    }

    [Test]
    public void A_renewed_job_does_not_expire()
    {
        var leases = new JobLeases(Lease);
        leases.Renew("a", now: 0);
        leases.Renew("b", now: 0);
        leases.Renew("a", now: 10_000);
        Assert.That(leases.Expired(now: 20_000), Is.EqualTo(new[] { "b" }));
        Assert.That(leases.Expired(now: 25_001), Is.EqualTo(new[] { "a" }));
    }

    [Test]
    public void A_forgotten_job_never_expires()
    {
        var leases = new JobLeases(Lease);
        leases.Renew("a", now: 0);
        leases.Forget("a");
        Assert.That(leases.Expired(now: 1_000_000), Is.Empty);
    }
}
