namespace RayGen.Cluster.Scheduling;

/// <summary>What <see cref="NodeChooser"/> decided: a node, wait, or fail. Closed: only the three cases below exist.</summary>
internal abstract record NodeChoice
{
    private NodeChoice()
    {
    }

    /// <summary>Run it on <paramref name="NodeId"/>; the caller takes the request on the ledger when it sends the work.</summary>
    public sealed record Chosen(string NodeId) : NodeChoice;

    /// <summary>
    /// Nothing fits now: choose again when resources are given back or a node joins. <paramref name="Infeasible"/>:
    /// no alive node could hold it even idle, so only a node that does not exist yet can run it (worth one warning).
    /// </summary>
    public sealed record Wait(string Reason, bool Infeasible) : NodeChoice;

    /// <summary>It can never run where it must (hard affinity to a dead, unknown or too small node): fail the work.</summary>
    public sealed record Fail(string Reason) : NodeChoice;
}
