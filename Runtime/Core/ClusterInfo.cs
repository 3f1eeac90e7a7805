using System;
using System.Collections.Generic;
using System.Linq;
using RayGen.Protocol;

namespace RayGen.Core;

/// <summary>
/// <c>Ray.Nodes()</c> and the resource figures asked in a task or actor: the process that runs it asks whoever
/// answers for it (a worker its driver or job host; a job host its node, which asks the head).
/// </summary>
internal static class ClusterInfo
{
    /// <summary>The answer <paramref name="core"/> gives to <paramref name="frame"/>, or the reason it cannot.</summary>
    public static ClusterInfoReplyFrame Answer(RuntimeCore core, ClusterInfoFrame frame)
    {
        var reply = new ClusterInfoReplyFrame { RequestId = frame.RequestId };
        try
        {
            switch (frame.Kind)
            {
                case ClusterInfoKind.Nodes:
                    reply.Nodes = core.Nodes().Select(WireNode.From).ToArray();
                    break;
                case ClusterInfoKind.ClusterResources:
                    reply.Resources = new Dictionary<string, double>(core.ClusterResources());
                    break;
                default:
                    reply.Resources = new Dictionary<string, double>(core.AvailableResources());
                    break;
            }
        }
        catch (Exception e) when (e is RayException or InvalidOperationException or TimeoutException)
        {
            reply.Error = e.Message;
        }

        return reply;
    }

    /// <summary>The nodes of a reply; throws its error.</summary>
    public static IReadOnlyList<NodeInfo> Nodes(ClusterInfoReplyFrame reply) =>
        Checked(reply).Nodes?.Select(n => n.ToNodeInfo()).ToList() ?? [];

    /// <summary>The resources of a reply; throws its error.</summary>
    public static IReadOnlyDictionary<string, double> Resources(ClusterInfoReplyFrame reply) =>
        Checked(reply).Resources ?? new Dictionary<string, double>();

    private static ClusterInfoReplyFrame Checked(ClusterInfoReplyFrame reply) =>
        reply.Error is { } error ? throw new RayException(error) : reply;
}
