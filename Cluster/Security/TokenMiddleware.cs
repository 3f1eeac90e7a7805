using System;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;

namespace RayGen.Cluster.Security;

/// <summary>
/// Puts <see cref="TokenHandshake"/> in front of every Orleans connection: a node's silo and gateway listeners
/// run the server's side, its outbound silo connections and a driver's gateway connections the client's.
/// </summary>
internal static class TokenMiddleware
{
    public static void AddToSilo(ISiloBuilder silo, string token)
    {
        silo.Configure<SiloConnectionOptions>(options =>
        {
            options.ConfigureSiloInboundConnection(builder => UseServer(builder, token));
            options.ConfigureGatewayInboundConnection(builder => UseServer(builder, token));
            options.ConfigureSiloOutboundConnection(builder => UseClient(builder, token));
        });
    }

    public static void AddToClient(IClientBuilder client, string token) =>
        client.Configure<ClientConnectionOptions>(options => options.ConfigureConnection(builder => UseClient(builder, token)));

    private static void UseServer(IConnectionBuilder builder, string token)
    {
        var services = builder.ApplicationServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("RayGen.Cluster.Security");
        var identity = services.GetRequiredService<NodeIdentity>();
        builder.Use(next => async context =>
        {
            var peer = context.RemoteEndPoint?.ToString() ?? "a peer";
            HandshakeMode? mode;
            string? refusal;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.ConnectionClosed);
                timeout.CancelAfter(TokenHandshake.Timeout);
                (mode, refusal) = await TokenHandshake.RunServerAsync(context.Transport, token, identity.Details, peer, timeout.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or System.IO.IOException or TokenRefusedException or ConnectionResetException)
            {
                logger.LogWarning("Refused a connection from {Peer}: the token handshake did not complete ({Reason}).", peer, e.Message);
                return;
            }

            if (mode is null) logger.LogWarning("Refused a connection from {Peer}: {Reason}.", peer, refusal);
            if (mode is null or HandshakeMode.Probe)
            {
                // Refused, or a probe that wanted the node's details only: Orleans never sees the connection. Orleans
                // aborts a connection whose middleware returns, which can drop the answer still in the send buffer,
                // so wait (bounded) for the peer to read it and hang up first.
                await WaitForPeerToCloseAsync(context.Transport.Input, context.ConnectionClosed);
                return;
            }

            await next(context);
        });
    }

    private static async Task WaitForPeerToCloseAsync(PipeReader input, CancellationToken closed)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(closed);
        timeout.CancelAfter(TokenHandshake.Timeout);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(timeout.Token);
                input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled) return;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.IO.IOException or ConnectionResetException)
        {
        }
    }

    private static void UseClient(IConnectionBuilder builder, string token) =>
        builder.Use(next => async context =>
        {
            var peer = context.RemoteEndPoint?.ToString() ?? "the cluster";
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(context.ConnectionClosed))
            {
                timeout.CancelAfter(TokenHandshake.Timeout);
                await TokenHandshake.RunClientAsync(context.Transport, token, HandshakeMode.Connection, peer, timeout.Token);
            }

            await next(context);
        });

    /// <summary>
    /// Connects to a node, proves the token and returns the node's details: how a joining node learns the
    /// cluster's id and how a driver finds the head's gateway. Fails with a message that names the problem.
    /// </summary>
    public static async Task<NodeDetails> ProbeAsync(IPEndPoint endpoint, string token, CancellationToken cancel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(TokenHandshake.Timeout);
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token);
        }
        catch (SocketException e)
        {
            throw new ClusterConnectException($"Nothing answers at {endpoint} ({e.SocketErrorCode}): is a RayGen head node running there (raygen start --head)?", e);
        }
        catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new ClusterConnectException($"{endpoint} did not accept a connection within {TokenHandshake.Timeout.TotalSeconds:0} s.", e);
        }

        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var pipe = new StreamDuplexPipe(PipeReader.Create(stream), PipeWriter.Create(stream));
        try
        {
            return await TokenHandshake.RunClientAsync(pipe, token, HandshakeMode.Probe, endpoint.ToString(), timeout.Token);
        }
        catch (TokenRefusedException e)
        {
            throw new ClusterConnectException(e.Message, e);
        }
        catch (OperationCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new ClusterConnectException($"{endpoint} accepted a connection but did not complete the token handshake within {TokenHandshake.Timeout.TotalSeconds:0} s.", e);
        }
        catch (Exception e) when (e is System.IO.IOException or SocketException)
        {
            throw new ClusterConnectException($"{endpoint} closed the connection during the token handshake: it is not a RayGen node, or it refused us ({e.Message}).", e);
        }
        finally
        {
            await pipe.Input.CompleteAsync();
            await pipe.Output.CompleteAsync();
        }
    }

    private sealed record StreamDuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
}

/// <summary>Connecting to a cluster failed; the message says why in words a user can act on.</summary>
internal sealed class ClusterConnectException(string message, Exception? inner = null) : Exception(message, inner);
