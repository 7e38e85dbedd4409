using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Logs;

/// <summary>FilterLogEvents, every page, for the region each query names.</summary>
public sealed class CloudWatchLogSource(Func<string, IAwsJsonApi> clientFor) : ILogEventSource
{
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
