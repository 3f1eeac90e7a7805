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

    /// <summary>The address other machines reach this node at; null: loopback when the head is on loopback, else the primary address.</summary>
    public IPAddress? NodeIpAddress { get; init; }
}
