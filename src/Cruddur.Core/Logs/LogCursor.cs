using Cruddur.Core.Aws.Clients;

namespace Cruddur.Core.Logs;

/// <summary>
/// Remembers what a follow has emitted so that no line is shown twice and none is skipped: each poll asks again from a
/// little before the newest timestamp seen (events with equal timestamps, and events CloudWatch stores late, arrive again),
/// and the ids already emitted inside that window are dropped.
/// </summary>
internal sealed class LogCursor(TimeSpan lookback)
{
    private readonly Dictionary<(string Stream, string Id), long> _seen = [];
    private long? _newest;

    /// <summary>Where the next poll starts (ms since the epoch): the window before the newest event, never before <paramref name="since"/>.</summary>
    public long? StartTime(long? since) =>
        _newest is { } newest ? Math.Max(since ?? 0, newest - (long)lookback.TotalMilliseconds) : since;

    /// <summary>True the first time an event is offered.</summary>
    public bool Accept(FilteredLogEvent e)
    {
        var time = e.Timestamp.ToUnixTimeMilliseconds();
        if (!_seen.TryAdd((e.LogStream, e.EventId), time))
        {
            return false;
        }

        if (_newest is null || time > _newest)
        {
            _newest = time;
        }

        return true;
    }

    /// <summary>Forgets ids older than the window: they cannot be returned again.</summary>
    public void Prune()
    {
        if (_newest is not { } newest)
        {
            return;
        }

        var horizon = newest - (long)lookback.TotalMilliseconds;
        foreach (var key in _seen.Where(kv => kv.Value < horizon).Select(kv => kv.Key).ToList())
        {
            _seen.Remove(key);
        }
    }

    public int Remembered => _seen.Count;
}
