using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace RayGen.ObjectStore;

/// <summary>
/// Ray's rule for refs nested in a value: the value keeps them alive. While the driver serializes a value it
/// collects the refs written into it; the value's bytes (the array or shared object an entry or a task holds)
/// then hold those entries strongly, and the directory finds them by id only weakly, so they go with the value.
/// </summary>
internal static class Containment
{
    [ThreadStatic] private static List<ObjectEntry>? t_refs;
    [ThreadStatic] private static bool t_open;

    // Keyed by the serialized bytes themselves, so nothing that carries bytes around needs to know about refs.
    private static readonly ConditionalWeakTable<object, ObjectEntry[]> s_held = new();

    public static bool IsOpen => t_open;

    /// <summary>Starts collecting on this thread; pass the result to <see cref="Close"/>.</summary>
    public static Scope Open()
    {
        var outer = new Scope(t_open, t_refs);
        t_open = true;
        t_refs = null;
        return outer;
    }

    public static void Add(ObjectEntry entry) => (t_refs ??= new List<ObjectEntry>()).Add(entry);

    /// <summary>Stops collecting; <paramref name="container"/> (null when serializing failed) holds what was collected.</summary>
    public static void Close(Scope outer, object? container)
    {
        var refs = t_refs;
        t_open = outer.Open;
        t_refs = outer.Refs;
        if (refs is null) return;
        if (container is not null) s_held.AddOrUpdate(container, refs.ToArray());
        // A value serialized inside another one (a formatter that nests a serialization) is part of the outer value.
        if (t_open) (t_refs ??= new List<ObjectEntry>()).AddRange(refs);
    }

    /// <summary>The refs a serialized value holds (for tests).</summary>
    internal static int CountHeldBy(object container) => s_held.TryGetValue(container, out var refs) ? refs.Length : 0;

    internal readonly record struct Scope(bool Open, List<ObjectEntry>? Refs);
}
