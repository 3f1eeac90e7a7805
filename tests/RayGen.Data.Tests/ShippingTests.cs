using System;
using NUnit.Framework;
using RayGen.Data.Shipping;

namespace RayGen.Data.Tests;

/// <summary>How a function reaches a worker: by its method's identity in the build both load, bound once.</summary>
public sealed class ShippingTests
{
    [Test]
    public void A_static_lambda_and_a_static_method_are_bound_again_to_the_same_code()
    {
        var lambda = ShippedFunction.Resolve<Func<int, int>>(ShippedFunction.Describe(static (int x) => x * 7, "Map"));
        var method = ShippedFunction.Resolve<Func<int, int>>(ShippedFunction.Describe(new Func<int, int>(Negate), "Map"));
        Assert.Multiple(() =>
        {
            Assert.That(lambda(6), Is.EqualTo(42));
            Assert.That(method(6), Is.EqualTo(-6));
        });
    }

    [Test]
    public void A_lambda_of_a_generic_method_keeps_its_type_arguments()
    {
        var spec = ShippedFunction.Describe(Pair<string>(), "Map");
        Assert.That(ShippedFunction.Resolve<Func<string, (string, string)>>(spec)("a"), Is.EqualTo(("a", "a")));
    }

    [Test]
    public void A_function_from_another_build_is_refused_rather_than_guessed()
    {
        var spec = ShippedFunction.Describe(static (int x) => x + 1, "Map");
        spec.ModuleVersionId = Guid.NewGuid();
        var error = Assert.Throws<InvalidOperationException>(() => ShippedFunction.Resolve<Func<int, int>>(spec));
        Assert.That(error!.Message, Does.Contain("different build").And.Contain("same build"));
    }

    [Test]
    public void A_capturing_lambda_names_the_operator_and_the_captured_variables()
    {
        var factor = 3;
        var name = "x";
        var error = Assert.Throws<ArgumentException>(() => ShippedFunction.Describe((int x) => x * factor + name.Length, "MapBatches"));
        Assert.That(error!.Message, Does.StartWith("MapBatches:").And.Contain("'factor'").And.Contain("'name'").And.Contain("static"));
    }

    [Test]
    public void A_registered_function_from_another_build_is_refused_rather_than_guessed()
    {
        var spec = ((RayGen.Data.Plan.StepOp)RayData.Range(3).Map(static i => i + 1).Plan.Ops[^1]).Step.Function!;
        Assert.That(spec.RegistryId, Is.Not.Empty);
        spec.RegistryModuleVersionId = Guid.NewGuid();
        var error = Assert.Throws<InvalidOperationException>(() => ShippedFunction.Resolve<Func<int, int>>(spec));
        Assert.That(error!.Message, Does.Contain("different build").And.Contain("same build"));
    }

    [Test]
    public void A_registered_function_resolves_to_the_generated_copy()
    {
        var spec = ((RayGen.Data.Plan.StepOp)RayData.Range(3).Filter(static i => i % 2 == 1).Plan.Ops[^1]).Step.Function!;
        var before = ShippedFunction.BoundByReflection;
        var filter = ShippedFunction.Resolve<Func<int, bool>>(spec);
        Assert.Multiple(() =>
        {
            Assert.That(filter(3) && !filter(4), Is.True);
            Assert.That(ShippedFunction.BoundByReflection, Is.EqualTo(before), "no reflection binding");
        });
    }

    private static int Negate(int x) => -x;

    private static Func<T, (T, T)> Pair<T>() => static x => (x, x);
}
