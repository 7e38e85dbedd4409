using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Logs;

/// <summary>FilterLogEvents through the Logs client of each region; a missing group becomes LogGroupNotFound.</summary>
internal sealed class CloudWatchLogSource(Func<string, ILogsClient> clientFor) : ILogEventSource
{
    /// <summary>A source for the context's credentials and endpoints, in whatever region a task definition's awslogs-region names.</summary>
    public static CloudWatchLogSource For(AwsContext aws, IOperationHost host)
    {
        var clients = new System.Collections.Concurrent.ConcurrentDictionary<string, ILogsClient>(StringComparer.Ordinal);
        return new CloudWatchLogSource(region => clients.GetOrAdd(region, r =>
            new LogsClient(r == aws.Region ? aws : new AwsContext(aws.Settings with { Region = r }), host)));
    }

    public IAsyncEnumerable<FilteredLogEvent> FilterAsync(string region, LogEventQuery query, CancellationToken cancellationToken) =>
        FilterAsync(clientFor(region), region, query, cancellationToken);

    /// <summary>
    /// CloudWatch refuses the whole query when one named stream does not exist yet (a task that has not logged): the streams
    /// are then read one by one, merged in time order, and a missing one holds no events.
    /// </summary>
    private static async IAsyncEnumerable<FilteredLogEvent> FilterAsync(ILogsClient client, string region, LogEventQuery query,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var any = false;
        IAsyncEnumerable<FilteredLogEvent>? instead = null;
        await using (var events = client.FilterLogEventsAsync(query, cancellationToken).GetAsyncEnumerator(cancellationToken))
        {
            while (true)
            {
                try
                {
                    if (!await events.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (AwsServiceException e) when (e.Condition == AwsCondition.LogStreamNotFound && !any)
                {
                    if (query.Streams.Count <= 1)
                    {
                        yield break;
                    }

                    instead = LogMerge.MergeAsync(
                        query.Streams.Select(s => FilterAsync(client, region, query with { Streams = [s] }, cancellationToken)).ToList(),
                        x => x.Timestamp.ToUnixTimeMilliseconds(), cancellationToken);
                    break;
                }
                catch (AwsServiceException e) when (e.Condition is AwsCondition.NotFound or AwsCondition.LogStreamNotFound)
                {
                    throw new CruddurException(ErrorIds.LogGroupNotFound, ErrorKind.ObjectNotFound,
                        $"The log group '{query.Group}' does not exist in {region} ({e.ServiceMessage}). The task definition's awslogs options name it; create it with Initialize-CruddurInfrastructure (or aws logs create-log-group --log-group-name {query.Group}), or fix awslogs-group.", e, query.Group);
                }

                any = true;
                yield return events.Current;
            }
        }

        await foreach (var e in instead.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }
}
