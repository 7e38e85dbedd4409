using System.Diagnostics;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>
/// The agent end of one data channel, as amazon-ssm-agent's agent/session/datachannel/datachannel.go and
/// agent/session/shell/shell.go behave: the first frame is the client's OpenDataChannel JSON with the token; the agent sends a
/// HandshakeRequest (session type, and KMSEncryption when a key is set), waits for the HandshakeResponse, runs the encryption
/// challenge, sends HandshakeComplete, then runs the command in a pseudo-terminal and streams it as output_stream_data. Every
/// stream message is acknowledged by the receiver and resent by the sender until it is; the receiver puts them back in order.
/// When the command ends and its output is acknowledged, a channel_closed message ends the session.
/// The command runs for real: util-linux <c>script</c> gives it a pty (so stdout and stderr merge, lines end in CRLF and a
/// Ctrl+C byte interrupts it, as in a container) with <c>sh -c</c>, in the task's scratch folder. The client's size
/// messages set that pty's size, as the agent's shell plugin does, so the command sees them (stty size, SIGWINCH). The real agent splits the
/// command like a shell and execs it; for the commands ECS Exec clients send the result is the same.
/// Flow follows agent/session/datachannel/datachannel.go: output goes out in 1 KiB messages without waiting for
/// acknowledgements (a window of unacknowledged messages), and only the oldest unacknowledged one is resent, once its last
/// sending is older than a timeout computed from the measured round trips (RFC 6298 constants, at most 1 s). The real
/// agent also sleeps 1 ms after each read of the pty (agent/session/shell/shell.go writePump), which caps a real session
/// near 1 MiB/s; that pause is left out here so the client's own throughput can be measured.
/// </summary>
internal sealed class AgentSession
{
    private const int ChunkSize = 1024; // the agent's and plugin's StreamDataPayloadSize
    private const int MaxUnacked = 10000; // bounds the simulator's memory; the agent's buffer holds 100000
    private static readonly TimeSpan ResendCheck = TimeSpan.FromMilliseconds(100); // ResendSleepInterval
    private static readonly TimeSpan MaxResendTimeout = TimeSpan.FromSeconds(1); // MaxTransmissionTimeout

    private readonly DataChannelHub _hub;
    private readonly string _sessionId;
    private readonly WebSocket _socket;
    private readonly ChannelFaults _faults;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly byte[] _receiveBuffer = new byte[16 * 1024]; // one receive loop at a time: the open frame, then ReceiveLoopAsync
    private readonly SemaphoreSlim _dataLock = new(1, 1);
    private readonly SortedDictionary<long, Outgoing> _unacked = [];
    private readonly SortedDictionary<long, AgentMessage> _early = [];
    private readonly TaskCompletionSource<AgentMessage> _handshakeResponse = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<AgentMessage> _challengeResponse = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ChannelRecord _record = null!;
    private double _rttMs = 100; // DefaultRoundTripTime
    private double _rttVariationMs;
    private TimeSpan _resendTimeout = TimeSpan.FromMilliseconds(200); // DefaultTransmissionTimeout
    private long _nextOut;
    private long _expectedIn;
    private int _dataMessages;
    private volatile bool _clientPaused;
    private byte[]? _held;
    private Process? _process;
    private readonly Lock _sizeLock = new();
    private string? _size; // the client's last size message
    private AesGcm? _encrypt;
    private AesGcm? _decrypt;

    public AgentSession(DataChannelHub hub, string sessionId, WebSocket socket, ChannelFaults faults)
    {
        _hub = hub;
        _sessionId = sessionId;
        _socket = socket;
        _faults = faults;
    }

    public async Task RunAsync(CancellationToken aborted)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var token = cts.Token;
        var open = await ReceiveFrameAsync(token);
        var request = open is { Text: true } ? JsonNode.Parse(open.Value.Bytes) as JsonObject : null;
        if (!_hub.TryGet(_sessionId, out var issued, out _record) || _faults.RefuseToken
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes((string?)request?["TokenValue"] ?? ""), Encoding.UTF8.GetBytes(issued)))
        {
            // Session Manager refuses a channel whose token it did not issue for this session.
            await _socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "Authentication failed: the token is not valid for this session.", token);
            return;
        }

        _record.State = "handshake";
        var receiving = ReceiveLoopAsync(token);
        var resending = ResendLoopAsync(token);
        try
        {
            if (await HandshakeAsync(token))
            {
                await RunCommandAsync(token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            _record.Error ??= e.Message;
        }
        finally
        {
            KillProcess();
            _record.State = _record.State == "closed" ? "closed" : "aborted";
            cts.Cancel();
            await Task.WhenAll(receiving.ContinueWith(_ => { }), resending.ContinueWith(_ => { }));
            _encrypt?.Dispose();
            _decrypt?.Dispose();
        }
    }

    private async Task<bool> HandshakeAsync(CancellationToken token)
    {
        var actions = new JsonArray(new JsonObject
        {
            ["ActionType"] = "SessionType",
            ["ActionParameters"] = new JsonObject { ["SessionType"] = _faults.SessionType, ["Properties"] = new JsonObject { ["commands"] = _record.Command } },
        });
        if (_record.KmsKeyId is not null)
        {
            actions.Add(new JsonObject { ["ActionType"] = "KMSEncryption", ["ActionParameters"] = new JsonObject { ["KMSKeyId"] = _record.KmsKeyId } });
        }
        var started = Stopwatch.StartNew();
        await SendStreamAsync(AgentMessage.HandshakeRequest, Json(new JsonObject { ["AgentVersion"] = "3.3.0.0", ["RequestedClientActions"] = actions }), token);
        var response = JsonNode.Parse((await _handshakeResponse.Task.WaitAsync(TimeSpan.FromSeconds(15), token)).Payload)!;
        var processed = (response["ProcessedClientActions"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        if (processed.Count != actions.Count || processed.Any(a => (int?)a["ActionStatus"] != 1))
        {
            var errors = string.Join("; ", (response["Errors"] as JsonArray)?.Select(e => (string?)e) ?? []);
            await CloseChannelAsync($"Handshake failed: {errors}", token);
            return false;
        }

        if (_record.KmsKeyId is not null)
        {
            var kms = processed.First(a => (string?)a["ActionType"] == "KMSEncryption");
            var key = await KmsDecryptAsync(Convert.FromBase64String((string)kms["ActionResult"]!["KMSCipherTextKey"]!), token);
            // The client decrypts with the first half of the data key and encrypts with the second (src/encryption/encrypter.go).
            _encrypt = new AesGcm(key[..(key.Length / 2)], 16);
            _decrypt = new AesGcm(key[(key.Length / 2)..], 16);
            var challenge = RandomNumberGenerator.GetBytes(64);
            await SendStreamAsync(AgentMessage.EncChallengeRequest, Json(new JsonObject { ["Challenge"] = Convert.ToBase64String(Seal(challenge)) }), token);
            var answer = JsonNode.Parse((await _challengeResponse.Task.WaitAsync(TimeSpan.FromSeconds(15), token)).Payload)!;
            if (!Open(Convert.FromBase64String((string)answer["Challenge"]!)).AsSpan().SequenceEqual(challenge))
            {
                await CloseChannelAsync("Handshake failed: the encryption challenge was not answered correctly.", token);
                return false;
            }
        }

        if (_faults.PauseInputMs > 0)
        {
            // Ahead of HandshakeComplete, so the client is paused before it can send any input.
            _clientPaused = true;
            await SendAsync(new AgentMessage(AgentMessage.PausePublication, 0, 0, [], Guid.NewGuid()).ToBytes(), token);
            _ = ResumeClientAsync(token);
        }

        await SendStreamAsync(AgentMessage.HandshakeComplete, Json(new JsonObject
        {
            ["HandshakeTimeToComplete"] = started.Elapsed.Ticks * 100,
            ["CustomerMessage"] = _encrypt is null ? "" : "This session is encrypted using AWS KMS.",
        }), token);
        return true;
    }

    private async Task ResumeClientAsync(CancellationToken token)
    {
        await Task.Delay(_faults.PauseInputMs, token);
        _clientPaused = false;
        await SendAsync(new AgentMessage(AgentMessage.StartPublication, 0, 0, [], Guid.NewGuid()).ToBytes(), token);
    }

    private async Task RunCommandAsync(CancellationToken token)
    {
        var folder = Path.Combine(_hub.ScratchRoot, _record.TaskId);
        Directory.CreateDirectory(folder);
        var info = new ProcessStartInfo("script")
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-q", "-e", "-f", "-c", _record.Command, "/dev/null" })
        {
            info.ArgumentList.Add(a);
        }
        info.Environment["SHELL"] = "/bin/sh";
        info.Environment["TERM"] = "xterm-256color";
        info.Environment["HOME"] = folder;
        _process = Process.Start(info) ?? throw new InvalidOperationException("script did not start");
        _record.ProcessId = _process.Id;
        _record.State = "running";
        _ = Task.Run(() => ApplyFirstSizeAsync(token), CancellationToken.None);
        var stdout = PumpAsync(_process.StandardOutput.BaseStream, token);
        var stderr = PumpAsync(_process.StandardError.BaseStream, token);
        await _process.WaitForExitAsync(token);
        await Task.WhenAll(stdout, stderr);
        _record.ExitCode = _process.ExitCode;
        await FlushHeldAsync(token);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Unacked() > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, token);
        }
        await CloseChannelAsync("", token);
    }

    private async Task PumpAsync(Stream stream, CancellationToken token)
    {
        var buffer = new byte[ChunkSize];
        int read;
        while ((read = await stream.ReadAsync(buffer, token)) > 0)
        {
            while (Unacked() >= MaxUnacked)
            {
                await Task.Delay(5, token);
            }
            await SendDataAsync(buffer[..read], token);
            _record.OutputBytes += read;
            if (_faults.CloseAfterBytes > 0 && _record.OutputBytes >= _faults.CloseAfterBytes)
            {
                _record.Error = "closed by fault injection";
                _socket.Abort();
                KillProcess(); // an interactive shell would never end by itself, and the session waits for it
                throw new OperationCanceledException("closed by fault injection");
            }
        }
    }

    /// <summary>An output data message, with the configured faults applied to its first sending.</summary>
    private async Task SendDataAsync(byte[] data, CancellationToken token)
    {
        await _dataLock.WaitAsync(token);
        try
        {
            await SendDataLockedAsync(data, token);
        }
        finally
        {
            _dataLock.Release();
        }
    }

    private async Task SendDataLockedAsync(byte[] data, CancellationToken token)
    {
        var n = ++_dataMessages;
        var payload = _encrypt is null ? data : Seal(data);
        var bytes = Register(new AgentMessage(AgentMessage.Output, NextSequence(), AgentMessage.OutputPayload, payload, Guid.NewGuid()));
        var wire = bytes;
        if (n == _faults.CorruptAt)
        {
            wire = (byte[])bytes.Clone();
            wire[^1] ^= 0xFF;
        }
        if (_faults.DropEvery > 0 && n % _faults.DropEvery == 0)
        {
            return;
        }
        if (_faults.ReorderEvery > 0 && n % _faults.ReorderEvery == 0 && _held is null)
        {
            _held = wire;
            return;
        }
        await SendAsync(wire, token);
        if (_faults.DuplicateEvery > 0 && n % _faults.DuplicateEvery == 0)
        {
            await SendAsync(wire, token);
        }
        await FlushHeldAsync(token);
    }

    private async Task FlushHeldAsync(CancellationToken token)
    {
        if (_held is { } held)
        {
            _held = null;
            await SendAsync(held, token);
        }
    }

    private async Task SendStreamAsync(uint payloadType, byte[] payload, CancellationToken token) =>
        await SendAsync(Register(new AgentMessage(AgentMessage.Output, NextSequence(), payloadType, payload, Guid.NewGuid())), token);

    private long NextSequence() => Interlocked.Increment(ref _nextOut) - 1;

    private byte[] Register(AgentMessage message)
    {
        var bytes = message.ToBytes();
        lock (_unacked)
        {
            _unacked[message.Sequence] = new Outgoing(bytes) { LastSent = DateTime.UtcNow };
        }
        return bytes;
    }

    private int Unacked()
    {
        lock (_unacked)
        {
            return _unacked.Count;
        }
    }

    /// <summary>The agent's ResendStreamDataMessageScheduler: every 100 ms, the oldest unacknowledged message if it is due.</summary>
    private async Task ResendLoopAsync(CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            await Task.Delay(ResendCheck, token);
            byte[] due;
            lock (_unacked)
            {
                if (_unacked.Count == 0 || _unacked.First().Value is not { } oldest || DateTime.UtcNow - oldest.LastSent <= _resendTimeout)
                {
                    continue;
                }
                oldest.LastSent = DateTime.UtcNow;
                due = oldest.Bytes;
            }
            _record.Resent++;
            await SendAsync(due, token);
        }
    }

    /// <summary>Drops an acknowledged message and folds its round trip into the resend timeout (calculateRetransmissionTimeout).</summary>
    private void Acknowledged(long sequence)
    {
        lock (_unacked)
        {
            if (!_unacked.Remove(sequence, out var message))
            {
                return;
            }
            var sample = (DateTime.UtcNow - message.LastSent).TotalMilliseconds;
            _rttVariationMs = (0.75 * _rttVariationMs) + (0.25 * Math.Abs(_rttMs - sample));
            _rttMs = (0.875 * _rttMs) + (0.125 * sample);
            _resendTimeout = TimeSpan.FromMilliseconds(Math.Min(_rttMs + Math.Max(10, 4 * _rttVariationMs), MaxResendTimeout.TotalMilliseconds));
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken token)
    {
        while (await ReceiveFrameAsync(token) is { } frame)
        {
            if (frame.Text || AgentMessage.Parse(frame.Bytes) is not { } message)
            {
                continue;
            }
            if (message.Type == AgentMessage.Ack)
            {
                Acknowledged((long?)JsonNode.Parse(message.Payload)?["AcknowledgedMessageSequenceNumber"] ?? -1);
                continue;
            }
            if (message.Type != AgentMessage.Input)
            {
                continue;
            }
            if (message.PayloadType == AgentMessage.OutputPayload && _process is null)
            {
                // Keys before the shell runs: not acknowledged, so the client resends them (the agent's ErrHandlerNotReady).
                continue;
            }
            if (_clientPaused)
            {
                _record.InputWhilePaused++;
            }
            await SendAsync(new AgentMessage(AgentMessage.Ack, 0, 0, Json(new JsonObject
            {
                ["AcknowledgedMessageType"] = message.Type,
                ["AcknowledgedMessageId"] = message.Id.ToString(),
                ["AcknowledgedMessageSequenceNumber"] = message.Sequence,
                ["IsSequentialMessage"] = true,
            }), Guid.NewGuid(), 3).ToBytes(), token);
            if (message.Sequence < _expectedIn)
            {
                continue;
            }
            _early[message.Sequence] = message;
            while (_early.Remove(_expectedIn, out var next))
            {
                _expectedIn++;
                await HandleInputAsync(next);
            }
        }
    }

    private async Task HandleInputAsync(AgentMessage message)
    {
        switch (message.PayloadType)
        {
            case AgentMessage.HandshakeResponse:
                _handshakeResponse.TrySetResult(message);
                break;
            case AgentMessage.EncChallengeResponse:
                _challengeResponse.TrySetResult(message);
                break;
            case AgentMessage.SizePayload:
                _record.Sizes.Add(Encoding.UTF8.GetString(message.Payload));
                _size = Encoding.UTF8.GetString(message.Payload);
                ApplySize();
                break;
            case AgentMessage.FlagPayload when message.Payload.Length == 4 && message.Payload[3] == 2: // TerminateSession
                _record.TerminateRequested = true;
                KillProcess();
                break;
            case AgentMessage.OutputPayload when _process is { HasExited: false } process:
                var data = _decrypt is null ? message.Payload : Open(message.Payload);
                _record.InputMessages++;
                _record.Input.Append(Encoding.UTF8.GetString(data));
                await process.StandardInput.BaseStream.WriteAsync(data);
                await process.StandardInput.BaseStream.FlushAsync();
                break;
        }
    }

    private async Task CloseChannelAsync(string output, CancellationToken token)
    {
        await SendAsync(new AgentMessage(AgentMessage.ChannelClosed, 0, 0, Json(new JsonObject
        {
            ["MessageId"] = Guid.NewGuid().ToString(),
            ["CreatedDate"] = DateTimeOffset.UtcNow.ToString("O"),
            ["DestinationId"] = _record.TaskId,
            ["SessionId"] = _sessionId,
            ["MessageType"] = AgentMessage.ChannelClosed,
            ["SchemaVersion"] = 1,
            ["Output"] = output,
        }), Guid.NewGuid()).ToBytes(), token);
        _record.State = "closed";
        try
        {
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "session ended", token).WaitAsync(TimeSpan.FromSeconds(5), token);
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException)
        {
            // The client may already have gone; the session is over either way.
        }
    }

    private async Task SendAsync(byte[] bytes, CancellationToken token)
    {
        await _sendLock.WaitAsync(token);
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.SendAsync(bytes, WebSocketMessageType.Binary, true, token);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task<(bool Text, byte[] Bytes)?> ReceiveFrameAsync(CancellationToken token)
    {
        using var message = new MemoryStream();
        var buffer = _receiveBuffer;
        while (true)
        {
            WebSocketReceiveResult result;
            try
            {
                result = await _socket.ReceiveAsync(buffer, token);
            }
            catch (WebSocketException)
            {
                return null;
            }
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType == WebSocketMessageType.Text, message.ToArray());
            }
        }
    }

    /// <summary>The size that came before the command had its terminal (the client sends one right after the handshake).</summary>
    private async Task ApplyFirstSizeAsync(CancellationToken token)
    {
        var until = DateTime.UtcNow.AddSeconds(5);
        while (CommandTerminal() is null && _process is { HasExited: false } && DateTime.UtcNow < until)
        {
            await Task.Delay(10, token);
        }

        ApplySize();
    }

    /// <summary>Sets the command's terminal to the last size the client sent; stty opens it without becoming its owner.</summary>
    private void ApplySize()
    {
        lock (_sizeLock)
        {
            if (_size is null || CommandTerminal() is not { } terminal || JsonNode.Parse(_size) is not JsonObject size)
            {
                return;
            }

            var stty = new ProcessStartInfo("stty") { UseShellExecute = false };
            foreach (var a in new[] { "-F", terminal, "cols", $"{size["cols"]}", "rows", $"{size["rows"]}" })
            {
                stty.ArgumentList.Add(a);
            }

            using var process = Process.Start(stty);
            process?.WaitForExit();
        }
    }

    /// <summary>The pty <c>script</c> gave the command: its child's standard input, once the child has it (a pipe before).</summary>
    private string? CommandTerminal()
    {
        if (_process is not { HasExited: false } process)
        {
            return null;
        }

        try
        {
            var children = File.ReadAllText($"/proc/{process.Id}/task/{process.Id}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var terminal = children.Length == 0 ? null : new FileInfo($"/proc/{children[0]}/fd/0").LinkTarget;
            return terminal?.StartsWith("/dev/pts/", StringComparison.Ordinal) == true ? terminal : null;
        }
        catch (IOException)
        {
            return null; // it ended meanwhile
        }
    }

    private void KillProcess()
    {
        try
        {
            if (_process is { HasExited: false } process)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private byte[] Seal(byte[] plain)
    {
        var result = new byte[12 + plain.Length + 16];
        RandomNumberGenerator.Fill(result.AsSpan(0, 12));
        _encrypt!.Encrypt(result.AsSpan(0, 12), plain, result.AsSpan(12, plain.Length), result.AsSpan(12 + plain.Length));
        return result;
    }

    private byte[] Open(byte[] sealedBytes)
    {
        var plain = new byte[sealedBytes.Length - 28];
        _decrypt!.Decrypt(sealedBytes.AsSpan(0, 12), sealedBytes.AsSpan(12, plain.Length), sealedBytes.AsSpan(12 + plain.Length), plain);
        return plain;
    }

    /// <summary>KMS Decrypt of the client's data key with the session's encryption context, signed for moto's routing.</summary>
    private async Task<byte[]> KmsDecryptAsync(byte[] blob, CancellationToken token)
    {
        var endpoint = _hub.KmsEndpoint ?? throw new InvalidOperationException("An encrypted session needs the simulator's --kms-endpoint.");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "TrentService.Decrypt");
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00");
        request.Content = new StringContent(new JsonObject
        {
            ["CiphertextBlob"] = Convert.ToBase64String(blob),
            ["EncryptionContext"] = new JsonObject { ["aws:ssm:SessionId"] = _sessionId, ["aws:ssm:TargetId"] = _record.Target },
        }.ToJsonString());
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.1");
        using var response = await http.SendAsync(request, token);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(token));
        return Convert.FromBase64String((string?)body?["Plaintext"] ?? throw new InvalidOperationException("KMS Decrypt failed: " + body?.ToJsonString()));
    }

    private sealed class Outgoing(byte[] bytes)
    {
        public byte[] Bytes { get; } = bytes;

        public DateTime LastSent { get; set; }
    }

    private static byte[] Json(JsonObject o) => Encoding.UTF8.GetBytes(o.ToJsonString());
}
