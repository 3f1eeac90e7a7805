using System;
using System.Collections.Generic;

namespace RayGen.Core;

/// <summary>
/// A driver's link to a cluster, made by the <c>RayGen.Cluster</c> assembly. RayGen has no reference to that
/// assembly (it would drag Orleans into every application): <c>Ray.Init</c> loads it by name once, when an
/// address is given, and finds the connector through <see cref="ClusterConnectorAttribute"/>.
/// </summary>
internal interface IClusterConnection : IClusterView, IDisposable
{
    /// <summary>
    /// The backend that runs <paramref name="owner"/>'s work on the cluster's nodes. The owner's scheduler then
    /// places nothing itself (its pool is unbounded): resources are counted per node, by the backend.
    /// </summary>
    IExecutionBackend CreateBackend(TaskOwner owner);
}

/// <summary>What a runtime knows of the cluster it is part of (a driver's connection, a job host's node).</summary>
internal interface IClusterView
{
    /// <summary>The cluster's nodes, alive and dead (never drivers).</summary>
    IReadOnlyList<NodeInfo> Nodes();

    /// <summary>The alive nodes' total resources, summed.</summary>
    IReadOnlyDictionary<string, double> ClusterResources();

    /// <summary>The alive nodes' free resources, summed.</summary>
    IReadOnlyDictionary<string, double> AvailableResources();
}

/// <summary>Connects a driver to a cluster; one instance per <c>Ray.Init</c>.</summary>
internal abstract class ClusterConnector
{
    /// <summary>The simple name of the assembly that carries the connector.</summary>
    public const string AssemblyName = "RayGen.Cluster";

    /// <summary>
    /// Connects to <paramref name="address"/> (<c>HOST:PORT</c> or <c>"auto"</c>) proving <paramref name="token"/>.
    /// Throws a <see cref="RayException"/> that names the problem (unreachable, wrong token) within seconds.
    /// </summary>
    public abstract IClusterConnection Connect(string address, string? token, RayOptions options);
}

/// <summary>Names the <see cref="ClusterConnector"/> type of the assembly it is on.</summary>
[AttributeUsage(AttributeTargets.Assembly)]
internal sealed class ClusterConnectorAttribute(Type connectorType) : Attribute
{
    public Type ConnectorType { get; } = connectorType;
}
