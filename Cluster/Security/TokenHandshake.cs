using System;
using System.Reflection;
using System.Buffers;
using System.Buffers.Binary;
using System.IO;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace RayGen.Cluster.Security;

/// <summary>What a connection is for: Orleans traffic follows, or the caller only wanted the node's details.</summary>
internal enum HandshakeMode : byte
{
    Connection = 0,
    Probe = 1,
}

/// <summary>What a node tells a peer that proved the token: enough to join the cluster or to reach its gateway.</summary>
internal sealed record NodeDetails(string ClusterId, int SiloPort, int GatewayPort, string NodeId, bool IsHead);

/// <summary>The peer could not prove the cluster's token, or refused ours.</summary>
internal sealed class TokenRefusedException(string message) : Exception(message);

/// <summary>
/// Mutual challenge-response on the cluster's token, run on every connection before Orleans speaks: each side
/// sends a fresh 32-byte nonce and proves the token with an HMAC-SHA256 over both nonces and its role, so the
/// token never crosses the wire and a recorded proof is worthless for another connection.
/// </summary>
/// <remarks>
/// client: "RGH1", mode, client nonce
/// server: "RGH1", server nonce, server proof = HMAC(token, "raygen-server" | client nonce | server nonce)
/// client: client proof = HMAC(token, "raygen-client" | server nonce | client nonce), then 0 and its RayGen version
/// server: 0 and the node's details as length-prefixed JSON, or 1 and a length-prefixed reason (a wrong token, another
///         RayGen version: the frames that follow would not decode), then it closes
/// The client sends its proof before it checks the server's, so a refused peer is told why and logged; it then
/// rejects a server whose proof is wrong (a node that does not hold the token).
/// </remarks>
internal static class TokenHandshake
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly byte[] s_magic = "RGH2"u8.ToArray();

    /// <summary>This build's RayGen version: peers must run the same one, or the frames they exchange would not decode.</summary>
    public static readonly string Version =
        typeof(TokenHandshake).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(TokenHandshake).Assembly.GetName().Version?.ToString() ?? "unknown";
    private const int NonceSize = 32;
    private const int ProofSize = 32;
    private const int MaxMessage = 64 * 1024;

    /// <summary>Runs the client's side; returns the server's details, or throws <see cref="TokenRefusedException"/>.</summary>
    public static async Task<NodeDetails> RunClientAsync(IDuplexPipe transport, string token, HandshakeMode mode, string peer, CancellationToken cancel,
        string? version = null)
    {
        var clientNonce = RandomNumberGenerator.GetBytes(NonceSize);
        var hello = new byte[s_magic.Length + 1 + NonceSize];
        s_magic.CopyTo(hello, 0);
        hello[s_magic.Length] = (byte)mode;
        clientNonce.CopyTo(hello, s_magic.Length + 1);
        await transport.Output.WriteAsync(hello, cancel);

        var answer = await ReadExactlyAsync(transport.Input, s_magic.Length + NonceSize + ProofSize, peer, cancel);
        if (!answer.AsSpan(0, s_magic.Length).SequenceEqual(s_magic))
            throw new TokenRefusedException($"{peer} is not a RayGen node (it did not answer the token handshake).");
        var serverNonce = answer.AsSpan(s_magic.Length, NonceSize).ToArray();
        var serverProof = answer.AsSpan(s_magic.Length + NonceSize, ProofSize).ToArray();

        await transport.Output.WriteAsync(Proof(token, "raygen-client", serverNonce, clientNonce), cancel);
        await WriteMessageAsync(transport.Output, 0, version ?? Version, cancel);

        var status = (await ReadExactlyAsync(transport.Input, 1, peer, cancel))[0];
        var message = await ReadMessageAsync(transport.Input, peer, cancel);
        if (status != 0)
            throw new TokenRefusedException($"{peer} refused the connection: {message}");
        if (!CryptographicOperations.FixedTimeEquals(serverProof, Proof(token, "raygen-server", clientNonce, serverNonce)))
            throw new TokenRefusedException($"{peer} could not prove the cluster's token: it is not a node of this cluster.");
        return JsonSerializer.Deserialize<NodeDetails>(message)
            ?? throw new TokenRefusedException($"{peer} sent no node details after the token handshake.");
    }

    /// <summary>
    /// Runs the server's side; returns the mode the client asked for, or null after refusing it (the reason was sent).
    /// </summary>
    public static async Task<(HandshakeMode? Mode, string? Refusal)> RunServerAsync(IDuplexPipe transport, string token, NodeDetails details, string peer,
        CancellationToken cancel, string? version = null)
    {
        var hello = await ReadExactlyAsync(transport.Input, s_magic.Length + 1 + NonceSize, peer, cancel);
        if (!hello.AsSpan(0, s_magic.Length).SequenceEqual(s_magic))
            return (null, "it did not start the token handshake (not a RayGen peer, or a RayGen without cluster security)");
        var mode = (HandshakeMode)hello[s_magic.Length];
        var clientNonce = hello.AsSpan(s_magic.Length + 1, NonceSize).ToArray();
        var serverNonce = RandomNumberGenerator.GetBytes(NonceSize);

        var answer = new byte[s_magic.Length + NonceSize + ProofSize];
        s_magic.CopyTo(answer, 0);
        serverNonce.CopyTo(answer, s_magic.Length);
        Proof(token, "raygen-server", clientNonce, serverNonce).CopyTo(answer, s_magic.Length + NonceSize);
        await transport.Output.WriteAsync(answer, cancel);

        var clientProof = await ReadExactlyAsync(transport.Input, ProofSize, peer, cancel);
        if (!CryptographicOperations.FixedTimeEquals(clientProof, Proof(token, "raygen-client", serverNonce, clientNonce)))
        {
            const string Reason = "wrong token: the cluster's token was not proven (check RayOptions.Token, RAYGEN_TOKEN or --token)";
            await WriteMessageAsync(transport.Output, 1, Reason, cancel);
            return (null, Reason);
        }

        _ = (await ReadExactlyAsync(transport.Input, 1, peer, cancel))[0];
        var peerVersion = await ReadMessageAsync(transport.Input, peer, cancel);
        var ownVersion = version ?? Version;
        if (peerVersion != ownVersion)
        {
            var reason = $"RayGen version mismatch: this node runs {ownVersion}, the peer {peerVersion}; every node and driver of a cluster must run the same RayGen";
            await WriteMessageAsync(transport.Output, 1, reason, cancel);
            return (null, reason);
        }

        await WriteMessageAsync(transport.Output, 0, JsonSerializer.Serialize(details), cancel);
        return (mode, null);
    }

    private static byte[] Proof(string token, string role, byte[] first, byte[] second)
    {
        var input = new byte[role.Length + first.Length + second.Length];
        Encoding.ASCII.GetBytes(role, input);
        first.CopyTo(input, role.Length);
        second.CopyTo(input, role.Length + first.Length);
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), input);
    }

    private static async Task WriteMessageAsync(PipeWriter output, byte status, string message, CancellationToken cancel)
    {
        var text = Encoding.UTF8.GetBytes(message);
        var frame = new byte[1 + 4 + text.Length];
        frame[0] = status;
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(1), text.Length);
        text.CopyTo(frame, 5);
        await output.WriteAsync(frame, cancel);
    }

    private static async Task<string> ReadMessageAsync(PipeReader input, string peer, CancellationToken cancel)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(await ReadExactlyAsync(input, 4, peer, cancel));
        if (length is < 0 or > MaxMessage) throw new TokenRefusedException($"{peer} sent a malformed handshake message ({length} bytes).");
        return Encoding.UTF8.GetString(await ReadExactlyAsync(input, length, peer, cancel));
    }

    private static async Task<byte[]> ReadExactlyAsync(PipeReader input, int count, string peer, CancellationToken cancel)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancel);
            var buffer = result.Buffer;
            if (buffer.Length >= count)
            {
                var bytes = buffer.Slice(0, count).ToArray();
                input.AdvanceTo(buffer.GetPosition(count));
                return bytes;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted || result.IsCanceled)
                throw new EndOfStreamException($"{peer} closed the connection during the token handshake.");
        }
    }
}
