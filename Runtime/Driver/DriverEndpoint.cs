using System;
using RayGen.Protocol;

namespace RayGen.Driver;

/// <summary>
/// The driver's side of the worker connections: the session's socket, admission of a worker by its hello (the
/// session token, and an id this driver started and not yet connected), and the routing of each frame a worker
/// sends to the part of the driver that owns it. Runs on the connections' receiving threads.
/// </summary>
internal sealed class DriverEndpoint : IDisposable
{
    private readonly WorkerPool _pool;
    private readonly ProcessBackend _backend;
    private readonly WorkerRequests _requests;
    private readonly WorkerRefCollector _collector;
    private readonly SocketListener _listener;

    public DriverEndpoint(SessionDirectory session, WorkerPool pool, ProcessBackend backend, WorkerRequests requests,
        WorkerRefCollector collector, SendDeferral deferral, Action<string> log)
    {
        _pool = pool;
        _backend = backend;
        _requests = requests;
        _collector = collector;
        _listener = new SocketListener(session.SocketPath, session.Token, Admit, OnFrame, OnConnectionClosed, log, deferral);
    }

    private bool Admit(HelloFrame hello, FrameConnection connection)
    {
        // The token proved the session; a second hello for one worker would be someone else's connection.
        if (!_pool.TryFind(hello.WorkerId, out var worker) || worker.IsConnected) return false;
        worker.Connect(connection);
        return true;
    }

    private void OnConnectionClosed(FrameConnection connection, string? error)
    {
        _requests.OnDisconnected(connection);
        // A worker without its connection is of no use: make sure it is gone; its exit reports the runs it held.
        // One the runtime let go of (retired, released) exits by itself on the closed connection, quietly.
        if (connection.Tag is WorkerProcess { StopRequested: false } worker && !_pool.IsDisposed) worker.Kill(intentional: false);
    }

    private void OnFrame(FrameConnection connection, IFrame frame)
    {
        switch (frame)
        {
            case RunResultFrame result:
                _backend.OnRunResult((WorkerProcess)connection.Tag!, result);
                break;
            case BlockedFrame blocked:
                _backend.OnBlocked((WorkerProcess)connection.Tag!, blocked);
                break;
            case ReturnedRunsFrame returned:
                _backend.OnReturnedRuns((WorkerProcess)connection.Tag!, returned);
                break;
            case LentFilesSettledFrame settled:
                _backend.LentFiles.Settle((WorkerProcess)connection.Tag!, settled.Names);
                break;
            case ReclaimFilesFrame reclaim:
                _backend.LentFiles.OnReclaim((WorkerProcess)connection.Tag!, reclaim);
                break;
            case SubmitFrame submit:
                _requests.OnSubmit(connection, submit);
                break;
            case PutFrame { TakesOver: not null } put:
                var worker = (WorkerProcess)connection.Tag!;
                if (!_requests.TryPutIntoLent(connection, put, (name, length) => _backend.LentFiles.TakeOver(worker, name, length)))
                    connection.Close($"it put a value into file {put.TakesOver}, which was not lent to it or is smaller than the value");
                break;
            case PutFrame put:
                _requests.OnPut(connection, put);
                break;
            case SubscribeFrame subscribe:
                _requests.OnSubscribe(connection, subscribe);
                break;
            case CancelObjectFrame cancel:
                _requests.OnCancelObject(cancel);
                break;
            case CreateActorFrame create:
                _requests.OnCreateActor(connection, create);
                break;
            case ActorLookupFrame lookup:
                _requests.OnActorLookup(connection, lookup);
                break;
            case ClusterInfoFrame info:
                _requests.OnClusterInfo(connection, info);
                break;
            case KillActorFrame kill:
                _requests.OnKillActor(kill);
                break;
            case ReleaseFrame release:
                _requests.OnRelease(connection, release);
                break;
            case EscapeFrame escape:
                _requests.OnEscape(escape);
                break;
            case CreatePlacementGroupFrame createGroup:
                _requests.OnCreatePlacementGroup(connection, createGroup);
                break;
            case RemovePlacementGroupFrame removeGroup:
                _requests.OnRemovePlacementGroup(removeGroup);
                break;
            case PlacementGroupReadyFrame groupReady:
                _requests.OnPlacementGroupReady(connection, groupReady);
                break;
            case LogFrame log:
                _backend.OnLog((WorkerProcess)connection.Tag!, log);
                break;
            case CollectedFrame collected:
                _collector.OnCollected(collected);
                break;
            case StreamItemFrame item:
                _requests.Streams.OnItem(connection, item);
                break;
            case StreamNextFrame next:
                _requests.Streams.OnNext(connection, next);
                break;
            default:
                connection.Close($"it sent a {frame.GetType().Name}, which only the driver sends");
                break;
        }
    }

    /// <summary>Stops accepting connections; those open stay until their workers are released.</summary>
    public void Dispose() => _listener.Dispose();
}
