using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Protocol;

namespace RayGen.InWorker;

// Placement groups from inside a worker: the driver owns them; a group here is its id, shape and a way to ask.
internal sealed partial class DriverLink
{
    private readonly ConcurrentDictionary<long, PlacementGroup> _groups = new();

    public PlacementGroup CreatePlacementGroup(IReadOnlyList<Bundle> bundles, PlacementStrategy strategy)
    {
        var reply = Request(id => new CreatePlacementGroupFrame
        {
            RequestId = id,
            Bundles = bundles.Select(WireBundle.From).ToArray(),
            Strategy = strategy,
        });
        return PlacementGroupById(reply.ActorId, bundles.ToArray(), strategy);
    }

    public void RemovePlacementGroup(PlacementGroup group) => Send(new RemovePlacementGroupFrame { GroupId = group.Number });

    public PlacementGroup PlacementGroupById(long id, IReadOnlyList<Bundle> bundles, PlacementStrategy strategy) =>
        _groups.GetOrAdd(id, static (id, s) =>
        {
            Task? ready = null;
            // Asked once, when first awaited; the answer comes when the driver has reserved the group.
            return new PlacementGroup(id, s.bundles, s.strategy, () => LazyInitializer.EnsureInitialized(ref ready, () => s.link.WhenGroupReady(id)));
        }, (bundles, strategy, link: this));

    private async Task WhenGroupReady(long groupId)
    {
        var id = Interlocked.Increment(ref _nextRequest);
        var reply = new TaskCompletionSource<ActorReplyFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests[id] = reply;
        Send(new PlacementGroupReadyFrame { RequestId = id, GroupId = groupId });
        // A caller may block on the answer (PlacementGroup.Wait) on the thread reading the connection.
        _connection.HandOffReceiving();
        _connection.Deferral.FlushAll();
        var answer = await reply.Task.ConfigureAwait(false);
        if (answer.Error is { } error) throw new RayException(error);
    }
}
