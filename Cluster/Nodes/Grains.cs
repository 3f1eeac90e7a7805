using System.Collections.Generic;
using System.Threading.Tasks;
using Orleans;

namespace RayGen.Cluster.Nodes;

/// <summary>A node as the cluster records it: what it joined with and, when asked, what is free on it.</summary>
[GenerateSerializer, Immutable]
internal sealed record NodeReport(
    [property: Id(0)] string NodeId,
    [property: Id(1)] string Address,
    [property: Id(2)] string SiloAddress,
    [property: Id(3)] bool IsHead,
    [property: Id(4)] Dictionary<string, double> Total,
    [property: Id(5)] Dictionary<string, double> Available,
    [property: Id(6)] bool IsAlive);

/// <summary>
/// One per node, keyed by its silo address (<c>SiloAddress.ToParsableString()</c>) and pinned to that silo by
/// <see cref="NodePlacementDirector"/>: the node's voice in the cluster. Later slices submit tasks and pull
/// objects through it; after the node dies a call fails instead of reactivating it elsewhere.
/// </summary>
internal interface INodeAgent : IGrainWithStringKey
{
    /// <summary>The node's figures now (its runtime's free resources).</summary>
    Task<NodeReport> Report();

    /// <summary>Whether the application with this content hash is already cached here.</summary>
    Task<bool> HasCode(string hash);

    /// <summary>Starts an upload of an application (its manifest as arrays); returns the upload's id.</summary>
    Task<string> BeginCode(string hash, string[] paths, long[] sizes, string[] sha256);

    /// <summary>One chunk of one file of an upload (at most <c>CodeChunks.DefaultChunkSize</c> bytes).</summary>
    Task WriteCode(string uploadId, string path, long offset, byte[] bytes);

    /// <summary>Checks every file against the manifest and makes the application available under its hash.</summary>
    Task SealCode(string uploadId);

    /// <summary>Starts the job's host from its shipped application, if not running; results go to <paramref name="observer"/>.</summary>
    Task StartJob(JobStart job, IJobObserver observer);

    /// <summary>
    /// MemoryPack bytes of a <c>JobRunFrame[]</c>: runs handed to <paramref name="jobId"/>'s job host in order;
    /// <paramref name="assemblies"/> (paths inside the application) when the driver registered functions from
    /// assemblies it loaded since; <paramref name="replyTo"/>, for calls of another driver's actor, the job whose
    /// observer gets the results (null: the job's own).
    /// </summary>
    Task Submit(string jobId, byte[] runs, string[]? assemblies, string? replyTo);

    /// <summary>A driver that only calls actors of other drivers here: where this node sends their results, and its lease.</summary>
    Task Attach(string jobId, IJobObserver observer);

    /// <summary>One chunk of an argument too large to travel inline, pushed before the run that names it in <c>HeldArgs</c>.</summary>
    Task PutValue(string jobId, long key, long length, long offset, byte[] bytes);

    /// <summary>The driver lives: renews the job's lease (<c>JobTable.JobLease</c>).</summary>
    Task KeepAlive(string jobId);

    /// <summary>A chunk of a result too large to travel inline.</summary>
    Task<byte[]> Pull(string jobId, long key, long offset, int count);

    /// <summary>The driver has the value (or no longer wants it): the node forgets it.</summary>
    Task Drop(string jobId, long key);

    /// <summary>Ends an actor the job host runs.</summary>
    Task KillActor(string jobId, long actorKey);

    /// <summary>Cancels a run (Ray.Cancel): its token is signalled; forced, a task's worker is killed.</summary>
    Task CancelRun(string jobId, long key, bool force);

    /// <summary>MemoryPack bytes of a <c>JobForwardResultFrame[]</c>: the driver's answers to calls its job host forwarded.</summary>
    Task ForwardResults(string jobId, byte[] frames);

    /// <summary>The driver is done: its job host ends and its held values go.</summary>
    Task EndJob(string jobId);
}

/// <summary>
/// The cluster's node table, one activation on the head (<see cref="HeadPlacementDirector"/>): every node
/// registers on joining; a node stays listed after it dies, as in Ray. Alive or dead is read from Orleans'
/// membership when asked.
/// </summary>
internal interface INodeDirectory : IGrainWithIntegerKey
{
    Task Register(NodeReport node);

    /// <summary>Answers while the head lives: the nodes' watch on it.</summary>
    Task Alive();

    /// <summary>Every node that ever joined, alive ones with their free resources now.</summary>
    Task<NodeReport[]> Nodes();
}

/// <summary>What a node needs to start a driver's job host: the shipped application and the files in it to run.</summary>
[GenerateSerializer, Immutable]
internal sealed record JobStart(
    [property: Id(0)] string JobId,
    [property: Id(1)] string CodeHash,
    [property: Id(2)] string DepsFile,
    [property: Id(3)] string RuntimeConfig,
    [property: Id(4)] string[] Assemblies);

/// <summary>
/// The driver's ear for one job: nodes push results and output lines to it (an Orleans observer on the driver's
/// client), so a driver never polls and never holds a call open while work runs.
/// </summary>
internal interface IJobObserver : IGrainObserver
{
    /// <summary>MemoryPack bytes of a <c>JobResultFrame[]</c>: finished runs, in the order they finished.</summary>
    /// <remarks>
    /// Answered, not one-way: a one-way message the engine drops on its way (a silo dying while it routes to the
    /// client) is lost without a word, and a run whose result is lost while its node lives would wait forever. The
    /// node sends again until the driver answers; the driver ignores a result it already has.
    /// </remarks>
    [ResponseTimeout("00:00:10")]
    Task Results(string nodeId, byte[] frames);

    /// <summary>Output lines of the job's workers on that node, already prefixed <c>(pid=N, node=ADDRESS)</c>.</summary>
    [Orleans.Concurrency.OneWay]
    Task Output(string nodeId, string[] lines);

    /// <summary>
    /// MemoryPack bytes of a <c>JobForwardFrame[]</c>: calls of this driver's actors made by code on that node (it got
    /// their handles); the driver runs them and answers through <see cref="INodeAgent.ForwardResults"/>. Sent until
    /// answered, in order; the driver skips a key it has seen.
    /// </summary>
    [ResponseTimeout("00:00:10")]
    Task Forward(string nodeId, byte[] frames);

    /// <summary>The job host on that node ended (it crashed, or the node is stopping).</summary>
    /// <remarks>Answered, for the reason <see cref="Results"/> is: the driver recovers that job host's runs on it.</remarks>
    [ResponseTimeout("00:00:10")]
    Task Ended(string nodeId, string? error);
}

/// <summary>A named actor as the cluster knows it: who made it, of what type, and once built where it lives.</summary>
[GenerateSerializer, Immutable]
internal sealed record NamedActor(
    [property: Id(0)] string Namespace,
    [property: Id(1)] string Name,
    [property: Id(2)] string JobId,
    [property: Id(3)] string TypeName,
    [property: Id(4)] bool Detached,
    [property: Id(5)] string? NodeId = null,
    [property: Id(6)] string? SiloAddress = null,
    [property: Id(7)] long ActorKey = 0);

/// <summary>
/// The cluster's actor names, per namespace, one activation on the head (<see cref="HeadPlacementDirector"/>): a
/// name is claimed when its actor is created, published once the actor is built, and released when it dies or its
/// driver ends (a detached actor's name stays until it is killed).
/// </summary>
internal interface INameDirectory : IGrainWithIntegerKey
{
    /// <summary>Null when the name is now the actor's; otherwise why not (another actor has it).</summary>
    Task<string?> Claim(NamedActor actor);

    /// <summary>Where the actor lives, now that it is built.</summary>
    Task Publish(NamedActor actor);

    Task<NamedActor?> Lookup(string ns, string name);

    /// <summary>Frees the name if <paramref name="jobId"/>'s actor still holds it.</summary>
    Task Release(string ns, string name, string jobId);

    /// <summary>The driver ended: the names of its actors go, but for detached ones.</summary>
    Task ReleaseJob(string jobId);
}
