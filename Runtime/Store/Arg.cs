using System;

namespace RayGen;

/// <summary>
/// An argument of a generated stub: either a value or an <see cref="ObjectRef{T}"/> to one. A ref is
/// resolved before the task runs, so the task receives the value, as in Ray.
/// </summary>
/// <typeparam name="T">The parameter's type.</typeparam>
public readonly struct Arg<T>
{
    private Arg(T value, ObjectRef<T>? reference)
    {
        Value = value;
        Reference = reference;
    }

    internal T Value { get; }

    internal ObjectRef<T>? Reference { get; }

    /// <summary>Passes a value; it is serialized at the call, so later changes to it are not seen by the task.</summary>
    public static implicit operator Arg<T>(T value) => new(value, null);

    /// <summary>Passes a ref; the task starts once it is ready and receives its value.</summary>
    public static implicit operator Arg<T>(ObjectRef<T> reference) =>
        new(default!, reference ?? throw new ArgumentNullException(nameof(reference), "A null ObjectRef cannot be passed as an argument."));
}
