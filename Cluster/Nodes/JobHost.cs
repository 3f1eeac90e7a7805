using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Protocol;

namespace RayGen.Cluster.Nodes;

/// <summary>
/// The node's side of one driver's job: the job host process (started from the driver's shipped application),
/// the connection to it, and the results and output lines waiting to go back to the driver.
/// </summary>
internal sealed class JobHost : IDisposable
{
    /// <summary>A value larger than this is held here and pulled by the driver in chunks, never sent in one engine message.</summary>
    public const int InlineResultLimit = 1024 * 1024;

    /// <summary>A batch of results sent to the driver stays under this (Orleans closes a connection on an oversized message).</summary>
    public const int BatchBytesLimit = 8 * 1024 * 1024;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private const int DeliveryAttempts = 5;
    private readonly string _bundle;
    private readonly Process _process;
    private readonly SessionDirectory _session;
    private readonly IJobSink _sink;
    private readonly object _lock = new();
    private readonly List<(string Job, JobResultFrame Result)> _results = new();
    private readonly List<string> _lines = new();
    private readonly ConcurrentDictionary<long, byte[]> _held = new();
    private readonly ConcurrentDictionary<long, Pushed> _pushed = new();
    private readonly ConcurrentDictionary<long, string> _routes = new();
    private readonly ConcurrentDictionary<long, byte> _detached = new();
    private readonly NodeIdentity _identity;
    private FrameConnection? _connection;
    private bool _flushing;
    private volatile bool _disposed;

    private JobHost(string jobId, string bundle, Process process, SessionDirectory session, IJobSink sink, NodeIdentity identity)
    {
        _identity = identity;
        _bundle = bundle;
        JobId = jobId;
        _process = process;
        _session = session;
        _sink = sink;
    }

    public string JobId { get; }

    /// <summary>What the job host's runs hold now, as it last reported (empty before the first report).</summary>
    public IReadOnlyDictionary<string, double> Used { get; private set; } = new Dictionary<string, double>();

    /// <summary>Whether the job host process is still running.</summary>
    public bool IsAlive => !_disposed && _connection is { IsClosed: false };

    /// <summary>Starts the job host from the application in <paramref name="bundle"/>; returns once it connected and loaded the assemblies.</summary>
    public static async Task<JobHost> StartAsync(string jobId, string bundle, JobStart start, NodeIdentity identity, IJobSink sink, CancellationToken cancel)
    {
        var session = SessionDirectory.Create();
        var socketPath = Path.Combine(session.Path, "job.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);

        var info = new ProcessStartInfo(RayGen.Driver.WorkerLauncher.FindDotnet())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = bundle,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add("--depsfile");
        info.ArgumentList.Add(Inside(bundle, start.DepsFile));
        info.ArgumentList.Add("--runtimeconfig");
        info.ArgumentList.Add(Inside(bundle, start.RuntimeConfig));
        info.ArgumentList.Add(Inside(bundle, "RayGen.Worker.dll"));
        info.ArgumentList.Add(WorkerHost.JobHostMain.Verb);
        info.ArgumentList.Add(socketPath);
        var resources = identity.Resources;
        info.ArgumentList.Add(Figure(resources, "CPU"));
        info.ArgumentList.Add(Figure(resources, "GPU"));
        var custom = resources.Where(kv => kv.Key is not "CPU" and not "GPU")
            .Select(kv => $"{kv.Key}={kv.Value.ToString(CultureInfo.InvariantCulture)}").ToArray();
        info.ArgumentList.Add(custom.Length == 0 ? "-" : string.Join(',', custom));
        info.Environment[WorkerEnvironment.TokenVariable] = session.Token;
        info.Environment[WorkerEnvironment.NodeAddressVariable] = identity.SiloEndpoint.ToString();
        info.Environment[WorkerEnvironment.NodeIdVariable] = identity.Details.NodeId;
        info.Environment[WorkerEnvironment.JobIdVariable] = jobId;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var host = new JobHost(jobId, bundle, process, session, sink, identity);
        process.OutputDataReceived += (_, e) => host.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => host.OnLine(e.Data);
        try
        {
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var starting = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            starting.CancelAfter(StartTimeout);
            Socket accepted;
            try
            {
                accepted = await listener.AcceptAsync(starting.Token);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                throw new InvalidOperationException(
                    $"The job host for job {jobId} did not connect within {StartTimeout.TotalSeconds:0} s{(process.HasExited ? $" (it exited with code {process.ExitCode})" : "")}.");
            }

            await host.AdmitAsync(accepted, start, bundle, starting.Token);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    private async Task AdmitAsync(Socket socket, JobStart start, string bundle, CancellationToken cancel)
    {
        var hello = new TaskCompletionSource<HelloFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        var connection = new FrameConnection(socket, $"job host {JobId}");
        connection.Start(
            (c, frame) =>
            {
                if (c.Tag is null)
                {
                    if (frame is HelloFrame h && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(h.Token), Encoding.ASCII.GetBytes(_session.Token)))
                    {
                        c.Tag = this;
                        hello.TrySetResult(h);
                    }
                    else
                    {
                        c.Close("its first frame was not a hello with the job's token");
                    }

                    return;
                }

                if (frame is JobResultFrame result) OnResult(result);
                else if (frame is JobUsageFrame usage) Used = usage.Used;
                else if (frame is JobForwardFrame forward) OnForward(forward);
                else if (frame is ClusterInfoFrame info) _ = AnswerClusterInfoAsync(c, info);
                else c.Close($"the job host sent a {frame.GetType().Name}, which it never sends");
            },
            (_, error) =>
            {
                hello.TrySetException(new InvalidOperationException($"The job host for job {JobId} closed its connection: {error ?? "it exited"}."));
                OnClosed(error);
            });
        _connection = connection;
        await hello.Task.WaitAsync(cancel);
        connection.Send(new LoadAssembliesFrame { Paths = start.Assemblies.Select(a => Inside(bundle, a)).ToArray() });
    }

    /// <summary>Whether an actor that outlives its driver lives here (so ending the job must leave the host running).</summary>
    public bool HasDetachedActors => !_detached.IsEmpty;

    // Keys handed to the job host lately: a batch sent again after a timed-out try that did arrive runs once.
    private readonly RecentKeys _seen = new(RecentKeysKept);
    private const int RecentKeysKept = 1 << 16;

    /// <summary>Hands runs to the job host, in order; a run whose key came before (a resend) is skipped.</summary>
    public void Submit(IEnumerable<JobRunFrame> runs, string[]? assemblies, string? replyTo = null)
    {
        var connection = _connection ?? throw new InvalidOperationException("The job host is not connected.");
        if (assemblies is { Length: > 0 }) connection.Send(new LoadAssembliesFrame { Paths = assemblies.Select(a => Inside(_bundle, a)).ToArray() });
        foreach (var run in runs)
        {
            if (!_seen.Add(run.Key)) continue;
            // Another driver's call of this job's actor: its result goes to that driver (keys are unique across drivers).
            if (replyTo is not null && replyTo != JobId) _routes[run.Key] = replyTo;
            if (run.Kind == RunKind.ActorConstructor && run.Detached) _detached[run.Key] = 0;
            if (run.HeldArgs is { } held && run.ArgFrom is { } from && Array.Exists(from, f => f is { Length: > 0 }))
            {
                // Held by another node: pulled from there first (a task's run, whose order does not matter).
                _ = SubmitAfterPullsAsync(connection, run, held, from);
                continue;
            }

            if (run.HeldArgs is { } args && PutHeldArguments(run, args) is { } missing)
            {
                OnResult(missing);
                continue;
            }

            connection.Send(run);
        }
    }

    /// <summary>How many chunks of one argument are pulled from another node at once.</summary>
    private const int PullsInFlight = 4;

    private async Task SubmitAfterPullsAsync(FrameConnection connection, JobRunFrame run, long[] held, string?[] from)
    {
        for (var i = 0; i < held.Length && i < from.Length; i++)
        {
            if (held[i] == 0 || from[i] is not { Length: > 0 } silo) continue;
            try
            {
                var length = await _sink.HeldLength(silo, JobId, held[i]);
                run.Args[i] = await PullFromNodeAsync(silo, held[i], length);
                held[i] = 0;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                OnResult(new JobResultFrame
                {
                    Key = run.Key, ArgumentsMissing = true,
                    Error = ErrorInfo.Of(ErrorKind.ObjectLost, $"Argument {i} of {run.FunctionId} could not be pulled from the node that holds it: {e.Message}"),
                });
                return;
            }
        }

        if (PutHeldArguments(run, held) is { } missing) OnResult(missing);
        else connection.Send(run);
    }

    /// <summary>A value another node holds for this job, pulled from its agent in chunks (a few at once), node to node.</summary>
    private async Task<byte[]> PullFromNodeAsync(string silo, long key, long length)
    {
        var value = GC.AllocateUninitializedArray<byte>(checked((int)length));
        await Transfer.InChunksAsync(value.Length, ChunkBytes, PullsInFlight, async (offset, count) =>
        {
            var chunk = await _sink.PullFrom(silo, JobId, key, offset, count);
            if (chunk.Length != count) throw new InvalidDataException($"node {silo} sent {chunk.Length} of {count} bytes at {offset}");
            chunk.CopyTo(value.AsSpan((int)offset));
        });
        return value;
    }

    /// <summary>The size of one chunk pulled from another node: far under Orleans' message limit.</summary>
    private const int ChunkBytes = 4 * 1024 * 1024;

    /// <summary>Puts the held arguments in place: pushed ones (then forgotten), and results held here (which stay); null when all were there.</summary>
    private JobResultFrame? PutHeldArguments(JobRunFrame run, long[] held)
    {
        for (var i = 0; i < held.Length && i < run.Args.Length; i++)
        {
            if (held[i] == 0) continue;
            if (run.ArgFrom?[i] is "")
            {
                // A result made here and kept for the driver: used in place, no copy crosses the network.
                if (!_held.TryGetValue(held[i], out var local))
                    return new JobResultFrame { Key = run.Key, ArgumentsMissing = true, Error = ErrorInfo.Of(ErrorKind.ObjectLost, $"Argument {i} of {run.FunctionId} is no longer held on node {_identity.Details.NodeId}.") };
                run.Args[i] = local;
                continue;
            }

            if (!_pushed.TryRemove(held[i], out var pushed) || pushed.Received != pushed.Value.Length)
                return new JobResultFrame { Key = run.Key, Error = ErrorInfo.Of(ErrorKind.Runtime, $"Argument {i} of {run.FunctionId} did not fully reach node {_identity.Details.NodeId} before its run.") };
            run.Args[i] = pushed.Value;
        }

        return null;
    }

    /// <summary>The length of a value this job holds (a result kept for the driver), for another node about to pull it.</summary>
    public long HeldLength(long key) =>
        _held.TryGetValue(key, out var value) ? value.Length : throw new InvalidOperationException($"Job {JobId} holds no value {key} (already dropped, or never held).");

    /// <summary>One chunk of an argument the driver pushes before the run that takes it (a value too large for one engine message).</summary>
    public void PutValue(long key, long length, long offset, byte[] bytes)
    {
        if (length < 0 || length > Array.MaxLength) throw new InvalidDataException($"A pushed value of {length} bytes cannot be held (at most {Array.MaxLength}).");
        var pushed = _pushed.GetOrAdd(key, _ => new Pushed(GC.AllocateUninitializedArray<byte>((int)length)));
        if (pushed.Value.Length != length || offset < 0 || offset > length - bytes.Length)
            throw new InvalidDataException($"A chunk of {bytes.Length} bytes at {offset} does not fit pushed value {key} of {pushed.Value.Length} bytes.");
        bytes.CopyTo(pushed.Value, offset);
        Interlocked.Add(ref pushed.Received, bytes.Length);
    }

    /// <summary>A value being pushed: its bytes and how many arrived (chunks never overlap).</summary>
    private sealed class Pushed(byte[] value)
    {
        public readonly byte[] Value = value;
        public long Received;
    }

    public void KillActor(long key)
    {
        _detached.TryRemove(key, out _);
        _connection?.Send(new JobKillActorFrame { ActorKey = key });
    }

    /// <summary>A chunk of a held value; empty past its end.</summary>
    public byte[] Pull(long key, long offset, int count)
    {
        if (!_held.TryGetValue(key, out var value)) throw new InvalidOperationException($"Job {JobId} holds no value {key} (already dropped, or never held).");
        if (offset < 0 || offset >= value.Length) return Array.Empty<byte>();
        var length = (int)Math.Min(count, value.Length - offset);
        return value.AsSpan((int)offset, length).ToArray();
    }

    public void Drop(long key) => _held.TryRemove(key, out _);

    // Keys of held objects a result refers to: below zero, apart from the driver's run keys.
    private long _lastContainedKey;

    private void OnResult(JobResultFrame result)
    {
        if (result.Value is { Length: > InlineResultLimit } value)
        {
            _held[result.Key] = value;
            result.Value = null;
            result.HeldLength = value.Length;
        }

        // The objects of the job host's own that the value refers to go to the driver as the value does: past one
        // inline result's worth in all, they are held here for it to pull, so no engine message grows past a chunk.
        long inline = result.Value?.Length ?? 0;
        foreach (var contained in result.Contained ?? [])
        {
            if (contained.Value is not { } bytes) continue;
            if (inline + bytes.Length <= InlineResultLimit)
            {
                inline += bytes.Length;
                continue;
            }

            var key = Interlocked.Decrement(ref _lastContainedKey);
            _held[key] = bytes;
            contained.Value = null;
            contained.HeldKey = key;
            contained.HeldLength = bytes.Length;
        }

        if (result.Error is not null) _detached.TryRemove(result.Key, out _); // a detached actor whose constructor failed holds nothing here
        var job = _routes.TryRemove(result.Key, out var replyTo) ? replyTo : JobId;
        lock (_lock) _results.Add((job, result));
        Flush();
    }

    /// <summary>Ray.Nodes() or the resource figures asked by code in the job host: the head's node table, as a driver reads it.</summary>
    private async Task AnswerClusterInfoAsync(FrameConnection connection, ClusterInfoFrame frame)
    {
        var reply = new ClusterInfoReplyFrame { RequestId = frame.RequestId };
        try
        {
            var reports = await _sink.Nodes();
            if (frame.Kind == ClusterInfoKind.Nodes) reply.Nodes = reports.Select(r => WireNode.From(Driver.ClusterConnection.ToNodeInfo(r))).ToArray();
            else reply.Resources = Driver.ClusterClient.Sum(reports, free: frame.Kind == ClusterInfoKind.AvailableResources);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            reply.Error = $"The node could not read the cluster's node table: {e.Message}";
        }

        connection.Send(reply);
    }

    // Calls of the driver's actors made by code here, on their way to the driver (in order, with the results' flush).
    private readonly List<JobForwardFrame> _forwards = new();

    private void OnForward(JobForwardFrame call)
    {
        lock (_lock) _forwards.Add(call);
        Flush();
    }

    public void CancelRun(long key, bool force) => _connection?.Send(new JobCancelFrame { Key = key, Force = force });

    /// <summary>The driver's answers to forwarded calls: to the job host, which completes them.</summary>
    public void ForwardResults(JobForwardResultFrame[] answers)
    {
        var connection = _connection ?? throw new InvalidOperationException("The job host is not connected.");
        foreach (var answer in answers)
        {
            if (answer.HeldFrom is { } silo) _ = PullForwardedAsync(connection, answer, silo);
            else connection.Send(answer);
        }
    }

    /// <summary>An object the driver said another node holds: pulled from there, node to node, then handed to the job host.</summary>
    private async Task PullForwardedAsync(FrameConnection connection, JobForwardResultFrame answer, string silo)
    {
        try
        {
            var value = await PullFromNodeAsync(silo, answer.HeldKey, answer.HeldLength);
            connection.Send(new JobForwardResultFrame { Key = answer.Key, Value = value });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            connection.Send(new JobForwardResultFrame { Key = answer.Key, PullFailed = true, Error = ErrorInfo.Of(ErrorKind.ObjectLost, e.Message) });
        }
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_lock) _lines.Add(line);
        Flush();
    }

    private void OnClosed(string? error)
    {
        FailRoutedRuns($"the job host of job {JobId} on node {_identity.Details.NodeId} ended{(error is null ? "" : $" ({error})")}");
        if (_disposed) return;
        OnLine($"[RayGen] the job host of job {JobId} ended{(error is null ? "" : $": {error}")}");
        _sink.Ended(JobId, error, _process.Id);
        // Crashed: its socket folder goes now (a job host ended on purpose is disposed by its table).
        _session.Dispose();
    }

    /// <summary>Other drivers' calls still running here will never answer: each is told, so its Get ends.</summary>
    private void FailRoutedRuns(string reason)
    {
        foreach (var key in _routes.Keys.ToList())
        {
            if (!_routes.TryRemove(key, out var replyTo)) continue;
            lock (_lock) _results.Add((replyTo, new JobResultFrame { Key = key, Error = ErrorInfo.Of(ErrorKind.ActorDied, $"The actor's {reason}.") }));
        }

        Flush();
    }

    // One sender at a time, so results reach the driver in the order they were made and each message carries a batch.
    private void Flush()
    {
        lock (_lock)
        {
            if (_flushing) return;
            _flushing = true;
        }

        _ = Task.Run(FlushLoopAsync);
    }

    /// <summary>
    /// Result batches on their way to drivers at once: each waits for its driver's answer, and a loop that waited for
    /// one before sending the next paid a round trip per batch (the soak's batches of 50 ran at 9k tasks/s, not 15k).
    /// Results carry their keys, so batches may arrive in any order; forwarded calls, whose order counts, go one at a time.
    /// </summary>
    private const int ResultBatchesInFlight = 4;

    private async Task FlushLoopAsync()
    {
        var delivering = new List<Task>();
        while (true)
        {
            List<(string Job, JobResultFrame Result)> results;
            List<JobForwardFrame> forwards;
            string[] lines;
            lock (_lock)
            {
                if (_results.Count == 0 && _lines.Count == 0 && _forwards.Count == 0)
                {
                    _flushing = false;
                    return;
                }

                results = Transfer.TakeBatch(_results, static r => (r.Result.Value?.Length ?? 0) + 256L + (r.Result.Contained?.Sum(c => (c.Value?.Length ?? 0) + 64L) ?? 0), BatchBytesLimit);
                lines = _lines.ToArray();
                _lines.Clear();
                forwards = Transfer.TakeBatch(_forwards, static f => f.Args.Sum(a => (long)a.Length) + 256L, BatchBytesLimit);
            }

            if (!await DeliverAsync("forwarded calls", JobId, forwards.Count, () => _sink.Forward(JobId, forwards.ToArray())))
            {
                // Their callers here would wait forever: each gets the reason.
                var failed = ErrorInfo.Of(ErrorKind.ActorDied, $"A call of the driver's actor from node {_identity.Details.NodeId} could not reach the driver.");
                ForwardResults(forwards.Select(f => new JobForwardResultFrame { Key = f.Key, Error = failed }).ToArray());
            }

            try
            {
                if (lines.Length > 0) await _sink.Output(JobId, lines);
            }
            catch (Exception e)
            {
                // Output is best effort: a driver that cannot take it now loses these lines, not its results.
                Console.Error.WriteLine($"[RayGen] job {JobId}: output lines could not reach the driver: {e.Message}");
            }

            foreach (var group in results.GroupBy(r => r.Job))
            {
                // Each driver on its own: one that is slow or gone must not cost another its results. A driver that
                // stays unreachable (its lease ends its job, or it is gone for good) has its results dropped at last.
                var frames = group.Select(r => r.Result).ToArray();
                delivering.RemoveAll(static d => d.IsCompleted);
                if (delivering.Count >= ResultBatchesInFlight) delivering.Remove(await Task.WhenAny(delivering));
                delivering.Add(DeliverAsync($"results for job {group.Key}", group.Key, frames.Length, () => _sink.Results(group.Key, frames)));
            }
        }
    }

    /// <summary>Sends until the driver answers, a few times; then the batch is dropped (its driver is gone or unreachable).</summary>
    // destination: the job whose driver gets the batch: past a few attempts it is sent again only while that driver
    // still listens here (its lease ending, or its job ending, stops it).
    private async Task<bool> DeliverAsync(string what, string destination, int count, Func<Task> send)
    {
        if (count == 0) return true;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await send();
                return true;
            }
            catch (Exception e) when ((attempt < DeliveryAttempts || _sink.Listening(destination)) && !_disposed)
            {
                Console.Error.WriteLine($"[RayGen] job {JobId}: {what} could not be delivered (attempt {attempt}): {e.Message}");
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)));
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"[RayGen] job {JobId}: {count} {what} dropped: {e.Message}");
                return false;
            }
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        FailRoutedRuns($"the job host of job {JobId} on node {_identity.Details.NodeId} was ended (its driver is done)");
        _disposed = true;
        _connection?.Close();
        try
        {
            // Closing its connection ends a job host cleanly (its workers and its store go with it); a kill is the backstop.
            if (!_process.WaitForExit(StopTimeout)) _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }

        _held.Clear();
        _pushed.Clear();
        _session.Dispose();
    }

    private static string Figure(IReadOnlyDictionary<string, double> resources, string name) =>
        (resources.TryGetValue(name, out var value) ? value : 0).ToString(CultureInfo.InvariantCulture);

    /// <summary>A path the driver named, inside the bundle; one that leaves it is refused.</summary>
    internal static string Inside(string bundle, string relative)
    {
        var full = Path.GetFullPath(Path.Combine(bundle, relative));
        var root = Path.GetFullPath(bundle).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(root, StringComparison.Ordinal)) throw new InvalidDataException($"The path '{relative}' leaves the shipped application's folder.");
        return full;
    }
}

/// <summary>Where a job host's results and output lines go: the driver's observer.</summary>
internal interface IJobSink
{
    Task Results(string jobId, JobResultFrame[] results);

    Task Forward(string jobId, JobForwardFrame[] calls);

    /// <summary>The length of a value another node holds for a job (before pulling it, node to node).</summary>
    Task<long> HeldLength(string silo, string jobId, long key);

    /// <summary>The head's node table (for Ray.Nodes() and the resource figures asked in a task).</summary>
    Task<NodeReport[]> Nodes();

    /// <summary>A chunk of a value another node holds for a job.</summary>
    Task<byte[]> PullFrom(string silo, string jobId, long key, long offset, int count);

    Task Output(string jobId, string[] lines);

    void Ended(string jobId, string? error, int hostPid);

    /// <summary>Whether a driver still listens for this job here (results for it are worth sending again).</summary>
    bool Listening(string jobId);
}
