using System.Collections.Generic;

namespace RayGen.Cluster.Scheduling;

/// <summary>
/// A node as the chooser sees it: alive or not, the head or not, and its total resources by Ray's names
/// (<c>"CPU"</c>, <c>"GPU"</c>, custom names; a name it lacks counts as 0).
/// </summary>
internal sealed record NodeView(string NodeId, bool IsAlive, bool IsHead, IReadOnlyDictionary<string, double> Total);
