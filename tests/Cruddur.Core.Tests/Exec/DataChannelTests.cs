using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Cruddur.Core.Exec;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Exec;

/// <summary>
/// The data channel's protocol against a scripted agent: the open frame and the handshake, refusals and timeouts, how a
/// channel ends, acknowledgements, reordering, pause/resume and resends (on a clock the test moves, so nothing waits on time).
/// </summary>
public sealed class DataChannelTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly RecordingHost _host = new();
    private readonly StringBuilder _output = new();
    private ScriptedAgent _agent = null!;

    public async Task InitializeAsync() => _agent = await ScriptedAgent.StartAsync();

    public async Task DisposeAsync() => await _agent.DisposeAsync();

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private DataChannel Channel(DataChannelOptions? options = null) =>
        new(_agent.StreamUrl, "s-1", "ecs:cruddur_t_r", bytes =>
        {
            lock (_output)
            {
                _output.Append(Encoding.UTF8.GetString(bytes.Span));
            }

            return Task.CompletedTask;
        }, _host, options ?? new DataChannelOptions { HandshakeTimeout = Patience });

    /// <summary>Opens <paramref name="channel"/> through a plain shell handshake; <paramref name="beforeComplete"/> as in <see cref="ScriptedAgent.HandshakeAsync"/>.</summary>
    private async Task OpenAsync(DataChannel channel, Func<Task>? beforeComplete = null)
    {
        var open = channel.OpenAsync("the-token", CancellationToken.None);
        await _agent.AcceptAsync();
        await _agent.HandshakeAsync(ScriptedAgent.SessionType("Standard_Stream"), beforeComplete: beforeComplete);
        await open.WaitAsync(Patience);
    }

    [Theory]
    [InlineData("Standard_Stream")]
    [InlineData("InteractiveCommands")]
    public async Task TheOpenFrameCarriesTheTokenAndTheHandshakeAnswersEveryActionItWasAsked(string sessionType)
    {
        await using var channel = Channel();
        var opening = channel.OpenAsync("the-token", CancellationToken.None);

        var open = await _agent.AcceptAsync();
        var actions = ScriptedAgent.SessionType(sessionType);
        actions.Add(new JsonObject { ["ActionType"] = "SessionRecording", ["ActionParameters"] = new JsonObject() });
        var response = await _agent.HandshakeAsync(actions, customerMessage: "Sessions on this task are recorded.");
        await opening.WaitAsync(Patience);

        Assert.Equal("the-token", (string?)open["TokenValue"]);
        Assert.Equal("1.0", (string?)open["MessageSchemaVersion"]);
        Assert.True(Guid.TryParse((string?)open["RequestId"], out var request), open.ToJsonString());
        Assert.True(Guid.TryParse((string?)open["ClientId"], out var client), open.ToJsonString());
        Assert.NotEqual(request, client);
        var version = typeof(DataChannel).Assembly.GetName().Version!.ToString();
        Assert.NotEqual("0.0.0", version);
        Assert.Equal(version, (string?)open["ClientVersion"]);
        // The session type is accepted; an action this client does not know is answered as unsupported, which the agent may ignore.
        Assert.Equal(version, (string?)response["ClientVersion"]);
        var processed = response["ProcessedClientActions"]!.AsArray();
        Assert.Equal(("SessionType", 1), ((string?)processed[0]!["ActionType"], (int?)processed[0]!["ActionStatus"]));
        Assert.Equal(("SessionRecording", 3), ((string?)processed[1]!["ActionType"], (int?)processed[1]!["ActionStatus"]));
        Assert.Equal("Unsupported action SessionRecording", (string?)processed[1]!["Error"]);
        Assert.Equal(["Unsupported action SessionRecording"], response["Errors"]!.AsArray().Select(e => (string?)e));
        Assert.False(channel.Encrypted);
        Assert.Contains("VERBOSE: Sessions on this task are recorded.", _host.Messages);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("{\"AgentVersion\":\"3.3.0.0\"}")]
    public async Task AHandshakeRequestWithoutActionsIsAnsweredWithNone(string request)
    {
        await using var channel = Channel();
        var opening = channel.OpenAsync("the-token", CancellationToken.None);
        await _agent.AcceptAsync();

        await _agent.SendStreamAsync(PayloadType.HandshakeRequest, Encoding.UTF8.GetBytes(request));

        var response = ScriptedAgent.Json(await _agent.NextAsync(m => m.PayloadType == PayloadType.HandshakeResponse));
        Assert.Empty(response["ProcessedClientActions"]!.AsArray());
        Assert.Empty(response["Errors"]!.AsArray());
        await _agent.SendStreamAsync(PayloadType.HandshakeComplete, new JsonObject());
        await opening.WaitAsync(Patience);
    }

    [Fact]
    public async Task ASessionTypeThisClientCannotRunFailsAtOnceAndTellsTheAgentWhy()
    {
        await using var channel = Channel(new DataChannelOptions { HandshakeTimeout = TimeSpan.FromSeconds(30) });
        var opening = channel.OpenAsync("the-token", CancellationToken.None);
        await _agent.AcceptAsync();

        await _agent.SendStreamAsync(PayloadType.HandshakeRequest, new JsonObject { ["RequestedClientActions"] = ScriptedAgent.SessionType("Port") });

        var response = ScriptedAgent.Json(await _agent.NextAsync(m => m.PayloadType == PayloadType.HandshakeResponse));
        var action = response["ProcessedClientActions"]![0]!;
        Assert.Equal(2, (int?)action["ActionStatus"]);
        Assert.Equal("Unknown session type Port", (string?)action["Error"]);
        Assert.Equal(["Unknown session type Port"], response["Errors"]!.AsArray().Select(e => (string?)e));
        // The agent has not closed the channel yet: the failure is reported without waiting for it or for the timeout.
        var e = await Assert.ThrowsAsync<CruddurException>(() => opening.WaitAsync(Patience));
        Assert.Equal(ErrorIds.ExecSessionTypeUnsupported, e.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, e.Kind);
        Assert.Contains("'Port'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Standard_Stream, InteractiveCommands, NonInteractiveCommands", e.Message, StringComparison.Ordinal);
        Assert.Contains("session-manager-plugin", e.Message, StringComparison.Ordinal);
        Assert.Equal("s-1", e.Target);
    }

    [Theory]
    [InlineData("socket", "Authentication failed: the token is not valid for this session.")]
    [InlineData("socket", "")]
    [InlineData("channel_closed", "Handshake failed: no such target")]
    [InlineData("channel_closed", "")]
    [InlineData("channel_closed", null)]
    public async Task ARefusalBeforeTheHandshakeSaysWhyWhenTheAgentSaid(string how, string? reason)
    {
        await using var channel = Channel();
        var opening = channel.OpenAsync("the-token", CancellationToken.None);
        await _agent.AcceptAsync();

        await (how == "socket" ? _agent.CloseAsync(reason!) : _agent.SendChannelClosedAsync(reason));

        var e = await Assert.ThrowsAsync<CruddurException>(() => opening.WaitAsync(Patience));
        Assert.Equal(ErrorIds.ExecChannelRefused, e.ErrorId);
        Assert.Equal(ErrorKind.AuthenticationError, e.Kind);
        Assert.Contains(string.IsNullOrEmpty(reason) ? "before it started. The session token" : $"before it started: {reason}. The session token", e.Message, StringComparison.Ordinal);
        Assert.Contains("connect again", e.Message, StringComparison.Ordinal);
        Assert.Equal("s-1", e.Target);
    }

    [Fact]
    public async Task AKmsSessionWithoutAKmsClientFailsAtOnceAndTellsTheAgentWhy()
    {
        await using var channel = Channel(new DataChannelOptions { HandshakeTimeout = TimeSpan.FromSeconds(30) });
        var opening = channel.OpenAsync("the-token", CancellationToken.None);
        await _agent.AcceptAsync();
        var actions = ScriptedAgent.SessionType("Standard_Stream");
        actions.Add(new JsonObject { ["ActionType"] = "KMSEncryption", ["ActionParameters"] = new JsonObject { ["KMSKeyId"] = "alias/exec" } });

        await _agent.SendStreamAsync(PayloadType.HandshakeRequest, new JsonObject { ["RequestedClientActions"] = actions });

        var response = ScriptedAgent.Json(await _agent.NextAsync(m => m.PayloadType == PayloadType.HandshakeResponse));
        var kms = response["ProcessedClientActions"]![1]!;
        Assert.Equal(("KMSEncryption", 2), ((string?)kms["ActionType"], (int?)kms["ActionStatus"]));
        Assert.Equal("Failed to process action KMSEncryption: ExecKmsUnavailable", (string?)kms["Error"]);
        Assert.Null(kms["ActionResult"]);
        var e = await Assert.ThrowsAsync<CruddurException>(() => opening.WaitAsync(Patience));
        Assert.Equal(ErrorIds.ExecKmsUnavailable, e.ErrorId);
        Assert.False(channel.Encrypted);
    }

    [Fact]
    public async Task AnAgentThatNeverCompletesTheHandshakeTimesOut()
    {
        await using var channel = Channel(new DataChannelOptions { HandshakeTimeout = TimeSpan.FromSeconds(1) });
        var opening = channel.OpenAsync("the-token", CancellationToken.None);
        await _agent.AcceptAsync();

        var e = await Assert.ThrowsAsync<CruddurException>(() => opening.WaitAsync(Patience));

        Assert.Equal(ErrorIds.ExecHandshakeTimeout, e.ErrorId);
        Assert.Equal(ErrorKind.OperationTimeout, e.Kind);
        Assert.Contains("within 1 s", e.Message, StringComparison.Ordinal);
        Assert.Contains("roll a new task", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoppingWhileTheHandshakeRunsIsACancellationNotAnError()
    {
        await using var channel = Channel(new DataChannelOptions { HandshakeTimeout = TimeSpan.FromSeconds(30) });
        using var stop = new CancellationTokenSource();
        var opening = channel.OpenAsync("the-token", stop.Token);
        await _agent.AcceptAsync();

        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => opening.WaitAsync(Patience));
    }

    [Fact]
    public async Task StoppingWhileConnectingIsACancellationNotAnUnreachableChannel()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var url = new Uri($"ws://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/v1/data-channel/s-1");
        await using var channel = new DataChannel(url, "s-1", "ecs:c_t_r", _ => Task.CompletedTask, _host, new DataChannelOptions { ConnectTimeout = TimeSpan.FromSeconds(30) });
        using var stop = new CancellationTokenSource();
        var opening = channel.OpenAsync("the-token", stop.Token);

        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => opening.WaitAsync(Patience));
    }

    [Fact]
    public async Task APlainWebsocketToAwsIsRefusedBeforeConnecting()
    {
        await using var channel = new DataChannel(new Uri("ws://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/s-1"), "s-1", "ecs:c_t_r", _ => Task.CompletedTask, _host,
            new DataChannelOptions { ConnectTimeout = TimeSpan.FromSeconds(2) });

        var e = await Assert.ThrowsAsync<CruddurException>(() => channel.OpenAsync("the-token", CancellationToken.None));

        Assert.Equal(ErrorIds.ExecChannelInsecure, e.ErrorId);
        Assert.Contains("'ws'", e.Message, StringComparison.Ordinal);
        Assert.Contains("wss://", e.Message, StringComparison.Ordinal);
        Assert.Contains("Check the ECS endpoint", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("the agent is restarting")]
    [InlineData("")]
    public async Task TheAgentGoingAwayAfterTheHandshakeIsALostSession(string reason)
    {
        await using var channel = Channel();
        await OpenAsync(channel);

        await _agent.CloseAsync(reason);

        var e = await Assert.ThrowsAsync<CruddurException>(() => channel.Ended.WaitAsync(Patience));
        Assert.Equal(ErrorIds.ExecChannelLost, e.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, e.Kind);
        Assert.Contains(reason.Length > 0 ? $"before the session ended ({reason}); the remote" : "before the session ended; the remote", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Exiting session with sessionId: s-1.", "Exiting session with sessionId: s-1.")]
    [InlineData("", null)]
    [InlineData(null, null)]
    public async Task ChannelClosedEndsTheSessionWithTheAgentsLastWord(string? output, string? expected)
    {
        await using var channel = Channel();
        await OpenAsync(channel);

        await _agent.SendChannelClosedAsync(output);

        var end = await channel.Ended.WaitAsync(Patience);
        Assert.True(end.Closed);
        Assert.Equal(expected, end.Output);
    }

    [Fact]
    public async Task OutputIsAcknowledgedShownInOrderAndARepeatIsAcknowledgedAgainButShownOnce()
    {
        await using var channel = Channel();
        await OpenAsync(channel);
        var first = 2; // after HandshakeRequest (0) and HandshakeComplete (1)

        // The second piece overtakes the first: acknowledged and kept, not shown yet.
        await _agent.SendAsync(new ChannelMessage(ChannelMessageType.Output, first + 1, PayloadType.Output, "world"u8.ToArray(), Guid.NewGuid()));
        await AcknowledgedAsync(first + 1);
        Assert.Equal("", Output);
        // The first piece, split over two websocket frames.
        var bytes = new ChannelMessage(ChannelMessageType.Output, first, PayloadType.Output, "hello "u8.ToArray(), Guid.NewGuid()).Encode();
        await _agent.SendFrameAsync(bytes[..100], endOfMessage: false);
        await _agent.SendFrameAsync(bytes[100..]);
        await AcknowledgedAsync(first);
        // The agent missed our acknowledgement and sends the first piece again.
        await _agent.SendFrameAsync(bytes);
        await AcknowledgedAsync(first);
        await _agent.SendChannelClosedAsync("");

        await channel.Ended.WaitAsync(Patience);
        Assert.Equal("hello world", Output);
    }

    [Fact]
    public async Task InputHeldWhilePausedGoesOutOnResumeAndIsResentUntilAcknowledged()
    {
        var clock = new ManualClock();
        await using var channel = Channel(new DataChannelOptions { HandshakeTimeout = Patience, Clock = clock });
        // Paused before HandshakeComplete, as Session Manager may: the first keys wait for start_publication.
        await OpenAsync(channel, () => _agent.SendControlAsync(ChannelMessageType.PausePublication));
        await channel.SendInputAsync("a"u8.ToArray(), CancellationToken.None);

        await _agent.SendControlAsync(ChannelMessageType.StartPublication);
        var a = await _agent.NextInputAsync();
        Assert.Equal("a", ScriptedAgent.Text(a));
        await channel.SendInputAsync("b"u8.ToArray(), CancellationToken.None); // publishing again: goes out at once
        var b = await _agent.NextInputAsync();
        Assert.Equal(("b", a.SequenceNumber + 1), (ScriptedAgent.Text(b), b.SequenceNumber));

        // An acknowledgement without a sequence number acknowledges nothing; time passes, and both are sent again, in order.
        await _agent.AcknowledgeAsync(new JsonObject { ["AcknowledgedMessageType"] = ChannelMessageType.Input });
        clock.Advance(TimeSpan.FromMilliseconds(188)); // past the resend timeout the handshake's round trip gave (187.5 ms)
        Assert.Equal(a.SequenceNumber, (await _agent.NextInputAsync()).SequenceNumber);
        Assert.Equal(b.SequenceNumber, (await _agent.NextInputAsync()).SequenceNumber);

        await _agent.AcknowledgeAsync(a.SequenceNumber);
        await _agent.AcknowledgeAsync(b.SequenceNumber);
        await _agent.SendChannelClosedAsync("");
        Assert.True((await channel.Ended.WaitAsync(Patience)).Closed);
    }

    [Fact]
    public async Task TheResendTimeoutFollowsTheMeasuredRoundTripsAndASilentAgentIsGivenUp()
    {
        var clock = new ManualClock();
        await using var channel = Channel(new DataChannelOptions { HandshakeTimeout = Patience, Clock = clock, GiveUpAfter = TimeSpan.FromSeconds(30) });
        var started = clock.GetUtcNow();
        await OpenAsync(channel); // the HandshakeResponse is acknowledged at once: a 0 ms round trip
        await channel.SendInputAsync("a"u8.ToArray(), CancellationToken.None);
        var a = await _agent.NextInputAsync();
        await channel.SendInputAsync("b"u8.ToArray(), CancellationToken.None);
        var b = await _agent.NextInputAsync();

        // Pause publication and make sure the client saw it (it acknowledges the output sent after the pause).
        await _agent.SendControlAsync(ChannelMessageType.PausePublication);
        var marker = await _agent.SendStreamAsync(PayloadType.Output, "$ "u8.ToArray());
        await AcknowledgedAsync(marker);
        await channel.SendInputAsync("c"u8.ToArray(), CancellationToken.None); // held
        // 150 ms later "b" (not the oldest) is acknowledged: that round trip is measured, and the acknowledgement resumes publication.
        clock.Advance(TimeSpan.FromMilliseconds(150));
        await _agent.AcknowledgeAsync(b.SequenceNumber);
        var c = await _agent.NextInputAsync();
        Assert.Equal("c", ScriptedAgent.Text(c));

        // RFC 6298 over the samples 0 ms and 150 ms from 100 ms: variation 34.375, round trip 95.3125, so 95.3125 + 4 * 34.375.
        Assert.Equal(232.8125, channel.ResendTimeout.TotalMilliseconds, 3);
        // Past it, the unacknowledged ones go again, in order; the acknowledged one does not.
        clock.Advance(TimeSpan.FromMilliseconds(233));
        Assert.Equal(a.SequenceNumber, (await _agent.NextInputAsync()).SequenceNumber);
        Assert.Equal(c.SequenceNumber, (await _agent.NextInputAsync()).SequenceNumber);

        // Exactly at the give-up time the oldest is only resent; a moment later the session is given up.
        clock.Set(started + TimeSpan.FromSeconds(30));
        Assert.Equal(a.SequenceNumber, (await _agent.NextInputAsync()).SequenceNumber);
        Assert.False(channel.Ended.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var e = await Assert.ThrowsAsync<CruddurException>(() => channel.Ended.WaitAsync(Patience));
        Assert.Equal(ErrorIds.ExecChannelLost, e.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, e.Kind);
        Assert.Contains("acknowledged nothing for 30 s", e.Message, StringComparison.Ordinal);
        Assert.Contains("Get-CruddurService", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_agent.Received, m => m.MessageType == ChannelMessageType.Input && m.SequenceNumber == b.SequenceNumber && !ReferenceEquals(m, b));
    }

    [Fact]
    public async Task ClosingTheChannelSaysGoodbyeToTheAgentAndEndsIt()
    {
        var channel = Channel();
        await OpenAsync(channel);

        var closed = _agent.ClientCloseAsync(); // reading already, as an agent does

        await channel.DisposeAsync();

        Assert.Equal((WebSocketCloseStatus.NormalClosure, "client done"), await closed);
        var end = await channel.Ended.WaitAsync(Patience);
        Assert.False(end.Closed);
        Assert.Null(end.Output);
    }

    private async Task AcknowledgedAsync(long sequence)
    {
        await _agent.NextAsync(m => m.MessageType == ChannelMessageType.Acknowledge && (long?)ScriptedAgent.Json(m)["AcknowledgedMessageSequenceNumber"] == sequence);
    }
}
