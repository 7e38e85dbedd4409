using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Protocols;
using Cruddur.Core.Hosting;
using static Cruddur.Core.Aws.AwsJson;

namespace Cruddur.Core.Aws.Clients;

/// <summary>A CloudWatch Logs log group: name, ARN (without the trailing ":*") and retention (null: never expires).</summary>
internal sealed record LogGroup(string Name, string Arn, int? RetentionDays);

/// <summary>One FilterLogEvents query: a group, up to 100 stream names, a start time (inclusive, to the millisecond), a filter pattern.</summary>
internal sealed record LogEventQuery(string Group, IReadOnlyList<string> Streams, DateTimeOffset? StartTime, string? FilterPattern);

/// <summary>An event as FilterLogEvents returns it; <see cref="EventId"/> is unique within the group.</summary>
internal sealed record FilteredLogEvent(string LogStream, string EventId, DateTimeOffset Timestamp, string Message);

/// <summary>CloudWatch Logs as the module uses it.</summary>
internal interface ILogsClient
{
    /// <summary>The log group named exactly <paramref name="name"/>, or null.</summary>
    Task<LogGroup?> FindLogGroupAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates the log group; false when it already exists.</summary>
    Task<bool> CreateLogGroupAsync(string name, CancellationToken cancellationToken);

    /// <summary>Sets how long the group keeps events.</summary>
    Task PutRetentionPolicyAsync(string name, int days, CancellationToken cancellationToken);

    /// <summary>The events matching <paramref name="query"/> in time order (the streams interleaved), page after page as they are read.</summary>
    IAsyncEnumerable<FilteredLogEvent> FilterLogEventsAsync(LogEventQuery query, CancellationToken cancellationToken);
}

/// <summary><see cref="ILogsClient"/> over AWS JSON 1.1.</summary>
internal sealed class LogsClient : ILogsClient
{
    private readonly JsonProtocol _api;

    public LogsClient(AwsContext context, IOperationHost host) => _api = new JsonProtocol(context, AwsService.Logs, host);

    public async Task<LogGroup?> FindLogGroupAsync(string name, CancellationToken cancellationToken)
    {
        var groups = await AwsPaginator.AllAsync(token =>
        {
            var request = new JsonObject { ["logGroupNamePrefix"] = name };
            if (token is not null)
            {
                request["nextToken"] = token;
            }

            return _api.CallAsync("DescribeLogGroups", request, idempotent: true, r => new AwsPage<LogGroup>(
                Objects(r, "logGroups").Select(g => new LogGroup(Text(g, "logGroupName"), (OptionalText(g, "arn") ?? string.Empty).TrimEnd('*').TrimEnd(':'), OptionalInt(g, "retentionInDays"))).ToList(),
                OptionalText(r, "nextToken")), cancellationToken);
        }, "CloudWatch Logs DescribeLogGroups").ConfigureAwait(false);
        return groups.FirstOrDefault(g => g.Name == name);
    }

    // Not idempotent by the rule for Create*: a repeat after a 5xx may find the group made (answered as "exists" below).
    public async Task<bool> CreateLogGroupAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await _api.CallAsync("CreateLogGroup", new JsonObject { ["logGroupName"] = name }, idempotent: false, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AwsServiceException e) when (e.ErrorCode == "ResourceAlreadyExistsException")
        {
            return false;
        }
    }

    public IAsyncEnumerable<FilteredLogEvent> FilterLogEventsAsync(LogEventQuery query, CancellationToken cancellationToken) =>
        AwsPaginator.EachAsync(token =>
        {
            var request = new JsonObject
            {
                ["logGroupName"] = query.Group,
                ["logStreamNames"] = new JsonArray(query.Streams.Select(s => (JsonNode)s).ToArray()),
                ["interleaved"] = true, // always so on AWS; the flag makes local stand-ins merge the streams too
            };
            if (query.StartTime is { } start)
            {
                request["startTime"] = start.ToUnixTimeMilliseconds();
            }

            if (!string.IsNullOrEmpty(query.FilterPattern))
            {
                request["filterPattern"] = query.FilterPattern;
            }

            if (token is not null)
            {
                request["nextToken"] = token;
            }

            return _api.CallAsync("FilterLogEvents", request, idempotent: true, r => new AwsPage<FilteredLogEvent>(
                Objects(r, "events").Select(e => new FilteredLogEvent(Text(e, "logStreamName"), Text(e, "eventId"), DateTimeOffset.FromUnixTimeMilliseconds((long)e["timestamp"]!), OptionalText(e, "message") ?? string.Empty))
                    .OrderBy(e => e.Timestamp).ToList(),
                OptionalText(r, "nextToken")), cancellationToken);
        }, "CloudWatch Logs FilterLogEvents");

    // Idempotent: it sets a value.
    public Task PutRetentionPolicyAsync(string name, int days, CancellationToken cancellationToken) =>
        _api.CallAsync("PutRetentionPolicy", new JsonObject { ["logGroupName"] = name, ["retentionInDays"] = days }, idempotent: true, cancellationToken);
}
