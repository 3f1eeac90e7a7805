using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using RayGen.Protocol;

namespace RayGen.Store;

/// <summary>
/// Ray's rule for refs nested in a value: the value keeps them alive. While the driver serializes a value it
/// collects the refs written into it; the value's bytes (the array or shared object an entry or a task holds)
/// then hold those entries strongly, and the directory finds them by id only weakly, so they go with the value.
/// </summary>
internal static class Containment
{
    [ThreadStatic] private static List<ObjectEntry>? t_refs;
    [ThreadStatic] private static bool t_open;
    [ThreadStatic] private static bool t_forward;

    // Keyed by the serialized bytes themselves, so nothing that carries bytes around needs to know about refs.
    private static readonly ConditionalWeakTable<object, ObjectEntry[]> s_held = new();

    public static bool IsOpen => t_open;

    /// <summary>
    /// A worker collects only while serializing a value whose refs it reports to the driver with the value (a
    /// task's result); any other ref it serializes escapes (the driver keeps it for the session).
    /// </summary>
    public static bool IsForwarded => t_open && t_forward;

    /// <summary>Starts collecting on this thread; pass the result to <see cref="Close"/>.</summary>
    public static Scope Open(bool forward = false)
    {
        var outer = new Scope(t_open, t_forward, t_refs);
        t_open = true;
        t_forward |= forward;
        t_refs = null;
        return outer;
    }

    public static void Add(ObjectEntry entry) => (t_refs ??= new List<ObjectEntry>()).Add(entry);

    /// <summary>Stops collecting; <paramref name="container"/> (null when serializing failed) holds what was collected.</summary>
    public static ObjectEntry[]? Close(Scope outer, object? container)
    {
        var refs = t_refs;
        t_open = outer.Open;
        t_forward = outer.Forward;
        t_refs = outer.Refs;
        if (refs is null) return null;
        var held = refs.ToArray();
        if (container is not null) s_held.AddOrUpdate(container, held);
        // A value serialized inside another one (a formatter that nests a serialization) is part of the outer value.
        if (t_open) (t_refs ??= new List<ObjectEntry>()).AddRange(refs);
        return held;
    }

    /// <summary>Makes <paramref name="container"/> hold <paramref name="refs"/> (a worker's result, with the refs it reported).</summary>
    public static void Hold(object container, ObjectEntry[] refs) => s_held.AddOrUpdate(container, refs);

    /// <summary>The ids of the refs a serialized value holds; null when none.</summary>
    public static ObjectId[]? IdsHeldBy(object? container)
    {
        if (container is null || !s_held.TryGetValue(container, out var refs)) return null;
        var ids = new ObjectId[refs.Length];
        for (var i = 0; i < refs.Length; i++) ids[i] = refs[i].Id;
        return ids;
    }

    /// <summary>The entries of the refs a serialized value holds; null when none.</summary>
    public static ObjectEntry[]? HeldBy(object? container) =>
        container is not null && s_held.TryGetValue(container, out var refs) ? refs : null;

    /// <summary>The refs a serialized value holds (for tests).</summary>
    internal readonly record struct Scope(bool Open, bool Forward, List<ObjectEntry>? Refs);
}
