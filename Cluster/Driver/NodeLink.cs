using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using MemoryPack;
using RayGen.Cluster.Nodes;
using RayGen.Cluster.Shipping;
using RayGen.Internal;
using RayGen.Protocol;

namespace RayGen.Cluster.Driver;

/// <summary>
/// A driver's line to one job host on one node: for its own job it ships the application there once (skipped when
/// the node has its hash) and starts the job host; for another driver's job (calls of an actor found by name) it only
/// tells the node where results go. Then it sends runs in order, as batches: many small tasks cost one engine
/// message, not one each.
/// </summary>
internal sealed class NodeLink
{
    /// <summary>A batch of runs stays under this; a single run larger than it travels alone (up to <see cref="RunBytesLimit"/>).</summary>
    public const int BatchBytesLimit = 8 * 1024 * 1024;

    /// <summary>
    /// The most one run's arguments may weigh: Orleans refuses a message over 100 MiB and closes the connection for
    /// everyone, so the driver refuses first. Larger arguments need the chunked transfer a later version adds.
    /// </summary>
    public const int RunBytesLimit = 64 * 1024 * 1024;

    private readonly object _lock = new();
    private readonly List<Outgoing> _outbox = new();
    private readonly AppShipment _app;
    private readonly string _jobId;
    private readonly string _targetJob;
    private readonly IJobObserver _observer;
    private readonly Action<IReadOnlyList<JobRunFrame>, Exception> _onSendFailed;
    private readonly Func<JobRunFrame, bool> _wanted;
    private Task? _ready;
    private bool _flushing;
    private int _knownFunctions;

    // targetJob: the job whose host runs what this link sends: jobId (this driver's) or another driver's.
    // wanted: whether a run that could not be sent is still this link's to deliver (not re-placed, failed or recovered meanwhile).
    public NodeLink(string nodeId, INodeAgent agent, AppShipment app, string jobId, string targetJob, IJobObserver observer,
        Action<IReadOnlyList<JobRunFrame>, Exception> onSendFailed, Func<JobRunFrame, bool> wanted)
    {
        _wanted = wanted;
        NodeId = nodeId;
        Agent = agent;
        _app = app;
        _jobId = jobId;
        _targetJob = targetJob;
        _observer = observer;
        _onSendFailed = onSendFailed;
    }

    public string NodeId { get; }
    public INodeAgent Agent { get; }

    /// <summary>Whether the job was started there (so it must be ended there).</summary>
    public bool Started => _ready is { IsCompletedSuccessfully: true };

    /// <summary>An argument larger than this is pushed to the node in chunks before its run, not carried in the run.</summary>
    public const int InlineArgumentLimit = 1024 * 1024;

    /// <summary>The size of one chunk of a pushed argument (and of a pulled result): far under Orleans' message limit.</summary>
    public const int ChunkBytes = 4 * 1024 * 1024;

    /// <summary>A run and the large arguments to push before it (its <c>HeldArgs</c> name their keys).</summary>
    private readonly record struct Outgoing(JobRunFrame Run, (long Key, ReadOnlyMemory<byte> Value)[]? Pushes);

    public void Send(JobRunFrame run, (long Key, ReadOnlyMemory<byte> Value)[]? pushes = null)
    {
        lock (_lock)
        {
            _outbox.Add(new Outgoing(run, pushes));
            _ready ??= PrepareAsync();
            if (_flushing) return;
            _flushing = true;
        }

        _ = Task.Run(FlushLoopAsync);
    }

    /// <summary>Whether this link calls into another driver's job host.</summary>
    public bool IsForeign => _targetJob != _jobId;

    private async Task PrepareAsync()
    {
        if (IsForeign)
        {
            await Agent.Attach(_jobId, _observer);
            return;
        }

        var manifest = _app.Manifest;
        if (!await Agent.HasCode(manifest.Hash))
        {
            var upload = await Agent.BeginCode(manifest.Hash, manifest.Paths, manifest.Sizes, manifest.Sha256);
            foreach (var chunk in CodeChunks.Read(_app.Folder, manifest, CodeChunks.DefaultChunkSize))
                await Agent.WriteCode(upload, chunk.Path, chunk.Offset, chunk.Bytes);
            await Agent.SealCode(upload);
        }

        _knownFunctions = RemoteRegistry.Count;
        await Agent.StartJob(new JobStart(_jobId, manifest.Hash, _app.DepsFile, _app.RuntimeConfig, _app.Assemblies()), _observer);
    }

    private async Task FlushLoopAsync()
    {
        while (true)
        {
            List<Outgoing> batch;
            Task ready;
            lock (_lock)
            {
                if (_outbox.Count == 0)
                {
                    _flushing = false;
                    return;
                }

                batch = Transfer.TakeBatch(_outbox, static o => Weight(o.Run), BatchBytesLimit);
                ready = _ready!;
            }

            try
            {
                await ready;
                // Assemblies whose functions registered after the job started go with the batch, and count as known
                // only once a batch carrying them arrived: a batch that failed is sent again with them.
                var known = RemoteRegistry.Count;
                var assemblies = known != _knownFunctions ? _app.Assemblies() : null;

                foreach (var outgoing in batch)
                {
                    if (outgoing.Pushes is null) continue;
                    foreach (var (key, value) in outgoing.Pushes) await PushAsync(key, value);
                }

                await Agent.Submit(_targetJob, MemoryPackSerializer.Serialize(batch.Select(o => o.Run).ToArray()), IsForeign ? null : assemblies,
                    IsForeign ? _jobId : null);
                _knownFunctions = known;
            }
            catch (Exception e)
            {
                // A failed preparation (a job host slow to start, a node restarting it) is tried again with the next run.
                if (ready.IsFaulted)
                {
                    Reset(ready);
                    _onSendFailed(batch.Select(o => o.Run).ToList(), e);
                }
                else
                {
                    // Its tasks go back for placement at once; its actor calls are sent again here first (in order).
                    _onSendFailed(batch.Where(o => o.Run.Kind != RunKind.ActorCall).Select(o => o.Run).ToList(), e);
                    _onSendFailed(await SendAgainAsync(batch), e);
                }
            }
        }
    }

    /// <summary>How long actor calls whose batch failed are sent again, in place, before the send error is their answer.</summary>
    private static readonly TimeSpan ResendWindow = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan ResendPause = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A batch failed to send, for a reason that may pass (a timeout whose message did arrive, a node about to be
    /// declared dead); its tasks went back for placement already. Its actor calls can only go to this node and
    /// must keep their order, so they are sent again here, ahead of anything queued after them, until they arrive, the
    /// driver stops wanting them (the node was declared dead and their actor restarts elsewhere) or the window ends
    /// (then they are returned too). The job host skips a key it has seen, so a call that did arrive runs once.
    /// </summary>
    private async Task<List<JobRunFrame>> SendAgainAsync(List<Outgoing> batch)
    {
        var failed = new List<JobRunFrame>();
        var calls = batch.Where(o => o.Run.Kind == RunKind.ActorCall).Select(o => o.Run).ToList();
        var until = DateTime.UtcNow + ResendWindow;
        while (calls.Count > 0)
        {
            await Task.Delay(ResendPause);
            calls = calls.Where(_wanted).ToList();
            if (calls.Count == 0) break;
            if (DateTime.UtcNow > until)
            {
                failed.AddRange(calls);
                break;
            }

            try
            {
                await Agent.Submit(_targetJob, MemoryPackSerializer.Serialize(calls.ToArray()), null, IsForeign ? _jobId : null);
                calls.Clear();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Still not through: the next pause decides again.
            }
        }

        return failed;
    }

    /// <summary>The job host there is gone or never came up: the next run starts it again (shipping is skipped, the code is cached).</summary>
    public void Reset(Task? failed = null)
    {
        lock (_lock)
        {
            if (failed is null || ReferenceEquals(_ready, failed)) _ready = null;
            if (_outbox.Count > 0) _ready ??= PrepareAsync();
        }
    }

    /// <summary>How many chunks of one value are pushed at once (the node writes each at its offset, in any order).</summary>
    private const int PushesInFlight = 4;

    private Task PushAsync(long key, ReadOnlyMemory<byte> value) =>
        Transfer.InChunksAsync(value.Length, ChunkBytes, PushesInFlight,
            (offset, count) => Agent.PutValue(_targetJob, key, value.Length, offset, value.Slice((int)offset, count).ToArray()));

    /// <summary>Tells the node this driver lives (see JobTable.JobLease), once the job's start there began.</summary>
    public void KeepAlive()
    {
        // While it starts too: a job host slow to come up must not lose its lease before its first run.
        if (_ready is null) return;
        _ = Agent.KeepAlive(_jobId).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    /// <summary>A chunk of a result the node holds.</summary>
    public Task<byte[]> Pull(long key, long offset, int count) => Agent.Pull(_targetJob, key, offset, count);

    public Task Drop(long key) => Agent.Drop(_targetJob, key);

    /// <summary>The length of a value the node holds for this job; fails when it holds none (or the node is gone).</summary>
    public Task<long> HeldLength(long key) => Agent.HeldLength(_targetJob, key);

    public Task KillActor(long key) => Agent.KillActor(_targetJob, key);

    public Task CancelRun(long key, bool force) => Agent.CancelRun(_targetJob, key, force);

    /// <summary>This driver is done with the node: its job there ends (for a foreign link: the node forgets where results went).</summary>
    public Task End()
    {
        Ended = true;
        return Agent.EndJob(_jobId);
    }

    /// <summary>The job there ended, or the node died: nothing it held for this driver is there any more.</summary>
    public bool Ended { get; private set; }

    /// <summary>The node died: what it held is gone.</summary>
    public void MarkGone() => Ended = true;

    /// <summary>What a run weighs on the wire: its arguments and a little for the rest.</summary>
    public static long Weight(JobRunFrame run)
    {
        long bytes = 256 + run.FunctionId.Length * 2L;
        foreach (var arg in run.Args) bytes += arg.Length + 8;
        return bytes;
    }
}
