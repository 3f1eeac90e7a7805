using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Core;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.Cluster.Driver;

// Large values that stay on the node that made them: pulled to the driver only when it asks, made again when lost.
internal sealed partial class ClusterBackend
{
    private long _pulledBytes;

    /// <summary>Bytes of values this driver pulled from nodes (tests: a value consumed on another node never comes here).</summary>
    internal long PulledBytes => Interlocked.Read(ref _pulledBytes);

    /// <summary>A run that makes a lost value again: the value, and what the run gave (a new held copy, or bytes).</summary>
    internal sealed record Rebuild(RemoteValue Value, TaskCompletionSource<object> Done);

    /// <summary>The value a node holds under <paramref name="key"/> for <paramref name="entry"/>, with <paramref name="producer"/> to make it again.</summary>
    private RemoteValue HoldRemote(NodeLink link, long key, long length, TaskSpec? producer, ObjectEntry entry)
    {
        var value = new RemoteValue(checked((int)length), producer, FetchAsync);
        NewHeldCopy(link, key, length, value, entry);
        return value;
    }

    private HeldCopy NewHeldCopy(NodeLink link, long key, long length, RemoteValue value, ObjectEntry entry)
    {
        var copy = new HeldCopy(this, link, key, length) { Value = value };
        value.Copy = copy;
        _keptKeys[key] = 0;
        _heldCopies.AddOrUpdate(entry, copy);
        Keep(copy);
        return copy;
    }

    /// <summary>The bytes of a held value, pulled here; when its node lost it, made again by its task while that may retry.</summary>
    private async Task<byte[]> FetchAsync(RemoteValue value)
    {
        while (true)
        {
            var copy = value.Copy!;
            Exception failure;
            try
            {
                if (BeforePull is { } hook) await hook(copy.Link.NodeId);
                if (copy.Link.Ended) throw new InvalidOperationException($"node {copy.Link.NodeId} is gone");
                var bytes = await PullAsync(copy.Link, copy.Key, value.Length);
                Interlocked.Add(ref _pulledBytes, bytes.Length);
                return bytes;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failure = e;
            }

            var made = await MakeAgainAsync(value, value.Producer, copy, failure);
            if (made is byte[] inline) return inline;
        }
    }

    /// <summary>Runs <paramref name="producer"/> again for a value whose only copy was lost; the new copy, or the bytes.</summary>
    private async Task<object> MakeAgainAsync(RemoteValue value, TaskSpec? producer, HeldCopy lost, Exception failure)
    {
        while (true)
        {
            if (producer is null || producer.Attempts >= producer.MaxRetries || producer.CancelRequested || _headLost is not null || _disposed)
            {
                throw new ObjectLostException(
                    $"A value of {lost.Length:N0} bytes held on node {lost.Link.NodeId} is lost ({FirstLine(failure.Message)}), and " +
                    (producer is null
                        ? "it was put by a task there: a put is not made again (as in Ray)."
                        : $"{producer.Function.DisplayName} may not run again (max retries {producer.MaxRetries})."));
            }

            Suspect(lost.Link.NodeId);
            producer.Attempts++;
            if (Tracing) Console.Error.WriteLine($"[RayGen] making {producer.Function.DisplayName}'s value again: node {lost.Link.NodeId} lost it");
            try
            {
                return await RebuildAsync(value, producer);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failure = e;
            }
        }
    }

    /// <summary>Places <paramref name="task"/> again as a run whose result replaces <paramref name="value"/>'s lost copy.</summary>
    private async Task<object> RebuildAsync(RemoteValue value, TaskSpec task)
    {
        var rebuild = new Rebuild(value, new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously));
        // Its own arguments may be lost too: those are made again first (recursively, through the same path).
        if (LostArguments(task) is { } lost)
        {
            foreach (var argument in lost) await EnsureHeldAsync(argument);
        }

        Place(new Run(task, RunKind.Task, actor: null, task.ResolveArguments()) { Sources = SourcesOf(task), Rebuilding = rebuild });
        var made = await rebuild.Done.Task;
        if (made is HeldCopy copy) value.Copy = copy;
        return made;
    }

    /// <summary>The arguments of <paramref name="task"/> held only on a node that is gone; null when none.</summary>
    private static List<RemoteValue>? LostArguments(TaskSpec task)
    {
        List<RemoteValue>? lost = null;
        for (var i = 0; i < task.ArgCount; i++)
        {
            if (task.Args[i].Ref?.Remote is RemoteValue { IsLocal: false, Copy: { Link.Ended: true } } value) (lost ??= new()).Add(value);
        }

        return lost;
    }

    /// <summary>Makes sure some node (or the driver) has <paramref name="value"/>: made again when it is lost.</summary>
    private async Task EnsureHeldAsync(RemoteValue value, bool knownLost = false)
    {
        var copy = value.Copy!;
        if (value.IsLocal || (!knownLost && !copy.Link.Ended)) return;
        var made = await MakeAgainAsync(value, value.Producer, copy, new InvalidOperationException($"node {copy.Link.NodeId} is gone"));
        if (made is byte[] bytes) value.SetLocal(bytes);
    }

    private async Task ExecuteWhenMadeAgainAsync(TaskSpec task, List<RemoteValue> lost)
    {
        try
        {
            foreach (var value in lost) await EnsureHeldAsync(value);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _owner.CompleteTask(task, null, new ResultNotStoredException(ErrorInfo.Of(ErrorKind.ObjectLost,
                $"An argument of {task.Function.DisplayName} is lost: {FirstLine(e.Message)}")));
            return;
        }

        Execute(task);
    }

    /// <summary>Whether the node of <paramref name="copy"/> still holds it (asked, with a short wait: a dead node does not answer).</summary>
    private static async Task<bool> IsHeldAsync(HeldCopy copy)
    {
        if (copy.Link.Ended || copy.Dropped) return false;
        try
        {
            return await copy.Link.HeldLength(copy.Key).WaitAsync(HeldProbeTimeout) == copy.Length;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    private static readonly TimeSpan HeldProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The held arguments of <paramref name="task"/> whose node no longer has them; null when none.</summary>
    private static async Task<List<RemoteValue>?> MissingArgumentsAsync(TaskSpec task)
    {
        List<RemoteValue>? missing = null;
        for (var i = 0; i < task.ArgCount; i++)
        {
            if (task.Args[i].Ref?.Remote is RemoteValue { IsLocal: false, Copy: { } copy } value && !await IsHeldAsync(copy))
                (missing ??= new()).Add(value);
        }

        return missing;
    }

    /// <summary>
    /// A run whose node missed an argument it was to pull from another node (that node died, or dropped it): sent
    /// again once each such argument is held again, made again by its task, so it goes node to node still.
    /// </summary>
    private async Task SendWhenHeldAsync(Run run)
    {
        try
        {
            if (await MissingArgumentsAsync(run.Task) is { } lost)
            {
                // A task gives its node's resources back while its arguments are made again (they may need them).
                if (run.Kind == RunKind.Task)
                {
                    Release(run);
                    run.Node = null;
                    foreach (var value in lost) await EnsureHeldAsync(value, knownLost: true);
                    Place(new Run(run.Task, RunKind.Task, actor: null, run.Task.ResolveArguments()) { Sources = SourcesOf(run.Task), Rebuilding = run.Rebuilding });
                    return;
                }

                foreach (var value in lost) await EnsureHeldAsync(value, knownLost: true);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Complete(run, null, ErrorInfo.Of(ErrorKind.ObjectLost, $"An argument of {run.Task.Function.DisplayName} is lost: {FirstLine(e.Message)}"));
            return;
        }

        // Node to node again; past a second miss (the nodes cannot reach each other, say), from the driver's copy.
        run.Sources = ++run.MissedArguments < 2 ? SourcesOf(run.Task) : null;
        Send(run);
    }

    /// <summary>Drops a kept copy from its node to keep the node's share bounded; the only copy comes here first.</summary>
    private async Task EvictAsync(HeldCopy copy)
    {
        try
        {
            if (copy.Value is { IsLocal: false } value && ReferenceEquals(value.Copy, copy)) await value.LocalAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Lost already (its node died): the value makes itself again when read; nothing to drop.
            return;
        }

        copy.Dropped = true;
        _keptKeys.TryRemove(copy.Key, out _);
        _ = copy.Link.Drop(copy.Key).ContinueWith(static _ => { }, TaskScheduler.Default);
    }

    /// <summary>A held value's bytes, pulled in chunks (a few at once) from its node.</summary>
    private static async Task<byte[]> PullAsync(NodeLink link, long key, long length)
    {
        var value = GC.AllocateUninitializedArray<byte>(checked((int)length));
        await Transfer.InChunksAsync(value.Length, NodeLink.ChunkBytes, PullsInFlight, async (offset, count) =>
        {
            var chunk = await link.Pull(key, offset, count);
            if (chunk.Length != count) throw new InvalidOperationException($"the node's copy ended early ({chunk.Length} of {count} bytes at {offset})");
            chunk.CopyTo(value.AsSpan((int)offset));
        });
        return value;
    }
}
