using System;
using System.Collections.Generic;
using System.Net;

namespace RayGen.Cluster.Nodes;

/// <summary>How to start a node: the flags of <c>raygen start</c>, checked.</summary>
internal sealed class NodeSettings
{
    public const int DefaultPort = 6380;

    /// <summary>True for the head; false for a node that joins <see cref="HeadAddress"/>.</summary>
    public bool IsHead { get; init; }

    /// <summary>The head's <c>HOST:PORT</c> (a joining node only).</summary>
    public string? HeadAddress { get; init; }

    /// <summary>The head's silo port (the head only); other nodes take free ports.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>The cluster's token: the head's own (given or made), or the one a joining node proves.</summary>
    public required string Token { get; init; }

    public double? NumCpus { get; init; }

    public double? NumGpus { get; init; }

    public IReadOnlyDictionary<string, double> Resources { get; init; } = new Dictionary<string, double>();

    public long? ObjectStoreMemory { get; init; }

    /// <summary>
    /// How long a silent node (or head) goes before it counts as dead: Orleans' probes (a third of it each, three
    /// missed) and this node's watch on the head. Null: Orleans' defaults (about 10-15 s on loopback). Give every
    /// node of a cluster the same value.
    /// </summary>
    public TimeSpan? FailureTimeout { get; init; }

    /// <summary>The timeout in effect: the given one, else about what Orleans' defaults give.</summary>
    public TimeSpan EffectiveFailureTimeout => FailureTimeout ?? TimeSpan.FromSeconds(15);

    /// <summary>The address other machines reach this node at; null: loopback when the head is on loopback, else the primary address.</summary>
    public IPAddress? NodeIpAddress { get; init; }
}
