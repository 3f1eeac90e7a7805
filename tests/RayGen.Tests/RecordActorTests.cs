using NUnit.Framework;
using RayGen.Tests.Remotes;

namespace RayGen.Tests;

[TestFixtureSource(typeof(Modes), nameof(Modes.All))]
public class RecordActorTests : RuntimeFixture
{
    public RecordActorTests(RayMode mode) : base(mode) { }

    [Test]
    public void A_record_actor_is_built_from_its_primary_constructor_and_keeps_state_between_calls()
    {
        var accumulator = Accumulator.Remote.New(5);
        _ = accumulator.Add(3);
        Assert.That(accumulator.Add(4).Get(), Is.EqualTo(12));
    }
}
