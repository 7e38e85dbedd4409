using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;
using Cruddur.Core.Logs;

namespace Cruddur.Core.Tests.Logs;

/// <summary>FilterLogEvents answers as CloudWatch does when a named stream or the group does not exist.</summary>
public class CloudWatchLogSourceTests
{
    /// <summary>A log group holding some streams; a query naming a stream it lacks is refused whole, like CloudWatch's.</summary>
    private sealed class Logs(bool groupExists, params FilteredLogEvent[] events) : ILogsClient
    {
        public List<IReadOnlyList<string>> Queries { get; } = [];

        public async IAsyncEnumerable<FilteredLogEvent> FilterLogEventsAsync(LogEventQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Queries.Add(query.Streams);
            await Task.Yield();
            if (!groupExists)
            {
                throw new AwsServiceException("logs", "FilterLogEvents", "ResourceNotFoundException", "The specified log group does not exist.", 400);
            }

            if (query.Streams.Any(s => events.All(e => e.LogStream != s)))
            {
                throw new AwsServiceException("logs", "FilterLogEvents", "ResourceNotFoundException", "The specified log stream does not exist.", 400);
            }

            foreach (var e in events.Where(e => query.Streams.Contains(e.LogStream)).OrderBy(e => e.Timestamp))
            {
                yield return e;
            }
        }

        public Task<LogGroup?> FindLogGroupAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> CreateLogGroupAsync(string name, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task PutRetentionPolicyAsync(string name, int days, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private static DateTimeOffset At(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    private static async Task<List<string>> ReadAsync(ILogsClient client, params string[] streams)
    {
        var source = new CloudWatchLogSource(_ => client);
        var lines = new List<string>();
        await foreach (var e in source.FilterAsync("us-east-1", new LogEventQuery("cruddur", streams, null, null), CancellationToken.None))
        {
            lines.Add(e.Message);
        }

        return lines;
    }

    [Fact]
    public async Task A_stream_that_does_not_exist_yet_holds_no_events_and_the_others_are_still_read_in_time_order()
    {
        var logs = new Logs(true, new("a", "1", At(20), "a2"), new("a", "2", At(10), "a1"), new("b", "3", At(15), "b1"));

        Assert.Equal(["a1", "b1", "a2"], await ReadAsync(logs, "a", "new-task", "b"));
        Assert.Equal(["a1", "a2"], await ReadAsync(logs, "a"));
        Assert.Empty(await ReadAsync(logs, "new-task"));
    }

    [Fact]
    public async Task A_missing_log_group_is_LogGroupNotFound_naming_the_group()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => ReadAsync(new Logs(false), "a", "b"));

        Assert.Equal(ErrorIds.LogGroupNotFound, e.ErrorId);
        Assert.Contains("'cruddur'", e.Message);
    }
}
