using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Logs;

namespace Cruddur.Core.Tests.Logs;

/// <summary>Reading streams poll after poll over an in-memory log group that behaves like FilterLogEvents (inclusive start, pages).</summary>
public class LogPollerTests
{
    /// <summary>A log group in memory: events per stream, filtered by start time, returned interleaved in pages of <see cref="PageSize"/>.</summary>
    private sealed class MemoryLogs : ILogEventSource
    {
        private readonly List<FilteredLogEvent> _events = [];
        private int _nextId;

        public int PageSize { get; init; } = 3;

        public int Pages { get; private set; }

        public void Put(string stream, long timestamp, string message) => _events.Add(new FilteredLogEvent(stream, (_nextId++).ToString(System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.FromUnixTimeMilliseconds(timestamp), message));

        public async IAsyncEnumerable<FilteredLogEvent> FilterAsync(string region, LogEventQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var matching = _events.Where(e => query.Streams.Contains(e.LogStream) && e.Timestamp >= (query.StartTime ?? DateTimeOffset.UnixEpoch)).OrderBy(e => e.Timestamp).ToList();
            foreach (var page in matching.Chunk(PageSize))
            {
                Pages++;
                await Task.Yield();
                foreach (var e in page)
                {
                    yield return e;
                }
            }
        }
    }

    private static LogStreamRef Stream(string name, long? notBefore = null) => new("us-east-1", "cruddur", name, "backend-flask", name, "backend-flask", notBefore);

    private static async Task<List<string>> PollAsync(LogPoller poller)
    {
        var lines = new List<string>();
        await poller.PollAsync(e => lines.Add(e.Message), CancellationToken.None);
        return lines;
    }

    [Fact]
    public async Task Streams_of_two_log_groups_are_two_queries_merged_in_time_order()
    {
        // The app logs to the service's group, its sidecar to another: each query answers in its own order; the poll merges them.
        var logs = new MemoryLogs { PageSize = 2 };
        logs.Put("app", 10, "app1");
        logs.Put("sidecar", 5, "x1");
        logs.Put("app", 20, "app2");
        logs.Put("sidecar", 15, "x2");
        logs.Put("sidecar", 30, "x3");
        logs.Put("app", 25, "app3");
        var poller = new LogPoller(logs, null, null, dedupe: false);
        poller.Add(Stream("app"));
        poller.Add(new LogStreamRef("us-east-1", "xray", "sidecar", "backend-flask", "t1", "xray", null));

        Assert.Equal(["x1", "app1", "x2", "app2", "app3", "x3"], await PollAsync(poller));
    }

    [Fact]
    public async Task A_stream_added_while_following_is_its_own_query_and_merged_in_time_order_with_the_others()
    {
        var logs = new MemoryLogs { PageSize = 2 };
        logs.Put("old", 100, "old1");
        var poller = new LogPoller(logs, null, null, dedupe: true);
        poller.Add(Stream("old"));
        Assert.Equal(["old1"], await PollAsync(poller));

        logs.Put("new", 90, "new1");
        logs.Put("old", 110, "old2");
        logs.Put("new", 105, "new2");
        logs.Put("old", 120, "old3");
        logs.Put("new", 115, "new3");
        poller.Add(Stream("new", notBefore: 0)); // read from its own start, the old one from where it was

        Assert.Equal(["new1", "new2", "old2", "new3", "old3"], await PollAsync(poller));
    }

    [Fact]
    public async Task Streams_are_merged_in_time_order_across_pages()
    {
        var logs = new MemoryLogs { PageSize = 2 };
        logs.Put("a", 10, "a1");
        logs.Put("b", 5, "b1");
        logs.Put("a", 20, "a2");
        logs.Put("b", 15, "b2");
        logs.Put("b", 30, "b3");
        var poller = new LogPoller(logs, null, null, dedupe: false);
        poller.Add(Stream("a"));
        poller.Add(Stream("b"));

        Assert.Equal(["b1", "a1", "b2", "a2", "b3"], await PollAsync(poller));
        Assert.Equal(3, logs.Pages);
    }

    [Fact]
    public async Task Following_shows_each_line_once_even_with_equal_timestamps_across_polls()
    {
        var logs = new MemoryLogs();
        logs.Put("a", 100, "first");
        logs.Put("a", 100, "second, same millisecond");
        var poller = new LogPoller(logs, null, null, dedupe: true);
        poller.Add(Stream("a"));

        Assert.Equal(["first", "second, same millisecond"], await PollAsync(poller));
        logs.Put("a", 100, "third, still the same millisecond");
        logs.Put("a", 101, "fourth");
        Assert.Equal(["third, still the same millisecond", "fourth"], await PollAsync(poller));
        Assert.Empty(await PollAsync(poller));
        logs.Put("a", 99, "stored late, older than the newest");
        Assert.Equal(["stored late, older than the newest"], await PollAsync(poller));
    }

    [Fact]
    public async Task A_stream_added_later_is_read_from_its_own_start()
    {
        var logs = new MemoryLogs();
        var hour = (long)TimeSpan.FromHours(1).TotalMilliseconds;
        logs.Put("a", 10 * hour, "a at 10h");
        var poller = new LogPoller(logs, null, null, dedupe: true);
        poller.Add(Stream("a"));
        Assert.Equal(["a at 10h"], await PollAsync(poller));

        // A task that started an hour earlier but was found only now: its early lines are older than the lookback window.
        logs.Put("b", 9 * hour, "b at 9h");
        Assert.True(poller.Add(Stream("b", notBefore: 9 * hour)));
        Assert.False(poller.Add(Stream("b", notBefore: 9 * hour)));
        Assert.Equal(["b at 9h"], await PollAsync(poller));
        Assert.Empty(await PollAsync(poller));
    }

    [Fact]
    public void The_cursor_forgets_ids_outside_the_window_and_restarts_inside_it()
    {
        var cursor = new LogCursor(TimeSpan.FromSeconds(5));
        Assert.Equal(1234, cursor.StartTime(1234));
        Assert.True(cursor.Accept(new FilteredLogEvent("a", "1", DateTimeOffset.FromUnixTimeMilliseconds(1_000), "x")));
        Assert.False(cursor.Accept(new FilteredLogEvent("a", "1", DateTimeOffset.FromUnixTimeMilliseconds(1_000), "x")));
        Assert.True(cursor.Accept(new FilteredLogEvent("b", "1", DateTimeOffset.FromUnixTimeMilliseconds(1_000), "same id, other stream")));
        Assert.True(cursor.Accept(new FilteredLogEvent("a", "2", DateTimeOffset.FromUnixTimeMilliseconds(20_000), "y")));
        Assert.Equal(15_000, cursor.StartTime(null));
        cursor.Prune();
        Assert.Equal(1, cursor.Remembered);
    }
}
