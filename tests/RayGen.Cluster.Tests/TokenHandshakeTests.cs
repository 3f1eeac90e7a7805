using System;
using System.IO.Pipelines;
using System.Threading;
using System.Threading.Tasks;
using NUnit.Framework;
using RayGen.Cluster.Security;

namespace RayGen.Cluster.Tests;

/// <summary>The handshake every cluster connection runs first, over in-memory pipes: who gets in, and what the others are told.</summary>
public class TokenHandshakeTests
{
    private static readonly NodeDetails Details = new("raygen-test", 1, 2, "0123456789abcdef", IsHead: true);

    /// <summary>Two ends of one connection.</summary>
    private static (IDuplexPipe Client, IDuplexPipe Server) Connection()
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        return (new Duplex(toClient.Reader, toServer.Writer), new Duplex(toServer.Reader, toClient.Writer));
    }

    private sealed record Duplex(PipeReader Input, PipeWriter Output) : IDuplexPipe;

    private static async Task<(Exception? ClientError, NodeDetails? Details, string? Refusal)> Run(string clientToken, string serverToken,
        string clientVersion = "1.0.0", string serverVersion = "1.0.0")
    {
        var (client, server) = Connection();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var serverSide = TokenHandshake.RunServerAsync(server, serverToken, Details, "the client", timeout.Token, serverVersion);
        Exception? clientError = null;
        NodeDetails? details = null;
        try
        {
            details = await TokenHandshake.RunClientAsync(client, clientToken, HandshakeMode.Probe, "the node", timeout.Token, clientVersion);
        }
        catch (TokenRefusedException e)
        {
            clientError = e;
        }

        var (_, refusal) = await serverSide;
        return (clientError, details, refusal);
    }

    [Test]
    public async Task Peers_with_the_same_token_and_version_connect_and_the_client_learns_the_nodes_details()
    {
        var (error, details, refusal) = await Run("secret", "secret");
        Assert.That(error, Is.Null);
        Assert.That(refusal, Is.Null);
        Assert.That(details, Is.EqualTo(Details));
    }

    [Test]
    public async Task A_wrong_token_is_refused_and_the_client_is_told_why()
    {
        var (error, _, refusal) = await Run("guess", "secret");
        Assert.That(refusal, Does.StartWith("wrong token"));
        Assert.That(error!.Message, Does.Contain("the node refused the connection: wrong token"));
    }

    [Test]
    public async Task A_peer_running_another_RayGen_version_is_refused_naming_both_versions()
    {
        var (error, _, refusal) = await Run("secret", "secret", clientVersion: "0.9.0", serverVersion: "1.0.0");
        Assert.That(refusal, Does.Contain("version mismatch").And.Contain("runs 1.0.0").And.Contain("the peer 0.9.0"));
        Assert.That(error!.Message, Does.Contain("RayGen version mismatch: this node runs 1.0.0, the peer 0.9.0"));
    }

    [Test]
    public async Task A_peer_that_does_not_speak_the_handshake_is_refused_at_once()
    {
        var (client, server) = Connection();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var serverSide = TokenHandshake.RunServerAsync(server, "secret", Details, "the client", timeout.Token);
        await client.Output.WriteAsync(new byte[37] { 71, 69, 84, 32, 47, 32, 72, 84, 84, 80, 47, 49, 46, 49, 13, 10, 13, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
        var (mode, refusal) = await serverSide;
        Assert.That(mode, Is.Null);
        Assert.That(refusal, Does.Contain("did not start the token handshake"));
    }
}
