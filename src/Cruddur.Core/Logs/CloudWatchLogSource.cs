using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Logs;

/// <summary>FilterLogEvents through the Logs client of each region; a missing group becomes LogGroupNotFound.</summary>
public sealed class CloudWatchLogSource(Func<string, ILogsClient> clientFor) : ILogEventSource
{
    /// <summary>A source for the context's credentials and endpoints, in whatever region a task definition's awslogs-region names.</summary>
    public static CloudWatchLogSource For(AwsContext aws, IOperationHost host)
    {
        var clients = new System.Collections.Concurrent.ConcurrentDictionary<string, ILogsClient>(StringComparer.Ordinal);
        return new CloudWatchLogSource(region => clients.GetOrAdd(region, r =>
            new LogsClient(r == aws.Region ? aws : new AwsContext(aws.Settings with { Region = r }), host)));
    }

    public async IAsyncEnumerable<FilteredLogEvent> FilterAsync(string region, LogEventQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var events = clientFor(region).FilterLogEventsAsync(query, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await events.MoveNextAsync().ConfigureAwait(false))
                {
                    yield break;
                }
            }
            catch (AwsServiceException e) when (e.ErrorCode == "ResourceNotFoundException")
            {
                throw new CruddurException(ErrorIds.LogGroupNotFound, ErrorKind.ObjectNotFound,
                    $"The log group '{query.Group}' does not exist in {region} ({e.ServiceMessage}). The task definition's awslogs options name it; create it with Initialize-CruddurInfrastructure (or aws logs create-log-group --log-group-name {query.Group}), or fix awslogs-group.", e, query.Group);
            }

            yield return events.Current;
        }
    }
}
