using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Exec;

/// <summary>Timings of a data channel; the defaults follow session-manager-plugin's src/config/config.go where it has one.</summary>
internal sealed record DataChannelOptions
{
    /// <summary>How long opening the websocket may take before the session fails (the plugin has no bound; it waits forever).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the agent may take from the open to HandshakeComplete.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A message unacknowledged this long ends the session as lost (the plugin: 3000 resends 100 ms apart).</summary>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Websocket keep-alive frames, so idle sessions survive NAT and load balancer idle timeouts.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The clock that times acknowledgements, resends and giving up (a test sets its own).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>How a data channel ended: the agent's channel_closed text, or null when the socket went away without one.</summary>
internal sealed record ChannelEnd(bool Closed, string? Output);

/// <summary>
/// The client end of a Session Manager data channel (session-manager-plugin src/datachannel/streaming.go and
/// src/communicator/websocketchannel.go): opens the websocket, sends the OpenDataChannel JSON with the token, answers the
/// handshake, acknowledges every stream message, puts early ones back in order and drops duplicates, resends its own until
/// acknowledged (a round-trip-time based timeout, RFC 6298 constants as in the plugin), and ends on channel_closed.
/// pause_publication holds our input until start_publication, as the agent's end does (amazon-ssm-agent
/// agent/session/datachannel/datachannel.go); the plugin reads and ignores both.
/// </summary>
internal sealed class DataChannel : IAsyncDisposable
{
    private const int IncomingCapacity = 10000;

    /// <summary>The session types a shell or command session may announce (config.go's plugin names).</summary>
    private static readonly string[] ShellSessionTypes = ["Standard_Stream", "InteractiveCommands", "NonInteractiveCommands"];

    private readonly ClientWebSocket _socket = new();
    private readonly Uri _streamUrl;
    private readonly string _sessionId;
    private readonly string _target;
    private readonly DataChannelOptions _options;
    private readonly IOperationHost _host;
    private readonly SessionEncryption.Factory? _encryption;
    private readonly Func<ReadOnlyMemory<byte>, Task> _onOutput;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly LinkedList<Pending> _outgoing = new();
    private readonly Dictionary<long, ChannelMessage> _early = [];
    private readonly TaskCompletionSource _handshakeDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<ChannelEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private SessionEncryption? _cipher;
    private long _nextSequence;
    private long _expected;
    private double _rtt = 100;
    private double _rttVariation;
    private TimeSpan _resendTimeout = TimeSpan.FromMilliseconds(200);
    private Task _loops = Task.CompletedTask;
    private bool _paused;

    public DataChannel(Uri streamUrl, string sessionId, string target, Func<ReadOnlyMemory<byte>, Task> onOutput, IOperationHost host,
        DataChannelOptions? options = null, SessionEncryption.Factory? encryption = null)
    {
        _streamUrl = streamUrl;
        _sessionId = sessionId;
        _target = target;
        _onOutput = onOutput;
        _host = host;
        _options = options ?? new DataChannelOptions();
        _encryption = encryption;
        _socket.Options.KeepAliveInterval = _options.KeepAlive;
        // Output comes as a stream of ~1.1 KB frames: a larger receive buffer lets one read take in many, so most receives
        // complete at once instead of each waking a thread.
        _socket.Options.SetBuffer(64 * 1024, 16 * 1024);
    }

    /// <summary>Completes when the channel ends; faults with a CruddurException when it breaks.</summary>
    public Task<ChannelEnd> Ended => _ended.Task;

    /// <summary>True once the agent said the session is encrypted with KMS.</summary>
    public bool Encrypted => _cipher is not null;

    /// <summary>How long an unacknowledged message waits before it is sent again, from the round trips measured so far.</summary>
    internal TimeSpan ResendTimeout
    {
        get
        {
            lock (_outgoing)
            {
                return _resendTimeout;
            }
        }
    }

    /// <summary>Opens the channel and returns once the handshake is complete; bounded by the options' timeouts.</summary>
    public async Task OpenAsync(string token, CancellationToken cancellationToken)
    {
        CheckScheme(_streamUrl);
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            connect.CancelAfter(_options.ConnectTimeout);
            try
            {
                await _socket.ConnectAsync(_streamUrl, connect.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is WebSocketException or OperationCanceledException or HttpRequestException)
            {
                throw new CruddurException(ErrorIds.ExecChannelUnreachable, ErrorKind.ConnectionError,
                    $"The session's data channel at {_streamUrl.GetLeftPart(UriPartial.Authority)} could not be opened within {_options.ConnectTimeout.TotalSeconds:0} s ({e.Message}). Check that this machine reaches ssmmessages.<region>.amazonaws.com on port 443 (proxy, firewall, VPC endpoint), then connect again.",
                    e, _sessionId);
            }
        }

        // The first frame is the OpenDataChannel request (service.OpenDataChannelInput in the plugin); it is the only place the token goes.
        var open = new JsonObject
        {
            ["MessageSchemaVersion"] = "1.0",
            ["RequestId"] = Guid.NewGuid().ToString(),
            ["TokenValue"] = token,
            ["ClientId"] = Guid.NewGuid().ToString(),
            ["ClientVersion"] = ClientVersion,
        };
        await SendFrameAsync(Encoding.UTF8.GetBytes(open.ToJsonString()), WebSocketMessageType.Text, cancellationToken).ConfigureAwait(false);
        _loops = Task.WhenAll(Task.Run(ReceiveLoopAsync, CancellationToken.None), Task.Run(ResendLoopAsync, CancellationToken.None));

        var handshake = await Task.WhenAny(_handshakeDone.Task, _ended.Task, Task.Delay(_options.HandshakeTimeout, cancellationToken)).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (handshake == _ended.Task)
        {
            var end = await _ended.Task.ConfigureAwait(false); // rethrows a failure
            throw Refused(end.Output);
        }

        if (handshake != _handshakeDone.Task)
        {
            throw new CruddurException(ErrorIds.ExecHandshakeTimeout, ErrorKind.OperationTimeout,
                $"The data channel opened but the agent did not complete the handshake within {_options.HandshakeTimeout.TotalSeconds:0} s. The ECS Exec agent in the container may be stuck: roll a new task, then connect again.", target: _sessionId);
        }

        await _handshakeDone.Task.ConfigureAwait(false);
    }

    /// <summary>Sends keystrokes or other input bytes to the remote process (an input_stream_data Output payload).</summary>
    public Task SendInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        SendStreamAsync(PayloadType.Output, _cipher is null ? data.ToArray() : _cipher.Encrypt(data.Span), cancellationToken);

    /// <summary>Tells the agent the terminal's size (a Size payload, as the plugin sends at start and on every resize).</summary>
    public Task SendSizeAsync(int columns, int rows, CancellationToken cancellationToken) =>
        SendStreamAsync(PayloadType.Size, Encoding.UTF8.GetBytes(new JsonObject { ["cols"] = columns, ["rows"] = rows }.ToJsonString()), cancellationToken);

    /// <summary>Asks the agent to end the session (the TerminateSession flag of clientmessage.go).</summary>
    public Task SendTerminateAsync(CancellationToken cancellationToken) =>
        SendStreamAsync(PayloadType.Flag, [0, 0, 0, 2], cancellationToken);

    public async ValueTask DisposeAsync()
    {
        // Ended from our side first, so the agent answering the close below is not reported as a lost channel.
        _ended.TrySetResult(new ChannelEnd(false, null));
        if (_socket.State == WebSocketState.Open)
        {
            // Before the loops stop: cancelling the pending receive aborts the socket, and no close frame could go out after that.
            try
            {
                using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _sendLock.WaitAsync(bounded.Token).ConfigureAwait(false);
                try
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client done", bounded.Token).ConfigureAwait(false);
                }
                finally
                {
                    _sendLock.Release();
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // Closing is a courtesy; the socket is torn down below either way.
            }
        }

        _stop.Cancel();
        _socket.Abort();
        await _loops.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        _socket.Dispose();
        _cipher?.Dispose();
        _stop.Dispose();
    }

    private DateTime Now => _options.Clock.GetUtcNow().UtcDateTime;

    private static string ClientVersion => typeof(DataChannel).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    /// <summary>wss:// always; ws:// only for a stream URL outside AWS (a local simulator), where there is no TLS to be had.</summary>
    internal static void CheckScheme(Uri url)
    {
        var aws = url.Host.EndsWith(".amazonaws.com", StringComparison.OrdinalIgnoreCase) || url.Host.EndsWith(".amazonaws.com.cn", StringComparison.OrdinalIgnoreCase)
            || url.Host.EndsWith(".api.aws", StringComparison.OrdinalIgnoreCase);
        if (url.Scheme == "wss" || (url.Scheme == "ws" && !aws))
        {
            return;
        }

        throw new CruddurException(ErrorIds.ExecChannelInsecure, ErrorKind.InvalidData,
            $"ECS returned a stream URL with scheme '{url.Scheme}' for {url.Host}; only wss:// is accepted for AWS (ws:// only for a local endpoint). Check the ECS endpoint.", target: url.Host);
    }

    private CruddurException Refused(string? reason) =>
        new(ErrorIds.ExecChannelRefused, ErrorKind.AuthenticationError,
            $"The data channel refused the session before it started{(string.IsNullOrEmpty(reason) ? "" : $": {reason}")}. The session token may have expired or been used already (tokens are single-use and short-lived): connect again.", target: _sessionId);

    private async Task ReceiveLoopAsync()
    {
        var token = _stop.Token;
        var buffer = new byte[64 * 1024];
        using var frame = new MemoryStream();
        try
        {
            while (!token.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer, token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Lost(_socket.CloseStatusDescription);
                    return;
                }

                frame.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                var bytes = frame.ToArray();
                frame.SetLength(0);
                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    await HandleAsync(ChannelMessage.Decode(bytes)).ConfigureAwait(false);
                }
            }
        }
        catch (CruddurException e)
        {
            _ended.TrySetException(e);
        }
        catch (Exception e) when (e is WebSocketException or IOException)
        {
            Lost(e.Message);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }

    /// <summary>The socket went away without channel_closed: a refusal before the handshake, a lost session after it.</summary>
    private void Lost(string? reason)
    {
        if (!_handshakeDone.Task.IsCompleted)
        {
            _ended.TrySetException(Refused(reason));
            return;
        }

        _ended.TrySetException(new CruddurException(ErrorIds.ExecChannelLost, ErrorKind.ConnectionError,
            $"The data channel closed before the session ended{(string.IsNullOrEmpty(reason) ? "" : $" ({reason})")}; the remote command's outcome is unknown. Check the task is still running (Get-CruddurService), then connect again.",
            target: _sessionId));
    }

    private async Task HandleAsync(ChannelMessage message)
    {
        switch (message.MessageType)
        {
            case ChannelMessageType.Acknowledge:
                Acknowledged(JsonNode.Parse(message.Payload.Span)?["AcknowledgedMessageSequenceNumber"]?.GetValue<long>() ?? -1);
                // An acknowledgement proves our input reaches the agent again: resume if the resume itself was lost.
                await ResumeAsync().ConfigureAwait(false);
                break;
            case ChannelMessageType.Output:
                await ReceiveStreamAsync(message).ConfigureAwait(false);
                break;
            case ChannelMessageType.ChannelClosed:
                var output = (string?)JsonNode.Parse(message.Payload.Span)?["Output"];
                if (!_handshakeDone.Task.IsCompleted)
                {
                    _ended.TrySetException(Refused(output)); // a failed action was reported when it was answered
                    return;
                }

                _ended.TrySetResult(new ChannelEnd(true, string.IsNullOrEmpty(output) ? null : output));
                break;
            case ChannelMessageType.PausePublication:
                lock (_outgoing)
                {
                    _paused = true;
                }

                break;
            case ChannelMessageType.StartPublication:
                await ResumeAsync().ConfigureAwait(false);
                break;
            default:
                break;
        }
    }

    /// <summary>Publication may go on: what was held back while paused goes out now, in order.</summary>
    private async Task ResumeAsync()
    {
        List<Pending> held;
        lock (_outgoing)
        {
            if (!_paused)
            {
                return;
            }

            _paused = false;
            var now = Now;
            held = _outgoing.Where(p => p.FirstSentAt == default).ToList();
            held.ForEach(p => p.SentAt = p.FirstSentAt = now);
        }

        foreach (var pending in held)
        {
            await SendFrameAsync(pending.Bytes, WebSocketMessageType.Binary, _stop.Token).ConfigureAwait(false);
        }
    }

    /// <summary>In order: handle and move on, then drain what arrived early. Early: acknowledge and keep. Old: acknowledge again.</summary>
    private async Task ReceiveStreamAsync(ChannelMessage message)
    {
        if (message.SequenceNumber < _expected)
        {
            // A resend of something already handled: our acknowledgement was lost, so send it again.
            await AcknowledgeAsync(message).ConfigureAwait(false);
            return;
        }

        if (message.SequenceNumber > _expected)
        {
            if (_early.Count < IncomingCapacity)
            {
                _early.TryAdd(message.SequenceNumber, message);
                await AcknowledgeAsync(message).ConfigureAwait(false);
            }

            return;
        }

        await AcknowledgeAsync(message).ConfigureAwait(false);
        await DispatchAsync(message).ConfigureAwait(false);
        _expected++;
        while (_early.Remove(_expected, out var next))
        {
            await DispatchAsync(next).ConfigureAwait(false);
            _expected++;
        }
    }

    private async Task DispatchAsync(ChannelMessage message)
    {
        switch (message.PayloadType)
        {
            case PayloadType.HandshakeRequest:
                await AnswerHandshakeAsync(JsonNode.Parse(message.Payload.Span) as JsonObject ?? []).ConfigureAwait(false);
                break;
            case PayloadType.EncryptionChallengeRequest:
                var challenge = Convert.FromBase64String((string?)JsonNode.Parse(message.Payload.Span)?["Challenge"] ?? "");
                var answer = _cipher!.Encrypt(_cipher.Decrypt(challenge));
                await SendStreamAsync(PayloadType.EncryptionChallengeResponse, Encoding.UTF8.GetBytes(new JsonObject { ["Challenge"] = Convert.ToBase64String(answer) }.ToJsonString()), _stop.Token).ConfigureAwait(false);
                break;
            case PayloadType.HandshakeComplete:
                if ((string?)JsonNode.Parse(message.Payload.Span)?["CustomerMessage"] is { Length: > 0 } note)
                {
                    _host.WriteVerbose(note);
                }

                _handshakeDone.TrySetResult();
                break;
            case PayloadType.Output or PayloadType.StdErr:
                await _onOutput(_cipher is null ? message.Payload : _cipher.Decrypt(message.Payload.Span)).ConfigureAwait(false);
                break;
            default:
                break; // ExitCode (12) comes only from NonInteractiveCommands sessions, which ECS does not open.
        }
    }

    /// <summary>Answers each requested action (streaming.go's handleHandshakeRequest): session type and KMS encryption.</summary>
    private async Task AnswerHandshakeAsync(JsonObject request)
    {
        var processed = new JsonArray();
        var errors = new JsonArray();
        CruddurException? failure = null;
        foreach (var action in (request["RequestedClientActions"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var type = (string?)action["ActionType"];
            var result = new JsonObject { ["ActionType"] = type, ["ActionStatus"] = 1 };
            switch (type)
            {
                case "SessionType":
                    var sessionType = (string?)action["ActionParameters"]?["SessionType"];
                    if (!ShellSessionTypes.Contains(sessionType, StringComparer.Ordinal))
                    {
                        result["ActionStatus"] = 2;
                        result["Error"] = $"Unknown session type {sessionType}";
                        failure = new CruddurException(ErrorIds.ExecSessionTypeUnsupported, ErrorKind.InvalidOperation,
                            $"The agent asked for a '{sessionType}' session; only shell and command sessions ({string.Join(", ", ShellSessionTypes)}) are supported here. Use the AWS CLI with session-manager-plugin for port forwarding.", target: _sessionId);
                    }

                    break;
                case "KMSEncryption":
                    try
                    {
                        var keyId = (string?)action["ActionParameters"]?["KMSKeyId"] ?? "";
                        _cipher = _encryption is null
                            ? throw new CruddurException(ErrorIds.ExecKmsUnavailable, ErrorKind.InvalidOperation, "This session asks for KMS encryption, but no KMS client is configured.")
                            : await _encryption(keyId, new Dictionary<string, string> { ["aws:ssm:SessionId"] = _sessionId, ["aws:ssm:TargetId"] = _target }, _stop.Token).ConfigureAwait(false);
                        result["ActionResult"] = new JsonObject { ["KMSCipherTextKey"] = Convert.ToBase64String(_cipher.EncryptedDataKey) };
                    }
                    catch (CruddurException e)
                    {
                        result["ActionStatus"] = 2;
                        result["Error"] = $"Failed to process action KMSEncryption: {e.ErrorId}";
                        failure = e;
                    }

                    break;
                default:
                    result["ActionStatus"] = 3;
                    result["Error"] = $"Unsupported action {type}";
                    break;
            }

            if (result["Error"] is JsonNode error)
            {
                errors.Add(error.DeepClone());
            }

            processed.Add(result);
        }

        var response = new JsonObject { ["ClientVersion"] = ClientVersion, ["ProcessedClientActions"] = processed, ["Errors"] = errors };
        await SendStreamAsync(PayloadType.HandshakeResponse, Encoding.UTF8.GetBytes(response.ToJsonString()), _stop.Token).ConfigureAwait(false);
        if (failure is not null)
        {
            // The agent closes the channel on a failed action; do not wait for that to report why.
            _ended.TrySetException(failure);
        }
    }

    private Task AcknowledgeAsync(ChannelMessage message)
    {
        // One per output message, so written directly rather than through a JSON document (only output messages are acknowledged).
        var content = $"{{\"AcknowledgedMessageType\":\"{ChannelMessageType.Output}\",\"AcknowledgedMessageId\":\"{message.MessageId}\",\"AcknowledgedMessageSequenceNumber\":{message.SequenceNumber.ToString(System.Globalization.CultureInfo.InvariantCulture)},\"IsSequentialMessage\":true}}";
        // Flags 3 (SYN|FIN) and sequence 0, as the plugin's SerializeClientMessageWithAcknowledgeContent writes them.
        var ack = new ChannelMessage(ChannelMessageType.Acknowledge, 0, PayloadType.None, Encoding.UTF8.GetBytes(content), Guid.NewGuid(), Flags: 3);
        return SendFrameAsync(ack.Encode(), WebSocketMessageType.Binary, _stop.Token);
    }

    private async Task SendStreamAsync(PayloadType type, byte[] payload, CancellationToken cancellationToken)
    {
        Pending pending;
        bool paused;
        lock (_outgoing)
        {
            var message = new ChannelMessage(ChannelMessageType.Input, _nextSequence++, type, payload, Guid.NewGuid());
            pending = new Pending(message.SequenceNumber, message.Encode());
            _outgoing.AddLast(pending);
            paused = _paused;
            if (!paused)
            {
                pending.SentAt = pending.FirstSentAt = Now;
            }
        }

        if (!paused)
        {
            await SendFrameAsync(pending.Bytes, WebSocketMessageType.Binary, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Drops the acknowledged message and folds its round trip into the resend timeout (CalculateRetransmissionTimeout).</summary>
    private void Acknowledged(long sequence)
    {
        lock (_outgoing)
        {
            for (var node = _outgoing.First; node is not null; node = node.Next)
            {
                if (node.Value.Sequence != sequence)
                {
                    continue;
                }

                var sample = (Now - node.Value.SentAt).TotalMilliseconds;
                _rttVariation = (0.75 * _rttVariation) + (0.25 * Math.Abs(_rtt - sample));
                _rtt = (0.875 * _rtt) + (0.125 * sample);
                _resendTimeout = TimeSpan.FromMilliseconds(Math.Min(_rtt + Math.Max(10, 4 * _rttVariation), 1000));
                _outgoing.Remove(node);
                return;
            }
        }
    }

    private async Task ResendLoopAsync()
    {
        var token = _stop.Token;
        try
        {
            while (!token.IsCancellationRequested)
            {
                await Task.Delay(50, token).ConfigureAwait(false);
                List<Pending> due;
                lock (_outgoing)
                {
                    if (_paused)
                    {
                        continue; // held until start_publication; nothing to resend or to give up on meanwhile
                    }

                    var now = Now;
                    if (_outgoing.First is { } oldest && now - oldest.Value.FirstSentAt > _options.GiveUpAfter)
                    {
                        _ended.TrySetException(new CruddurException(ErrorIds.ExecChannelLost, ErrorKind.ConnectionError,
                            $"The agent acknowledged nothing for {_options.GiveUpAfter.TotalSeconds:0} s, so the session was given up. Check the task is still running (Get-CruddurService), then connect again.", target: _sessionId));
                        return;
                    }

                    due = _outgoing.Where(p => now - p.SentAt > _resendTimeout).ToList();
                    due.ForEach(p => p.SentAt = now);
                }

                foreach (var pending in due)
                {
                    await SendFrameAsync(pending.Bytes, WebSocketMessageType.Binary, token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The channel ended; the receive loop reports how.
        }
    }

    private async Task SendFrameAsync(byte[] bytes, WebSocketMessageType type, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(bytes, type, true, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException e)
        {
            Lost(e.Message);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private sealed class Pending(long sequence, byte[] bytes)
    {
        public long Sequence { get; } = sequence;

        public byte[] Bytes { get; } = bytes;

        public DateTime SentAt { get; set; }

        /// <summary>When it first went out; default while held back by a pause.</summary>
        public DateTime FirstSentAt { get; set; }
    }
}
