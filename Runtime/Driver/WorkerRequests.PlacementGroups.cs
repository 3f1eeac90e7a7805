using System;
using System.Linq;
using System.Threading.Tasks;
using RayGen.Protocol;

namespace RayGen.Driver;

// Placement groups made, awaited and removed by code in a worker: the driver's table owns them all.
internal sealed partial class WorkerRequests
{
    public void OnCreatePlacementGroup(FrameConnection connection, CreatePlacementGroupFrame frame)
    {
        var reply = new ActorReplyFrame { RequestId = frame.RequestId };
        try
        {
            reply.ActorId = _runtime.PlacementGroups.Create(frame.Bundles.Select(b => b.ToBundle()).ToArray(), frame.Strategy).Number;
        }
        catch (Exception e) when (e is RayException or ArgumentException)
        {
            reply.Error = e.Message;
        }

        connection.Send(reply);
    }

    public void OnRemovePlacementGroup(RemovePlacementGroupFrame frame) => _runtime.PlacementGroups.Remove(frame.GroupId);

    public void OnPlacementGroupReady(FrameConnection connection, PlacementGroupReadyFrame frame)
    {
        var requestId = frame.RequestId;
        _runtime.PlacementGroups.WhenReady(frame.GroupId).ContinueWith(
            ready => connection.Send(new ActorReplyFrame { RequestId = requestId, Error = ready.Exception?.InnerException?.Message }),
            TaskScheduler.Default);
    }
}
