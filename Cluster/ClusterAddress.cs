using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Cluster.Security;

namespace RayGen.Cluster;

/// <summary>Reads a cluster address, <c>HOST:PORT</c>.</summary>
internal static class ClusterAddress
{
    public static (string Host, int Port) Parse(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || colon == address.Length - 1 ||
            !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new ClusterConnectException($"'{address}' is not a cluster address: expected HOST:PORT, as raygen start --head prints it (for example 10.0.0.5:6380), or \"auto\".");
        return (address[..colon].Trim('[', ']'), port);
    }

    public static async Task<IPEndPoint> ResolveAsync(string address, CancellationToken cancel)
    {
        var (host, port) = Parse(address);
        if (IPAddress.TryParse(host, out var ip)) return new IPEndPoint(ip, port);
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, cancel);
            var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault()
                ?? throw new ClusterConnectException($"The host '{host}' of the cluster address '{address}' has no address.");
            return new IPEndPoint(chosen, port);
        }
        catch (SocketException e)
        {
            throw new ClusterConnectException($"The host '{host}' of the cluster address '{address}' could not be resolved ({e.SocketErrorCode}).", e);
        }
    }
}
