using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Cruddur.EcsSimulator;

/// <summary>Where a container's output goes with the awslogs driver: group, region and stream &lt;prefix&gt;/&lt;container&gt;/&lt;taskId&gt;.</summary>
public sealed record LogTarget(string Region, string Group, string Stream, bool CreateGroup)
{
    /// <summary>The awslogs target of a container definition, or null when it does not log to CloudWatch Logs.</summary>
    public static LogTarget? Of(JsonObject container, string taskRegion, string taskId)
    {
        if (container["logConfiguration"] is not JsonObject lc || Json.Str(lc, "logDriver") != "awslogs" || lc["options"] is not JsonObject o)
        {
            return null;
        }
        var group = Json.Str(o, "awslogs-group");
        var prefix = Json.Str(o, "awslogs-stream-prefix");
        if (group is null || prefix is null)
        {
            return null; // Fargate refuses such a definition; nothing sensible to write
        }
        return new LogTarget(Json.Str(o, "awslogs-region") ?? taskRegion, group, $"{prefix}/{Json.Str(container, "name")}/{taskId}",
            string.Equals(Json.Str(o, "awslogs-create-group"), "true", StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>
/// Writes container output to the configured CloudWatch Logs endpoint (moto) the way the awslogs driver does: one stream per
/// container, events in order, timestamps taken when the line was produced. Lines are shipped in the background in batches;
/// <see cref="FlushAsync"/> waits until everything queued before it is stored.
/// </summary>
public sealed class LogsWriter : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Uri _endpoint;
    private readonly Channel<Item> _queue = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _pump;

    private sealed record Item(LogTarget? Target, long Timestamp, string? Message, TaskCompletionSource? Flushed);

    public LogsWriter(Uri endpoint)
    {
        _endpoint = endpoint;
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>The Logs endpoint from --logs-endpoint-url, else AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, else AWS_ENDPOINT_URL; null: none.</summary>
    public static Uri? ResolveEndpoint(IConfiguration config)
    {
        var raw = config["logs-endpoint-url"] ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS")
            ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
        return string.IsNullOrWhiteSpace(raw) ? null : new Uri(raw, UriKind.Absolute);
    }

    public void Write(LogTarget target, string message) =>
        _queue.Writer.TryWrite(new Item(target, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), message, null));

    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite(new Item(null, 0, null, done)) ? done.Task : Task.CompletedTask;
    }

    /// <summary>Creates the stream (and the group with awslogs-create-group); returns the error the awslogs driver would report, or null.</summary>
    public async Task<string?> PrepareAsync(LogTarget target)
    {
        int status;
        string body;
        try
        {
            if (target.CreateGroup)
            {
                await CallAsync(target.Region, "CreateLogGroup", new JsonObject { ["logGroupName"] = target.Group }).ConfigureAwait(false);
            }
            (status, body) = await CallAsync(target.Region, "CreateLogStream",
                new JsonObject { ["logGroupName"] = target.Group, ["logStreamName"] = target.Stream }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null; // no Logs endpoint answering: run without logs rather than fail every task
        }
        if (status == 200 || body.Contains("ResourceAlreadyExists", StringComparison.Ordinal))
        {
            return null;
        }
        return body.Contains("ResourceNotFound", StringComparison.Ordinal)
            ? "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1"
            : $"ResourceInitializationError: failed to validate logger args: CreateLogStream answered HTTP {status}: {body}";
    }

    private async Task PumpAsync()
    {
        var batch = new List<Item>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < 5000 && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }
            foreach (var stream in batch.Where(i => i.Target is not null).GroupBy(i => i.Target!))
            {
                foreach (var chunk in stream.Chunk(1000))
                {
                    var events = new JsonArray(chunk.Select(i => (JsonNode)new JsonObject { ["timestamp"] = i.Timestamp, ["message"] = i.Message }).ToArray());
                    try
                    {
                        await CallAsync(stream.Key.Region, "PutLogEvents", new JsonObject
                        {
                            ["logGroupName"] = stream.Key.Group,
                            ["logStreamName"] = stream.Key.Stream,
                            ["logEvents"] = events,
                        }).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        // Logs endpoint gone (the stack is stopping): the lines are lost, as with a real driver.
                    }
                }
            }
            foreach (var flushed in batch.Select(i => i.Flushed).OfType<TaskCompletionSource>())
            {
                flushed.TrySetResult();
            }
        }
    }

    // moto routes by the service in the SigV4 credential scope and does not verify signatures.
    private async Task<(int Status, string Body)> CallAsync(string region, string operation, JsonObject body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/x-amz-json-1.1"),
        };
        request.Content.Headers.ContentType!.CharSet = null;
        request.Headers.Add("X-Amz-Target", "Logs_20140328." + operation);
        var date = DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential=testing/{date}/{region}/logs/aws4_request, SignedHeaders=host, Signature=0");
        using var response = await Http.SendAsync(request).ConfigureAwait(false);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
    }
}
