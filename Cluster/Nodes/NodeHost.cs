using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using RayGen.Cluster.Security;

namespace RayGen.Cluster.Nodes;

/// <summary>
/// One node: RayGen's single-machine runtime for the work that lands here, and an Orleans silo for membership,
/// failure detection and messaging. The head is the seed (Orleans' development clustering: its silo keeps the
/// membership table); a node joins by proving the token to the head, which tells it the cluster's id.
/// </summary>
internal sealed class NodeHost
{
    public const string ServiceId = "raygen";
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private readonly IHost _host;

    private readonly CancellationTokenSource _stopping = new();
    private readonly TimeSpan _failureTimeout;

    private NodeHost(IHost host, NodeIdentity identity, TimeSpan failureTimeout)
    {
        _host = host;
        Identity = identity;
        _failureTimeout = failureTimeout;
    }

    public NodeIdentity Identity { get; }

    /// <summary>Where drivers and nodes reach this node: <c>IP:PORT</c> of its silo (the head's is the cluster's address).</summary>
    public string Address => Identity.SiloEndpoint.ToString();

    /// <summary>Starts the node and returns once it joined; throws <see cref="ClusterConnectException"/> with the reason otherwise.</summary>
    public static async Task<NodeHost> StartAsync(NodeSettings settings, ILoggerProvider logs, CancellationToken cancel)
    {
        var nodeId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        IPEndPoint headEndpoint;
        IPAddress ip;
        int siloPort, gatewayPort;
        string clusterId;
        if (settings.IsHead)
        {
            ip = settings.NodeIpAddress ?? PrimaryAddress();
            siloPort = settings.Port;
            EnsurePortFree(ip, siloPort);
            gatewayPort = FreePort(ip);
            headEndpoint = new IPEndPoint(ip, siloPort);
            // Fresh per start: a restarted head never waits on the stale members of a cluster that crashed (ORLEANS.md risk 5).
            clusterId = $"raygen-{Guid.NewGuid():N}";
        }
        else
        {
            headEndpoint = await ClusterAddress.ResolveAsync(settings.HeadAddress!, cancel);
            var head = await TokenMiddleware.ProbeAsync(headEndpoint, settings.Token, cancel);
            if (!head.IsHead) throw new ClusterConnectException($"{headEndpoint} is a RayGen node but not the head: give the head's address.");
            clusterId = head.ClusterId;
            ip = settings.NodeIpAddress ?? (IPAddress.IsLoopback(headEndpoint.Address) ? IPAddress.Loopback : PrimaryAddress());
            siloPort = FreePort(ip);
            gatewayPort = FreePort(ip);
        }

        // The node's own runtime first: the agent reports its resources from the moment the silo is up. Drivers' work
        // runs in their job hosts (JobHost), each with worker processes of its own, so this one starts none.
        Ray.Init(new RayOptions
        {
            Mode = RayMode.InProcess,
            NumCpus = settings.NumCpus,
            NumGpus = settings.NumGpus,
            Resources = settings.Resources,
            ObjectStoreMemory = settings.ObjectStoreMemory,
        });

        // Its totals are the ones its scheduler places by (defaults included), the same source as the free figures.
        var identity = new NodeIdentity(new NodeDetails(clusterId, siloPort, gatewayPort, nodeId, settings.IsHead), headEndpoint,
            new IPEndPoint(ip, siloPort), Ray.ClusterResources());

        var host = new HostBuilder()
            .ConfigureLogging(logging =>
            {
                logging.ClearProviders();
                logging.AddProvider(logs);
                logging.SetMinimumLevel(LogLevel.Warning);
            })
            .UseOrleans(silo =>
            {
                silo.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = ServiceId;
                });
                silo.UseDevelopmentClustering(headEndpoint);
                if (settings.FailureTimeout is { } failure)
                {
                    silo.Configure<ClusterMembershipOptions>(o =>
                    {
                        o.ProbeTimeout = failure / 3;
                        o.NumMissedProbesLimit = 3;
                        o.TableRefreshTimeout = TimeSpan.FromSeconds(Math.Min(o.TableRefreshTimeout.TotalSeconds, Math.Max(1, failure.TotalSeconds / 3)));
                    });
                }
                silo.ConfigureEndpoints(ip, siloPort, gatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(ip));
                silo.Configure<SiloOptions>(o => o.SiloName = $"raygen-{nodeId}");
                silo.Services.AddSingleton(identity);
                silo.Services.AddSingleton<NodeTable>();
                silo.Services.AddSingleton<JobTable>();
                silo.Services.AddSingleton<NameTable>();
                silo.Services.AddPlacementDirector<NodePlacement, NodePlacementDirector>();
                silo.Services.AddPlacementDirector<HeadPlacement, HeadPlacementDirector>();
                TokenMiddleware.AddToSilo(silo, settings.Token);
            })
            .Build();

        try
        {
            using var joining = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            joining.CancelAfter(JoinTimeout);
            try
            {
                await host.StartAsync(joining.Token);
            }
            catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
            {
                throw new ClusterConnectException($"The node did not join the cluster at {headEndpoint} within {JoinTimeout.TotalSeconds:0} s.", e);
            }
            catch (Exception e) when (e is not ClusterConnectException and not OperationCanceledException)
            {
                throw new ClusterConnectException($"The node could not {(settings.IsHead ? "start the cluster" : $"join the cluster at {headEndpoint}")}: {e.Message}", e);
            }

            var node = new NodeHost(host, identity, settings.EffectiveFailureTimeout);
            await node.RegisterAsync(cancel);
            return node;
        }
        catch
        {
            await StopHostAsync(host);
            Ray.Shutdown();
            throw;
        }
    }

    private async Task RegisterAsync(CancellationToken cancel)
    {
        var grains = _host.Services.GetRequiredService<IGrainFactory>();
        var silo = _host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        // Activating the agent proves it is pinned here; the head's directory then lists the node.
        var report = await grains.GetGrain<INodeAgent>(silo.ToParsableString()).Report().WaitAsync(JoinTimeout, cancel);
        await grains.GetGrain<INodeDirectory>(0).Register(report).WaitAsync(JoinTimeout, cancel);
    }

    /// <summary>
    /// Completes with the reason once the head stopped answering for the failure timeout (never on the head itself,
    /// nor once the node is stopping): a RayGen cluster ends with its head, as Ray's does without GCS fault tolerance,
    /// and a node that went on alone would only wait.
    /// </summary>
    public async Task<string?> WatchHeadAsync()
    {
        if (Identity.Details.IsHead) return await new TaskCompletionSource<string?>().Task;
        var grains = _host.Services.GetRequiredService<IGrainFactory>();
        var period = TimeSpan.FromSeconds(Math.Max(0.5, _failureTimeout.TotalSeconds / 4));
        var silentSince = (DateTime?)null;
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await grains.GetGrain<INodeDirectory>(0).Alive().WaitAsync(period, _stopping.Token);
                silentSince = null;
            }
            catch (Exception e) when (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
            {
                silentSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - silentSince >= _failureTimeout)
                    return $"The head at {Identity.HeadEndpoint} has not answered for {_failureTimeout.TotalSeconds:0} s ({e.GetType().Name}): " +
                           "a RayGen cluster ends with its head, so this node stops. Start the head again (raygen start --head) and this node with its new address.";
            }

            try
            {
                await Task.Delay(period, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return null;
    }

    /// <summary>Leaves the cluster cleanly (Orleans tells the others at once) and stops the node's runtime.</summary>
    public async Task StopAsync()
    {
        _stopping.Cancel();
        try
        {
            await StopHostAsync(_host);
        }
        finally
        {
            Ray.Shutdown();
        }
    }

    private static async Task StopHostAsync(IHost host)
    {
        // The jobs' hosts end with the node: they are its children, and a node that left runs nothing.
        host.Services.GetService<JobTable>()?.Dispose();
        using var stopping = new CancellationTokenSource(StopTimeout);
        try
        {
            await host.StopAsync(stopping.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or OrleansException)
        {
            // A graceful leave that cannot finish (the head already gone) must not keep the process alive.
        }

        host.Dispose();
    }

    private static void EnsurePortFree(IPAddress ip, int port)
    {
        try
        {
            using var probe = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.IsLoopback(ip) ? ip : IPAddress.Any, port));
        }
        catch (SocketException e)
        {
            throw new ClusterConnectException($"Port {port} on {ip} is not free ({e.SocketErrorCode}): is a head already running? Stop it (raygen stop) or give another --port.", e);
        }
    }

    private static int FreePort(IPAddress ip)
    {
        using var probe = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.IsLoopback(ip) ? ip : IPAddress.Any, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>The machine's primary IPv4 address: the first up interface with a gateway, else any non-loopback one, else loopback.</summary>
    internal static IPAddress PrimaryAddress()
    {
        var candidates = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .Select(n => n.GetIPProperties())
            .OrderByDescending(p => p.GatewayAddresses.Count > 0)
            .SelectMany(p => p.UnicastAddresses.Select(a => a.Address))
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        return candidates.FirstOrDefault() ?? IPAddress.Loopback;
    }
}
