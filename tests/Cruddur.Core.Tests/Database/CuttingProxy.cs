using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cruddur.Core.Tests.Database;

/// <summary>
/// A TCP relay to a PostgreSQL server that drops the connection, without a word from the server, once the client sends
/// bytes holding <c>marker</c> (the text of a statement): a connection lost while working, on cue and without timing.
/// </summary>
internal sealed class CuttingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _serverPort;
    private readonly byte[] _marker;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _relays = [];
    private readonly Task _accepting;

    public CuttingProxy(int serverPort, string marker)
    {
        _serverPort = serverPort;
        _marker = Encoding.UTF8.GetBytes(marker);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>True once a connection was dropped at the marker.</summary>
    public bool Cut { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        await Task.WhenAll(_relays);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _relays.Add(RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using var server = new TcpClient();
        Task toClient = Task.CompletedTask;
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _serverPort, _stop.Token);
            toClient = server.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
            // The marker is looked for in what was read after the tail of the read before, in case it came in two pieces.
            var keep = _marker.Length - 1;
            var buffer = new byte[keep + (64 * 1024)];
            var kept = 0;
            int read;
            while ((read = await client.GetStream().ReadAsync(buffer.AsMemory(kept), _stop.Token)) > 0)
            {
                if (buffer.AsSpan(0, kept + read).IndexOf(_marker) >= 0)
                {
                    Cut = true;
                    break;
                }

                await server.GetStream().WriteAsync(buffer.AsMemory(kept, read), _stop.Token);
                var tail = Math.Min(keep, kept + read);
                buffer.AsSpan(kept + read - tail, tail).CopyTo(buffer);
                kept = tail;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
            // Either side went away: the relay ends.
        }
        finally
        {
            client.Dispose();
            server.Close();
            try
            {
                await toClient;
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The copy ends when its sockets are closed.
            }
        }
    }
}
