using System;
using NUnit.Framework;
using RayGen.Driver;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.Tests;

/// <summary>
/// Two runtimes in one process (two tests, or later a node running several drivers' work) keep their objects
/// apart: each has its own directory, and a ref read from bytes resolves in the runtime whose value is read.
/// </summary>
public class RuntimeInstancesTests
{
    private DriverRuntime _a = null!;
    private DriverRuntime _b = null!;

    [SetUp]
    public void StartTwo()
    {
        _a = new DriverRuntime(new RayOptions { Mode = RayMode.InProcess, NumCpus = 1 });
        _b = new DriverRuntime(new RayOptions { Mode = RayMode.InProcess, NumCpus = 1 });
    }

    [TearDown]
    public void StopBoth()
    {
        _a.Shutdown();
        _b.Shutdown();
    }

    [Test]
    public void Each_runtime_mints_ids_of_its_own()
    {
        Assert.That(_a.Put(1).Id.Owner, Is.Not.EqualTo(_b.Put(1).Id.Owner));
    }

    [Test]
    public void A_runtime_finds_its_own_object_by_id()
    {
        var entry = _a.Put(41);
        Assert.That(_a.Objects.Import(Export(_a, entry)), Is.SameAs(entry));
    }

    [Test]
    public void An_id_from_another_runtime_reads_as_lost_there()
    {
        var id = Export(_a, _a.Put(41));
        var seenByB = _b.Objects.Import(id);
        Assert.That(seenByB.Error?.Kind, Is.EqualTo(ErrorKind.ObjectLost));
    }

    [Test]
    public void A_ref_inside_a_value_resolves_in_the_runtime_whose_value_is_read()
    {
        var inner = new ObjectRef<int>(_a.Put(7));
        var container = _a.Put(new[] { inner });
        var read = ObjectValues.Read<ObjectRef<int>[]>(container);
        Assert.That(read[0].Entry, Is.SameAs(inner.Entry));
    }

    [Test]
    public void Shutting_one_runtime_down_leaves_the_other_s_objects_readable()
    {
        var kept = _b.Put(new[] { 1, 2, 3 });
        var id = Export(_b, kept);
        _a.Shutdown();
        Assert.That(ObjectValues.Read<int[]>(_b.Objects.Import(id)), Is.EqualTo(new[] { 1, 2, 3 }));
    }

    // Serializing a ref is what makes its id findable (see ObjectDirectory.Export).
    private static ObjectId Export(DriverRuntime runtime, ObjectEntry entry) => runtime.Objects.Export(entry);
}
