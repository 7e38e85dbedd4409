using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>
/// Faults the agent side applies to the data channels opened after they are set (POST /_sim/channel-faults). Counts are over
/// the output data messages of one session: every Nth is dropped on first sending (the resend recovers it), sent twice, or
/// held back and sent after the next one; <see cref="CorruptAt"/> damages the payload of that one message once.
/// <see cref="StreamPort"/> makes ExecuteCommand hand out stream URLs on that port (one nothing listens on: an unreachable channel).
/// <see cref="PauseInputMs"/> sends the client pause_publication just before HandshakeComplete and start_publication that
/// many milliseconds later (Session Manager's flow control of the client's input); input that arrives between the two is
/// counted in the channel record's inputWhilePaused.
/// </summary>
public sealed record ChannelFaults(
    int DropEvery = 0,
    int DuplicateEvery = 0,
    int ReorderEvery = 0,
    int CorruptAt = 0,
    string SessionType = "InteractiveCommands",
    bool RefuseToken = false,
    long CloseAfterBytes = 0,
    int StreamPort = 0,
    int PauseInputMs = 0)
{
    public static ChannelFaults? FromJson(JsonObject o)
    {
        var faults = new ChannelFaults(
            Json.Int(o, "dropEvery") ?? 0,
            Json.Int(o, "duplicateEvery") ?? 0,
            Json.Int(o, "reorderEvery") ?? 0,
            Json.Int(o, "corruptAt") ?? 0,
            Json.Str(o, "sessionType") ?? "InteractiveCommands",
            Json.Bool(o, "refuseToken") ?? false,
            (long)(Json.Double(o, "closeAfterBytes") ?? 0),
            Json.Int(o, "streamPort") ?? 0,
            Json.Int(o, "pauseInputMs") ?? 0);
        return faults.DropEvery < 0 || faults.DuplicateEvery < 0 || faults.ReorderEvery < 0 || faults.CorruptAt < 0 || faults.CloseAfterBytes < 0
            || faults.PauseInputMs < 0 ? null : faults;
    }
}

/// <summary>What one data channel did, for tests to look at (GET /_sim/channels). Never holds the token.</summary>
public sealed class ChannelRecord
{
    public required string SessionId { get; init; }
    public required string TaskId { get; init; }
    public required string Target { get; init; }
    public required string Command { get; init; }
    public string? KmsKeyId { get; init; }
    public string State { get; set; } = "issued";
    public int? ProcessId { get; set; }
    public int? ExitCode { get; set; }
    public long OutputBytes { get; set; }
    public int Resent { get; set; }
    public int InputWhilePaused { get; set; }

    /// <summary>The input messages the client sent, and their bytes as text (keystrokes as typed).</summary>
    public int InputMessages { get; set; }
    public System.Text.StringBuilder Input { get; } = new();

    /// <summary>The client asked to terminate the session (a real agent keeps the shell of a merely dropped connection).</summary>
    public bool TerminateRequested { get; set; }
    public List<string> Sizes { get; } = [];
    public string? Error { get; set; }

    public JsonObject ToJson() => new()
    {
        ["sessionId"] = SessionId,
        ["taskId"] = TaskId,
        ["target"] = Target,
        ["command"] = Command,
        ["kmsKeyId"] = KmsKeyId,
        ["state"] = State,
        ["processId"] = ProcessId,
        ["exitCode"] = ExitCode,
        ["outputBytes"] = OutputBytes,
        ["resent"] = Resent,
        ["inputWhilePaused"] = InputWhilePaused,
        ["inputMessages"] = InputMessages,
        ["input"] = Input.ToString(),
        ["terminateRequested"] = TerminateRequested,
        ["sizes"] = new JsonArray(Sizes.Select(s => (JsonNode?)s).ToArray()),
        ["error"] = Error,
    };
}

/// <summary>
/// The Session Manager side of the simulator's ExecuteCommand sessions: the token each session was issued, the faults to
/// apply, and a record per channel. The stream URL is ws:// on the simulator's own port (/v1/data-channel/{sessionId}).
/// </summary>
public sealed class DataChannelHub
{
    private readonly ConcurrentDictionary<string, (string Token, ChannelRecord Record)> _sessions = new(StringComparer.Ordinal);

    public DataChannelHub(string scratchRoot) => ScratchRoot = scratchRoot;

    /// <summary>Per-task scratch folders live here (the simulated tasks are not containers: a command runs in its task's folder).</summary>
    public string ScratchRoot { get; }

    /// <summary>Where the agent side calls KMS Decrypt for encrypted sessions (moto), set with POST /_sim/kms.</summary>
    public Uri? KmsEndpoint { get; set; }

    public ChannelFaults Faults { get; set; } = new();

    /// <summary>The session's stream URL, shaped like Session Manager's (wss://ssmmessages.REGION.amazonaws.com/v1/data-channel/ID?role=publish_subscribe).</summary>
    public string StreamUrl(int port, string sessionId) =>
        $"ws://127.0.0.1:{(Faults.StreamPort > 0 ? Faults.StreamPort : port)}/v1/data-channel/{sessionId}?role=publish_subscribe";

    /// <summary>
    /// Called by ExecuteCommand: remembers the session's token and returns it. The target is ecs:cluster_taskId_runtimeId; a KMS
    /// key (the cluster's executeCommandConfiguration.kmsKeyId) makes the agent ask for an encrypted session.
    /// </summary>
    public string Issue(string sessionId, string target, string taskId, string command, string? kmsKeyId)
    {
        var token = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(96));
        _sessions[sessionId] = (token, new ChannelRecord { SessionId = sessionId, Target = target, TaskId = taskId, Command = command, KmsKeyId = kmsKeyId });
        return token;
    }

    public void DeleteScratch()
    {
        try
        {
            if (Directory.Exists(ScratchRoot))
            {
                Directory.Delete(ScratchRoot, recursive: true);
            }
        }
        catch (IOException)
        {
            // A command may still hold a file open; the folder is under the temp directory.
        }
    }

    public bool TryGet(string sessionId, out string token, out ChannelRecord record)
    {
        var found = _sessions.TryGetValue(sessionId, out var entry);
        (token, record) = found ? entry : (string.Empty, null!);
        return found;
    }

    public IReadOnlyList<ChannelRecord> Records => _sessions.Values.Select(v => v.Record).ToList();

    public void Reset()
    {
        _sessions.Clear();
        Faults = new ChannelFaults();
    }

    public void Map(WebApplication app)
    {
        app.Map("/v1/data-channel/{sessionId}", async (HttpContext ctx, string sessionId) =>
        {
            if (!ctx.WebSockets.IsWebSocketRequest)
            {
                ctx.Response.StatusCode = 400;
                await ctx.Response.WriteAsync("A data channel is a websocket.", ctx.RequestAborted);
                return;
            }
            using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
            await new AgentSession(this, sessionId, socket, Faults).RunAsync(ctx.RequestAborted);
        });

        app.MapPost("/_sim/channel-faults", async (HttpContext ctx) =>
        {
            var body = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted) as JsonObject ?? [];
            if (ChannelFaults.FromJson(body) is not { } faults)
            {
                return Results.Json(new { message = "Counts must be zero or positive: dropEvery, duplicateEvery, reorderEvery, corruptAt, closeAfterBytes, pauseInputMs." }, statusCode: 400);
            }
            Faults = faults;
            return Results.Json(faults);
        });

        app.MapPost("/_sim/kms", async (HttpContext ctx) =>
        {
            var body = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted) as JsonObject ?? [];
            if (!Uri.TryCreate(Json.Str(body, "endpoint"), UriKind.Absolute, out var endpoint))
            {
                return Results.Json(new { message = "Body must be {\"endpoint\": \"http://127.0.0.1:<moto port>\"}." }, statusCode: 400);
            }
            KmsEndpoint = endpoint;
            return Results.Json(new { endpoint });
        });

        app.MapGet("/_sim/channels", () => Results.Content(new JsonArray(Records.Select(r => (JsonNode?)r.ToJson()).ToArray()).ToJsonString(), "application/json"));
    }
}
