using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Core;
using RayGen.Protocol;

namespace RayGen.WorkerHost;

/// <summary>
/// A job host's view of its cluster: its node answers (the node asks the head's node table), so <c>Ray.Nodes()</c>
/// in a task on a node lists the cluster's nodes, as in the driver.
/// </summary>
internal sealed class NodeClusterView(FrameConnection node) : IClusterView
{
    /// <summary>How long a question may wait for its node: the head answers in milliseconds, or is gone.</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<long, TaskCompletionSource<ClusterInfoReplyFrame>> _pending = new();
    private long _nextRequest;

    public IReadOnlyList<NodeInfo> Nodes() => ClusterInfo.Nodes(Ask(ClusterInfoKind.Nodes));

    public IReadOnlyDictionary<string, double> ClusterResources() => ClusterInfo.Resources(Ask(ClusterInfoKind.ClusterResources));

    public IReadOnlyDictionary<string, double> AvailableResources() => ClusterInfo.Resources(Ask(ClusterInfoKind.AvailableResources));

    public void OnReply(ClusterInfoReplyFrame reply)
    {
        if (_pending.TryRemove(reply.RequestId, out var waiting)) waiting.TrySetResult(reply);
    }

    private ClusterInfoReplyFrame Ask(ClusterInfoKind kind)
    {
        var id = Interlocked.Increment(ref _nextRequest);
        var waiting = new TaskCompletionSource<ClusterInfoReplyFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiting;
        node.Send(new ClusterInfoFrame { RequestId = id, Kind = kind });
        try
        {
            return waiting.Task.WaitAsync(AnswerTimeout).GetAwaiter().GetResult();
        }
        catch (TimeoutException)
        {
            _pending.TryRemove(id, out _);
            throw new RayException($"The node did not say within {AnswerTimeout.TotalSeconds:0} s what the cluster holds (is its head gone?).");
        }
    }
}
