using System;
using System.Collections.Generic;

namespace RayGen.Architecture.Tests;

/// <summary>
/// The runtime's floors, lowest first: a folder may use folders on lower floors only. Folders on one floor do
/// not use each other (the driver's role and the worker's role meet only over the protocol).
/// </summary>
internal static class Layers
{
    public static readonly IReadOnlyDictionary<string, int> FloorOf = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["Contract"] = 0,   // public options, attributes, exceptions: plain data
        // Instrumentation primitives (meter, activity source, ring buffer, trace writer, console logger): plain .NET and
        // the logging abstractions only, so every floor above can report through them; it knows no runtime type.
        ["Observability"] = 0,
        ["Protocol"] = 1,   // ids, frames, errors on the wire, connections
        ["Store"] = 2,      // entries, refs, the shared-memory store, spilling
        ["Core"] = 3,       // scheduling, resources, task specs, actors, the runtime interface
        ["Driver"] = 4,     // the driver's role: the task owner's runtime, backends, worker processes
        ["InWorker"] = 4,   // a worker's role: its runtime forwards to the driver, runs what arrives
        ["Api"] = 5,        // Ray, RayRuntime, the generated code's entry point
        ["WorkerHost"] = 5, // the worker process's main
        ["Utilities"] = 6,  // Ray's ray.util (actor pool, queue), written against the public API
    };
}
