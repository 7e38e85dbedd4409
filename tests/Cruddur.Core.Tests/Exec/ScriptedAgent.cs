using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Cruddur.Core.Exec;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cruddur.Core.Tests.Exec;

/// <summary>
/// The far end of one data channel, scripted message by message by a test, on a real websocket on 127.0.0.1: where the
/// simulator's agent behaves, this one refuses, stalls, withholds acknowledgements or repeats exactly when told. Messages
/// are written and read with the module's <see cref="ChannelMessage"/>; every wait is bounded so a broken client fails, not hangs.
/// </summary>
internal sealed class ScriptedAgent : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly WebApplication _app;
    private readonly TaskCompletionSource<WebSocket> _socket = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextSequence;

    private ScriptedAgent(WebApplication app) => _app = app;

    public Uri StreamUrl => new(_app.Urls.Single().Replace("http://", "ws://", StringComparison.Ordinal).TrimEnd('/') + "/v1/data-channel/s-1?role=publish_subscribe");

    /// <summary>Every message the client sent after its open frame, in order.</summary>
    public List<ChannelMessage> Received { get; } = [];

    /// <summary>The close frame the client sent, once one came.</summary>
    public (WebSocketCloseStatus? Status, string? Description)? ClientClosed { get; private set; }

    public static async Task<ScriptedAgent> StartAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var agent = new ScriptedAgent(app);
        app.UseWebSockets();
        app.Map("/v1/data-channel/{sessionId}", async (HttpContext context) =>
        {
            var socket = await context.WebSockets.AcceptWebSocketAsync();
            agent._socket.TrySetResult(socket);
            await agent._released.Task; // the test drives the socket; the request lives until the agent is disposed
        });
        await app.StartAsync();
        return agent;
    }

    /// <summary>Waits for the client's first frame, the OpenDataChannel JSON.</summary>
    public async Task<JsonObject> AcceptAsync()
    {
        var (type, bytes) = await ReceiveFrameAsync();
        Assert.Equal(WebSocketMessageType.Text, type);
        return JsonNode.Parse(bytes)!.AsObject();
    }

    /// <summary>
    /// The agent's side of the handshake: a HandshakeRequest with these actions, the client's response (acknowledged), then
    /// HandshakeComplete; <paramref name="beforeComplete"/> runs just before that (e.g. to pause the client's publication).
    /// Returns the client's HandshakeResponse.
    /// </summary>
    public async Task<JsonObject> HandshakeAsync(JsonArray actions, string customerMessage = "", Func<Task>? beforeComplete = null)
    {
        await SendStreamAsync(PayloadType.HandshakeRequest, new JsonObject { ["AgentVersion"] = "3.3.0.0", ["RequestedClientActions"] = actions });
        var response = await NextAsync(m => m.PayloadType == PayloadType.HandshakeResponse);
        await AcknowledgeAsync(response.SequenceNumber);
        if (beforeComplete is not null)
        {
            await beforeComplete();
        }

        await SendStreamAsync(PayloadType.HandshakeComplete, new JsonObject { ["HandshakeTimeToComplete"] = 1000, ["CustomerMessage"] = customerMessage });
        return Json(response);
    }

    public static JsonArray SessionType(string type) =>
        [new JsonObject { ["ActionType"] = "SessionType", ["ActionParameters"] = new JsonObject { ["SessionType"] = type } }];

    /// <summary>Sends an output_stream_data message with the next sequence number and returns that number.</summary>
    public async Task<long> SendStreamAsync(PayloadType type, JsonObject payload) => await SendStreamAsync(type, Encoding.UTF8.GetBytes(payload.ToJsonString()));

    public async Task<long> SendStreamAsync(PayloadType type, byte[] payload)
    {
        var sequence = _nextSequence++;
        await SendAsync(new ChannelMessage(ChannelMessageType.Output, sequence, type, payload, Guid.NewGuid()));
        return sequence;
    }

    public Task SendAsync(ChannelMessage message) => SendFrameAsync(message.Encode());

    public async Task SendFrameAsync(byte[] bytes, bool endOfMessage = true) =>
        await (await _socket.Task.WaitAsync(Patience)).SendAsync(bytes, WebSocketMessageType.Binary, endOfMessage, CancellationToken.None).WaitAsync(Patience);

    public Task SendControlAsync(string type) => SendAsync(new ChannelMessage(type, 0, PayloadType.None, Array.Empty<byte>(), Guid.NewGuid()));

    public Task AcknowledgeAsync(long sequence) => AcknowledgeAsync(new JsonObject { ["AcknowledgedMessageType"] = ChannelMessageType.Input, ["AcknowledgedMessageSequenceNumber"] = sequence, ["IsSequentialMessage"] = true });

    public Task AcknowledgeAsync(JsonObject content) =>
        SendAsync(new ChannelMessage(ChannelMessageType.Acknowledge, 0, PayloadType.None, Encoding.UTF8.GetBytes(content.ToJsonString()), Guid.NewGuid(), Flags: 3));

    /// <summary>The channel_closed message that ends a session; <paramref name="output"/> null leaves the field out.</summary>
    public Task SendChannelClosedAsync(string? output)
    {
        var content = new JsonObject { ["MessageType"] = ChannelMessageType.ChannelClosed, ["SessionId"] = "s-1", ["SchemaVersion"] = 1 };
        if (output is not null)
        {
            content["Output"] = output;
        }

        return SendAsync(new ChannelMessage(ChannelMessageType.ChannelClosed, 0, PayloadType.None, Encoding.UTF8.GetBytes(content.ToJsonString()), Guid.NewGuid()));
    }

    public async Task CloseAsync(string description) =>
        await (await _socket.Task.WaitAsync(Patience)).CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, description, CancellationToken.None).WaitAsync(Patience);

    /// <summary>The next message from the client that matches, keeping every message read on the way in <see cref="Received"/>.</summary>
    public async Task<ChannelMessage> NextAsync(Func<ChannelMessage, bool> match)
    {
        while (true)
        {
            var (type, bytes) = await ReceiveFrameAsync();
            Assert.Equal(WebSocketMessageType.Binary, type);
            var message = ChannelMessage.Decode(bytes);
            Received.Add(message);
            if (match(message))
            {
                return message;
            }
        }
    }

    /// <summary>The next input_stream_data message (keys, sizes, handshake answers), skipping acknowledgements.</summary>
    public Task<ChannelMessage> NextInputAsync() => NextAsync(m => m.MessageType == ChannelMessageType.Input);

    /// <summary>Reads until the client closes its side; returns how it did.</summary>
    public async Task<(WebSocketCloseStatus? Status, string? Description)> ClientCloseAsync()
    {
        while (ClientClosed is null)
        {
            var (type, bytes) = await ReceiveFrameAsync();
            if (type == WebSocketMessageType.Binary)
            {
                Received.Add(ChannelMessage.Decode(bytes));
            }
        }

        return ClientClosed.Value;
    }

    public static JsonObject Json(ChannelMessage message) => JsonNode.Parse(message.Payload.Span)!.AsObject();

    public static string Text(ChannelMessage message) => Encoding.UTF8.GetString(message.Payload.Span);

    public async ValueTask DisposeAsync()
    {
        // Abort while the request is alive: once released, its context is recycled under the socket.
        if (_socket.Task.IsCompletedSuccessfully)
        {
            _socket.Task.Result.Abort();
        }

        _released.TrySetResult();
        await _app.DisposeAsync();
    }

    private async Task<(WebSocketMessageType Type, byte[] Bytes)> ReceiveFrameAsync()
    {
        var socket = await _socket.Task.WaitAsync(Patience);
        using var frame = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Patience);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                ClientClosed = (result.CloseStatus, result.CloseStatusDescription);
                return (WebSocketMessageType.Close, []);
            }

            frame.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, frame.ToArray());
            }
        }
    }
}
