using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using RayGen.Cluster.Nodes;
using RayGen.Cluster.Security;

namespace RayGen.Cluster.Driver;

/// <summary>
/// A connection to a cluster from outside it (a driver, <c>raygen status</c>): an Orleans client on the head's
/// gateway, after a probe that proves the token and learns the cluster's id and the gateway's port.
/// </summary>
/// <remarks>
/// An external client is told nothing when a node dies and waits out the response timeout on a call to a dead
/// silo (ORLEANS.md, "Driver"). That is fine for reading the node table; the slice that lets a driver own
/// tasks on other nodes moves the owner into a silo of its own (role "driver", kept out of placement), which
/// receives membership changes.
/// </remarks>
internal sealed class ClusterClient : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(20);
    internal static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);
    private readonly IHost _host;
    private readonly IClusterClient _client;

    private ClusterClient(IHost host, string address)
    {
        _host = host;
        _client = host.Services.GetRequiredService<IClusterClient>();
        Address = address;
    }

    /// <summary>The Orleans client: grains of the cluster, and observers the nodes call back.</summary>
    public IClusterClient Client => _client;

    /// <summary>The head's address this client reached.</summary>
    public string Address { get; }

    /// <summary>
    /// Reads <c>"auto"</c> from the cluster file this machine's head wrote; otherwise takes the address and the token as given.
    /// </summary>
    public static (string Address, string Token) Resolve(string address, string? token)
    {
        if (string.Equals(address, "auto", StringComparison.OrdinalIgnoreCase))
        {
            var file = ClusterState.ReadClusterFile()
                ?? throw new ClusterConnectException(
                    $"Address \"auto\" found no cluster started on this machine ({ClusterState.ClusterFilePath} is missing): start one with raygen start --head, or give the head's HOST:PORT.");
            return (file.Address, token ?? file.Token);
        }

        return (address, token ?? throw new ClusterConnectException(
            $"No token for the cluster at {address}: pass RayOptions.Token (or set RAYGEN_TOKEN, or --token); raygen start --head printed it."));
    }

    public static async Task<ClusterClient> ConnectAsync(string address, string token, CancellationToken cancel)
    {
        var head = await ClusterAddress.ResolveAsync(address, cancel);
        // The probe fails fast with the reason (nothing there, wrong token); an Orleans client would only retry.
        var details = await TokenMiddleware.ProbeAsync(head, token, cancel);
        var gateway = new IPEndPoint(head.Address, details.GatewayPort);
        var host = new HostBuilder()
            .ConfigureLogging(logging =>
            {
                logging.ClearProviders();
                logging.SetMinimumLevel(LogLevel.Critical);
            })
            .UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = details.ClusterId;
                    o.ServiceId = NodeHost.ServiceId;
                });
                client.UseStaticClustering(gateway);
                client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = CallTimeout);
                TokenMiddleware.AddToClient(client, token);
            })
            .Build();
        using var connecting = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        connecting.CancelAfter(ConnectTimeout);
        try
        {
            await host.StartAsync(connecting.Token);
        }
        catch (Exception e)
        {
            host.Dispose();
            if (e is OperationCanceledException && cancel.IsCancellationRequested) throw;
            throw new ClusterConnectException(
                $"The cluster at {address} proved the token but its gateway {gateway} could not be reached within {ConnectTimeout.TotalSeconds:0} s: {e.Message}", e);
        }

        return new ClusterClient(host, address);
    }

    /// <summary>
    /// Every node that joined, alive ones with their free resources now. Retried within <see cref="ListTimeout"/>:
    /// until Orleans declares a killed node dead (about 10 s), a call whose grain-directory entry lived there fails.
    /// </summary>
    public async Task<IReadOnlyList<NodeReport>> NodesAsync(CancellationToken cancel = default)
    {
        var deadline = DateTime.UtcNow + ListTimeout;
        var pause = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                return await _client.GetGrain<INodeDirectory>(0).Nodes().WaitAsync(CallTimeout, cancel);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
            {
                if (DateTime.UtcNow + pause > deadline)
                    throw new ClusterConnectException($"The cluster at {Address} did not list its nodes within {ListTimeout.TotalSeconds:0} s: {FirstLine(e.Message)}", e);
            }

            await Task.Delay(pause, cancel);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
        }
    }

    private static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The node table, asked once: a failure (the head gone, or slow) is the caller's to judge.</summary>
    public Task<NodeReport[]> NodesOnceAsync(TimeSpan timeout) => _client.GetGrain<INodeDirectory>(0).Nodes().WaitAsync(timeout);

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _host.StopAsync(stopping.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or OrleansException)
        {
            // The cluster may be gone already; leaving must not hang the driver.
        }

        _host.Dispose();
    }

    /// <summary>Totals or free figures of the alive nodes, summed.</summary>
    public static Dictionary<string, double> Sum(IEnumerable<NodeReport> nodes, bool free)
    {
        var sum = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var node in nodes.Where(n => n.IsAlive))
        {
            foreach (var kv in free ? node.Available : node.Total)
            {
                sum.TryGetValue(kv.Key, out var value);
                sum[kv.Key] = value + kv.Value;
            }
        }

        return sum;
    }
}
