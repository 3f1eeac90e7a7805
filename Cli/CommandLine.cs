using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using RayGen.Cluster.Nodes;

namespace RayGen.Cli;

/// <summary>A command line that cannot be run: the message names the problem; the exit code is 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>The flags of <c>raygen start</c> (and of the hidden <c>node</c> verb, which takes the same ones).</summary>
internal sealed class StartOptions
{
    public bool Head { get; private set; }
    public string? Address { get; private set; }
    public int Port { get; private set; } = NodeSettings.DefaultPort;
    public string? Token { get; private set; }
    public double? NumCpus { get; private set; }
    public double? NumGpus { get; private set; }
    public Dictionary<string, double> Resources { get; } = new(StringComparer.Ordinal);
    public long? ObjectStoreMemory { get; private set; }
    public IPAddress? NodeIpAddress { get; private set; }
    public TimeSpan? FailureTimeout { get; private set; }
    public bool Block { get; private set; }

    /// <summary>The arguments as given, without --block, for the node process started in the background.</summary>
    public List<string> NodeArguments { get; } = [];

    public static StartOptions Parse(IReadOnlyList<string> args, bool tokenInEnvironment = false)
    {
        var o = new StartOptions();
        var seenPort = false;
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            string Value()
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new UsageException($"{flag} needs a value.");
                var value = args[++i];
                o.NodeArguments.Add(flag);
                o.NodeArguments.Add(value);
                return value;
            }

            switch (flag)
            {
                case "--head":
                    o.Head = true;
                    o.NodeArguments.Add(flag);
                    break;
                case "--block":
                    o.Block = true;
                    break;
                case "--address":
                    o.Address = Value();
                    break;
                case "--port":
                    o.Port = ParsePort(flag, Value());
                    seenPort = true;
                    break;
                case "--token":
                    var token = Value();
                    if (token.Length == 0 || token.Any(char.IsWhiteSpace)) throw new UsageException("--token must be non-empty and have no spaces.");
                    o.Token = token;
                    break;
                case "--num-cpus":
                    o.NumCpus = ParseAmount(flag, Value());
                    break;
                case "--num-gpus":
                    o.NumGpus = ParseAmount(flag, Value());
                    break;
                case "--resources":
                    ParseResources(Value(), o.Resources);
                    break;
                case "--object-store-memory":
                    var text = Value();
                    if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) || bytes <= 0)
                        throw new UsageException($"--object-store-memory takes a number of bytes, not '{text}'.");
                    o.ObjectStoreMemory = bytes;
                    break;
                case "--failure-timeout":
                    var seconds = ParseAmount(flag, Value());
                    if (seconds < 1) throw new UsageException("--failure-timeout takes a number of seconds, at least 1.");
                    o.FailureTimeout = TimeSpan.FromSeconds(seconds);
                    break;
                case "--node-ip-address":
                    var ip = Value();
                    o.NodeIpAddress = IPAddress.TryParse(ip, out var parsed) ? parsed : throw new UsageException($"--node-ip-address takes an IP address, not '{ip}'.");
                    break;
                default:
                    throw new UsageException($"raygen start does not know the option '{flag}'.");
            }
        }

        if (o.Head == (o.Address is not null))
            throw new UsageException(o.Head
                ? "Give either --head (start a cluster) or --address HOST:PORT (join one), not both."
                : "raygen start needs --head (start a cluster) or --address HOST:PORT --token TOKEN (join one).");
        if (!o.Head && seenPort) throw new UsageException("--port is the head's port; a node that joins takes free ports.");
        if (!o.Head && o.Token is null && !tokenInEnvironment)
            throw new UsageException("Joining a cluster needs its token: --token TOKEN (raygen start --head printed it).");
        return o;
    }

    private static int ParsePort(string flag, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port
            : throw new UsageException($"{flag} takes a port between 1 and 65535, not '{text}'.");

    private static double ParseAmount(string flag, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0 && double.IsFinite(amount)
            ? amount
            : throw new UsageException($"{flag} takes a non-negative number, not '{text}'.");

    private static void ParseResources(string text, Dictionary<string, double> into)
    {
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = pair.IndexOf('=');
            if (equals <= 0) throw new UsageException($"--resources takes name=amount pairs separated by commas (a=1,b=2), not '{pair}'.");
            var name = pair[..equals].Trim();
            if (name is "CPU" or "GPU") throw new UsageException($"--resources cannot set {name}: use --num-{name.ToLowerInvariant()}s.");
            into[name] = ParseAmount($"--resources {name}", pair[(equals + 1)..].Trim());
        }
    }
}
