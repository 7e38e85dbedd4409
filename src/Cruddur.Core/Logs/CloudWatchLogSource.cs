using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Logs;

/// <summary>FilterLogEvents, every page, for the region each query names.</summary>
public sealed class CloudWatchLogSource(Func<string, IAwsJsonApi> clientFor) : ILogEventSource
{
    /// <summary>A source for the context's credentials and endpoints, in whatever region a task definition's awslogs-region names.</summary>
    public static CloudWatchLogSource For(AwsContext aws, IOperationHost host)
    {
        var clients = new System.Collections.Concurrent.ConcurrentDictionary<string, IAwsJsonApi>(StringComparer.Ordinal);
        return new CloudWatchLogSource(region => clients.GetOrAdd(region, r =>
            new AwsJsonClient(r == aws.Region ? aws : new AwsContext(aws.Settings with { Region = r }), AwsService.Logs, host)));
    }

    public async IAsyncEnumerable<RawLogEvent> FilterAsync(LogQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var client = clientFor(query.Region);
        string? next = null;
        do
        {
            var request = new JsonObject
            {
                ["logGroupName"] = query.Group,
                ["logStreamNames"] = new JsonArray(query.Streams.Select(s => (JsonNode)s).ToArray()),
                ["interleaved"] = true,
            };
            if (query.StartTime is { } start)
            {
                request["startTime"] = start;
            }

            if (!string.IsNullOrEmpty(query.FilterPattern))
            {
                request["filterPattern"] = query.FilterPattern;
            }

            if (next is not null)
            {
                request["nextToken"] = next;
            }

            JsonObject response;
            try
            {
                response = await client.InvokeAsync("FilterLogEvents", request, cancellationToken).ConfigureAwait(false);
            }
            catch (AwsServiceException e) when (e.ErrorCode == "ResourceNotFoundException")
            {
                throw new CruddurException("LogGroupNotFound", ErrorKind.ObjectNotFound,
                    $"The log group '{query.Group}' does not exist in {query.Region} ({e.ServiceMessage}). The task definition's awslogs options name it; create it with Initialize-CruddurInfrastructure (or aws logs create-log-group --log-group-name {query.Group}), or fix awslogs-group.", e, query.Group);
            }

            var page = (response["events"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(e => new RawLogEvent((string)e["logStreamName"]!, (string)e["eventId"]!, (long)e["timestamp"]!, (string?)e["message"] ?? string.Empty))
                .OrderBy(e => e.Timestamp); // stable: interleaved pages are in order already
            foreach (var e in page)
            {
                yield return e;
            }

            next = (string?)response["nextToken"];
        }
        while (next is not null);
    }
}
