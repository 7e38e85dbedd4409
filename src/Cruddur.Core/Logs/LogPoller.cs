using Cruddur.Core.Aws.Clients;

namespace Cruddur.Core.Logs;

/// <summary>One stream to read and what its lines belong to; <paramref name="OneOff"/>: a task Invoke-CruddurTask ran from the service.</summary>
internal sealed record LogStreamRef(string Region, string Group, string Stream, string Service, string TaskId, string Container, long? NotBefore, bool OneOff = false);

/// <summary>
/// Reads a changing set of log streams poll after poll: all of a poll's queries merged in time order, every page, and (for a
/// follow) each event once. A stream added later is read from its own start, not from where the others are.
/// </summary>
internal sealed class LogPoller(ILogEventSource source, string? filterPattern, long? since, bool dedupe)
{
    /// <summary>How far back each poll looks again for events that were stored late or share the newest millisecond.</summary>
    public static readonly TimeSpan Lookback = TimeSpan.FromSeconds(5);

    private const int StreamsPerQuery = 100; // FilterLogEvents' limit for logStreamNames
    private readonly LogCursor _cursor = new(Lookback);
    private readonly Dictionary<(string Region, string Group, string Stream), LogStreamRef> _streams = [];
    private readonly HashSet<(string, string, string)> _fresh = [];

    public int Count => _streams.Count;

    /// <summary>Adds a stream; false when it is known already.</summary>
    public bool Add(LogStreamRef s)
    {
        var key = (s.Region, s.Group, s.Stream);
        if (!_streams.TryAdd(key, s))
        {
            return false;
        }

        _fresh.Add(key);
        return true;
    }

    /// <summary>Reads what is new and hands it to <paramref name="emit"/> in time order; returns how many events it handed over.</summary>
    public async Task<int> PollAsync(Action<LogEvent> emit, CancellationToken cancellationToken)
    {
        var start = dedupe ? _cursor.StartTime(since) : since;
        var queries = new List<(string Region, LogEventQuery Query)>();
        foreach (var group in _streams.GroupBy(kv => (kv.Key.Region, kv.Key.Group)))
        {
            foreach (var fresh in group.GroupBy(kv => _fresh.Contains(kv.Key)))
            {
                foreach (var chunk in fresh.Chunk(StreamsPerQuery))
                {
                    var from = fresh.Key ? since ?? chunk.Min(kv => kv.Value.NotBefore) : start;
                    queries.Add((group.Key.Region, new LogEventQuery(group.Key.Group, chunk.Select(kv => kv.Key.Stream).ToList(), from is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null, filterPattern)));
                }
            }
        }

        _fresh.Clear();
        var count = 0;
        var sources = queries.Select(q => Tagged(q.Region, q.Query.Group, source.FilterAsync(q.Region, q.Query, cancellationToken), cancellationToken)).ToList();
        if (sources.Count == 0)
        {
            return 0;
        }

        await foreach (var (region, group, e) in LogMerge.MergeAsync(sources, x => x.Event.Timestamp.ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false))
        {
            if (dedupe && !_cursor.Accept(e))
            {
                continue;
            }

            var s = _streams[(region, group, e.LogStream)];
            emit(new LogEvent
            {
                Time = e.Timestamp,
                Service = s.Service,
                TaskId = s.TaskId,
                Container = s.Container,
                Message = e.Message,
                LogGroup = s.Group,
                LogStream = s.Stream,
                EventId = e.EventId,
                OneOff = s.OneOff,
            });
            count++;
            if (dedupe && count % 10_000 == 0)
            {
                _cursor.Prune();
            }
        }

        _cursor.Prune();
        return count;
    }

    private static async IAsyncEnumerable<(string Region, string Group, FilteredLogEvent Event)> Tagged(string region, string group, IAsyncEnumerable<FilteredLogEvent> events,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var e in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return (region, group, e);
        }
    }
}
