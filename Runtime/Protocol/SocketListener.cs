using System;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;

namespace RayGen.Protocol;

/// <summary>
/// The driver's Unix socket. A new connection must open with a <see cref="HelloFrame"/> carrying the
/// session token; anything else (a wrong token, a malformed frame) closes that connection with a logged
/// error, and the listener goes on serving everyone else.
/// </summary>
internal sealed class SocketListener : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _token;
    private readonly Func<HelloFrame, FrameConnection, bool> _admit;
    private readonly Action<FrameConnection, IFrame> _onFrame;
    private readonly Action<FrameConnection, string?> _onClosed;
    private readonly Action<string> _log;
    private readonly SendDeferral _deferral;
    private volatile bool _disposed;

    /// <param name="path">The socket file, inside the session directory.</param>
    /// <param name="token">The session token a worker must present first.</param>
    /// <param name="admit">Binds an authenticated connection to its worker; false rejects it.</param>
    /// <param name="onFrame">Every later frame.</param>
    /// <param name="onClosed">An admitted connection ended (with an error text when the peer misbehaved).</param>
    /// <param name="log">Where rejections are reported.</param>
    /// <param name="deferral">Where the connections' sends wait: the runtime flushes it before it waits for an answer.</param>
    public SocketListener(string path, string token, Func<HelloFrame, FrameConnection, bool> admit,
        Action<FrameConnection, IFrame> onFrame, Action<FrameConnection, string?> onClosed, Action<string> log, SendDeferral deferral)
    {
        _deferral = deferral;
        _token = Encoding.ASCII.GetBytes(token);
        _admit = admit;
        _onFrame = onFrame;
        _onClosed = onClosed;
        _log = log;
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(path));
        _socket.Listen(512);
        _ = Task.Run(AcceptLoopAsync);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_disposed)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_disposed) return;
                continue;
            }

            var connection = new FrameConnection(client, "an unauthenticated connection", _deferral) { DeferSends = true };
            connection.Start(OnFrame, OnClosed);
        }
    }

    private void OnFrame(FrameConnection connection, IFrame frame)
    {
        if (connection.Tag is not null)
        {
            _onFrame(connection, frame);
            return;
        }

        if (frame is not HelloFrame hello)
        {
            connection.Close($"its first frame was a {frame.GetType().Name}, not a hello with the session token");
            return;
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(hello.Token), _token))
        {
            connection.Close($"it presented a wrong session token (claimed pid {hello.Pid})");
            return;
        }

        if (!_admit(hello, connection)) connection.Close($"worker {hello.WorkerId} (pid {hello.Pid}) is not expected");
    }

    private void OnClosed(FrameConnection connection, string? error)
    {
        if (connection.Tag is null)
        {
            if (error is not null && !_disposed) _log($"rejected {connection.Name}: {error}");
            return;
        }

        if (error is not null && !_disposed) _log($"closed the connection to {connection.Name}: {error}");
        _onClosed(connection, error);
    }

    public void Dispose()
    {
        _disposed = true;
        _socket.Dispose();
    }
}
