using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using RayGen.Core;

namespace RayGen;

public static partial class Ray
{
    /// <summary>
    /// The nodes of the cluster this driver is connected to, alive and dead (never drivers); locally, one node:
    /// this machine.
    /// </summary>
    public static IReadOnlyList<NodeInfo> Nodes() => CurrentCore("list the nodes").Nodes();

    /// <summary>The total resources of the alive nodes (<c>"CPU"</c>, <c>"GPU"</c>, custom names).</summary>
    public static IReadOnlyDictionary<string, double> ClusterResources() => CurrentCore("read the cluster's resources").ClusterResources();

    /// <summary>The free resources of the alive nodes; a resource with nothing free may be absent (read it as 0).</summary>
    public static IReadOnlyDictionary<string, double> AvailableResources() => CurrentCore("read the available resources").AvailableResources();

    /// <summary>
    /// Where the calling code runs (Ray's <c>ray.get_runtime_context()</c>): its node (<see cref="RuntimeContext.NodeId"/>, as
    /// <see cref="Nodes"/> names it), its driver's job, and, in an actor's constructor or method, the actor. Valid in the
    /// driver, in tasks and in actors; locally the node is the one <see cref="Nodes"/> lists.
    /// </summary>
    /// <exception cref="RayException">No runtime is running (Ray.Init was not called).</exception>
    public static RuntimeContext RuntimeContext => CurrentCore("read the runtime context").CurrentContext();

    /// <summary>The address the options or the environment give; null for a local runtime.</summary>
    internal static string? AddressOf(RayOptions options)
    {
        var address = options.Address ?? Environment.GetEnvironmentVariable("RAYGEN_ADDRESS");
        return string.IsNullOrWhiteSpace(address) ? null : address.Trim();
    }

    private static IClusterConnection? ConnectToCluster(RayOptions options)
    {
        var address = AddressOf(options);
        if (address is null) return null;
        var token = options.Token ?? Environment.GetEnvironmentVariable("RAYGEN_TOKEN");
        return LoadConnector(address).Connect(address, string.IsNullOrEmpty(token) ? null : token, options);
    }

    // Loaded by name, once per Init: RayGen must not reference the cluster assembly, which brings Orleans.
    private static ClusterConnector LoadConnector(string address)
    {
        Assembly assembly;
        try
        {
            assembly = Assembly.Load(new AssemblyName(ClusterConnector.AssemblyName));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            throw new RayException(
                $"Ray.Init was given the cluster address '{address}' (RayOptions.Address or RAYGEN_ADDRESS), but the {ClusterConnector.AssemblyName} " +
                $"package is not referenced by this application. Add it (dotnet add package {ClusterConnector.AssemblyName}) to connect to a cluster, " +
                "or leave the address unset to run locally.", e);
        }

        var attribute = assembly.GetCustomAttribute<ClusterConnectorAttribute>()
            ?? throw new RayException($"{assembly.FullName} carries no cluster connector; its version does not match RayGen {typeof(Ray).Assembly.GetName().Version}.");
        return (ClusterConnector)Activator.CreateInstance(attribute.ConnectorType, nonPublic: true)!;
    }
}
