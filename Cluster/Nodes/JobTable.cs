using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MemoryPack;
using Orleans;
using RayGen.Cluster.Shipping;
using RayGen.Protocol;

namespace RayGen.Cluster.Nodes;

/// <summary>
/// The node's jobs: the application cache, uploads in progress and one job host per driver. A singleton of the
/// node's process (not grain state), so a grain re-activation never forgets a running job.
/// </summary>
internal sealed class JobTable : IDisposable
{
    private readonly NodeIdentity _identity;
    private readonly CodeCache _code;
    private readonly ConcurrentDictionary<string, CodeUpload> _uploads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<JobHost>>> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IJobObserver> _observers = new(StringComparer.Ordinal);

    private readonly IGrainFactory _grains;

    public JobTable(NodeIdentity identity, IGrainFactory grains)
    {
        _identity = identity;
        _grains = grains;
        // A folder of this node's own: nodes started on one machine share the state folder, and a build one node deletes
        // when its last job there ends may be what another node's job host is starting from (seen: a job host that
        // could not load RayGen.Worker.dll, exit code 134).
        _code = new CodeCache(Path.Combine(ClusterState.CodeFolder, identity.Details.NodeId));
        _expiry = new Timer(_ => EndExpired(), null, LeaseCheckPeriod, LeaseCheckPeriod);
    }

    /// <summary>
    /// How long a job lives without hearing from its driver. A driver renews every few seconds (and with every call);
    /// one that died, even by SIGKILL, stops renewing, and its job host, workers and held values go within this.
    /// </summary>
    public static readonly TimeSpan JobLease = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan LeaseCheckPeriod = TimeSpan.FromSeconds(2);
    private readonly JobLeases _leases = new(JobLease);
    private readonly Timer _expiry;

    public void KeepAlive(string jobId) => _leases.Renew(jobId, Environment.TickCount64);

    private void EndExpired()
    {
        foreach (var jobId in _leases.Expired(Environment.TickCount64))
        {
            Console.Error.WriteLine($"[RayGen] job {jobId}: its driver has not been heard from for {JobLease.TotalSeconds:0} s; ending its job host.");
            _ = EndJob(jobId);
            // Its names go too (the head hears it from every node that ran its work; once is enough, more is harmless).
            _ = _grains.GetGrain<INameDirectory>(0).ReleaseJob(jobId).ContinueWith(static _ => { }, TaskScheduler.Default);
        }
    }

    public bool HasCode(string hash) => _code.TryGet(hash, out _);

    /// <summary>What every running job host of this node holds now, summed: the node's free figures are its totals less this.</summary>
    public Dictionary<string, double> Used()
    {
        var used = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var job in _jobs.Values)
        {
            if (!job.IsValueCreated || !job.Value.IsCompletedSuccessfully || !job.Value.Result.IsAlive) continue;
            foreach (var (name, amount) in job.Value.Result.Used) used[name] = used.GetValueOrDefault(name) + amount;
        }

        return used;
    }

    public string BeginCode(AppManifest manifest)
    {
        var id = Guid.NewGuid().ToString("N");
        _uploads[id] = _code.Begin(manifest);
        return id;
    }

    public void WriteCode(string uploadId, string path, long offset, byte[] bytes) => Upload(uploadId).Write(path, offset, bytes);

    public void SealCode(string uploadId)
    {
        if (!_uploads.TryRemove(uploadId, out var upload)) throw new InvalidOperationException($"No upload {uploadId} is in progress on this node.");
        using (upload) upload.Seal();
    }

    private CodeUpload Upload(string id) =>
        _uploads.TryGetValue(id, out var upload) ? upload : throw new InvalidOperationException($"No upload {id} is in progress on this node.");

    // Job -> the build it runs: a build no job runs any more is deleted (the "shipped code freed on every node").
    private readonly ConcurrentDictionary<string, string> _builds = new(StringComparer.Ordinal);

    public async Task StartJob(JobStart job, IJobObserver observer)
    {
        // Listed and looked up under the lock a job's end deletes under, so no build is deleted under a job starting on it.
        string? bundle;
        lock (_builds)
        {
            _builds[job.JobId] = job.CodeHash;
            if (!_code.TryGet(job.CodeHash, out bundle)) bundle = null;
        }

        if (bundle is null)
        {
            FreeBuildOf(job.JobId);
            throw new InvalidOperationException($"The application {job.CodeHash} of job {job.JobId} was not shipped to this node.");
        }
        _observers[job.JobId] = observer;
        KeepAlive(job.JobId);
        var start = _jobs.GetOrAdd(job.JobId, id => new Lazy<Task<JobHost>>(
            () => JobHost.StartAsync(id, bundle, job, _identity, new Sink(this), CancellationToken.None)));
        try
        {
            var host = await start.Value;
            if (!host.IsAlive) throw new InvalidOperationException($"The job host of job {job.JobId} on this node has ended.");
        }
        catch
        {
            _jobs.TryRemove(new KeyValuePair<string, Lazy<Task<JobHost>>>(job.JobId, start));
            throw;
        }
    }

    public async Task Submit(string jobId, byte[] runs, string[]? assemblies, string? replyTo)
    {
        var frames = MemoryPackSerializer.Deserialize<JobRunFrame[]>(runs) ?? Array.Empty<JobRunFrame>();
        KeepAlive(replyTo ?? jobId);
        (await Host(jobId)).Submit(frames, assemblies, replyTo);
    }

    public void Attach(string jobId, IJobObserver observer)
    {
        _observers[jobId] = observer;
        KeepAlive(jobId);
    }

    public async Task PutValue(string jobId, long key, long length, long offset, byte[] bytes)
    {
        KeepAlive(jobId);
        (await Host(jobId)).PutValue(key, length, offset, bytes);
    }

    public async Task<byte[]> Pull(string jobId, long key, long offset, int count) => (await Host(jobId)).Pull(key, offset, count);

    public async Task<long> HeldLength(string jobId, long key) => (await Host(jobId)).HeldLength(key);

    public async Task Drop(string jobId, long key) => (await Host(jobId)).Drop(key);

    public async Task CancelRun(string jobId, long key, bool force) => (await Host(jobId)).CancelRun(key, force);

    public async Task ForwardResults(string jobId, byte[] frames)
    {
        var answers = MemoryPackSerializer.Deserialize<JobForwardResultFrame[]>(frames)
                      ?? throw new InvalidDataException("The driver sent no forwarded results.");
        (await Host(jobId)).ForwardResults(answers);
    }

    public async Task KillActor(string jobId, long key)
    {
        var host = await Host(jobId);
        host.KillActor(key);
        // A job host kept only for detached actors (its driver is gone) ends with the last of them.
        if (!host.HasDetachedActors && !_observers.ContainsKey(jobId)) await EndJob(jobId);
    }

    public async Task EndJob(string jobId)
    {
        _leases.Forget(jobId);
        _observers.TryRemove(jobId, out _);
        if (!_jobs.TryGetValue(jobId, out var start))
        {
            FreeBuildOf(jobId); // its host crashed before, or never started
            return;
        }
        try
        {
            var host = await start.Value;
            // A detached actor outlives its driver: its job host stays (the names find it) until the node stops.
            if (host.HasDetachedActors) return;
            _jobs.TryRemove(new KeyValuePair<string, Lazy<Task<JobHost>>>(jobId, start));
            // Off the grain's thread: ending the process waits for it (up to seconds), which must not hold the silo up.
            _ = Task.Run(() =>
            {
                host.Dispose();
                FreeBuildOf(jobId);
            });
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            // It never started: nothing runs.
        }
    }

    /// <summary>The job ended: its shipped build goes too unless another job runs it (a driver of the same build ships it again).</summary>
    private void FreeBuildOf(string jobId)
    {
        lock (_builds)
        {
            if (!_builds.TryRemove(jobId, out var hash) || _builds.Values.Contains(hash, StringComparer.Ordinal)) return;
            try
            {
                _code.Remove(hash);
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"[RayGen] the build {hash} of ended job {jobId} could not be deleted: {e.Message}");
            }
        }
    }

    private async Task<JobHost> Host(string jobId) =>
        _jobs.TryGetValue(jobId, out var start) ? await start.Value : throw new InvalidOperationException($"Job {jobId} has no host on this node.");

    public void Dispose()
    {
        _expiry.Dispose();
        foreach (var job in _jobs.Values)
        {
            if (job.IsValueCreated && job.Value.IsCompletedSuccessfully) job.Value.Result.Dispose();
        }

        _jobs.Clear();
        foreach (var upload in _uploads.Values) upload.Dispose();
        _uploads.Clear();
    }

    private sealed class Sink(JobTable table) : IJobSink
    {
        public Task Results(string jobId, JobResultFrame[] results) =>
            // No observer: the driver ended (a detached actor's job host serves other drivers' calls only).
            table._observers.TryGetValue(jobId, out var observer) ? observer.Results(table._identity.Details.NodeId, MemoryPackSerializer.Serialize(results)) : Task.CompletedTask;

        public Task Forward(string jobId, JobForwardFrame[] calls) =>
            table._observers.TryGetValue(jobId, out var observer)
                ? observer.Forward(table._identity.Details.NodeId, MemoryPackSerializer.Serialize(calls))
                : Task.FromException(new InvalidOperationException($"Job {jobId}'s driver is not connected to this node."));

        public Task<long> HeldLength(string silo, string jobId, long key) => table._grains.GetGrain<INodeAgent>(silo).HeldLength(jobId, key);

        public Task<NodeReport[]> Nodes() => table._grains.GetGrain<INodeDirectory>(0).Nodes();

        public Task<byte[]> PullFrom(string silo, string jobId, long key, long offset, int count) =>
            table._grains.GetGrain<INodeAgent>(silo).Pull(jobId, key, offset, count);

        public Task Output(string jobId, string[] lines) =>
            table._observers.TryGetValue(jobId, out var observer) ? observer.Output(table._identity.Details.NodeId, lines) : Task.CompletedTask;

        public bool Listening(string jobId) => table._observers.ContainsKey(jobId);

        public void Ended(string jobId, string? error, int hostPid)
        {
            table._jobs.TryRemove(jobId, out _);
            table._leases.Forget(jobId);
            if (table._observers.TryRemove(jobId, out var observer)) _ = TellEndedAsync(observer, table._identity.Details.NodeId, jobId, error, hostPid);
        }

        // The driver reruns what that job host held once it hears this, so it is said until the driver answers (or,
        // after a few tries, the driver is taken for gone: its lease ends whatever is left).
        private static async Task TellEndedAsync(IJobObserver observer, string nodeId, string jobId, string? error, int hostPid)
        {
            for (var attempt = 1; attempt <= EndedAttempts; attempt++)
            {
                try
                {
                    await observer.Ended(nodeId, error, hostPid);
                    return;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Console.Error.WriteLine($"[RayGen] the end of job {jobId}'s host could not be told to its driver (attempt {attempt}): {e.Message}");
                    await Task.Delay(TimeSpan.FromSeconds(attempt));
                }
            }
        }

        private const int EndedAttempts = 5;
    }
}
