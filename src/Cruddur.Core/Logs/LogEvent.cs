namespace Cruddur.Core.Logs;

/// <summary>One line a container wrote, as CloudWatch Logs stored it. Get-CruddurLog's output.</summary>
public sealed class LogEvent
{
    public required DateTimeOffset Time { get; init; }

    public required string Service { get; init; }

    public required string TaskId { get; init; }

    public required string Container { get; init; }

    public required string Message { get; init; }

    public required string LogGroup { get; init; }

    public required string LogStream { get; init; }

    /// <summary>CloudWatch Logs' id of the event, unique in its group: what tells two equal lines at the same millisecond apart.</summary>
    public required string EventId { get; init; }

    public override string ToString() => $"{Time.ToLocalTime():HH:mm:ss.fff} {Container}/{TaskId[..Math.Min(8, TaskId.Length)]} {Message}";
}

/// <summary>An event as FilterLogEvents returns it.</summary>
public sealed record RawLogEvent(string LogStream, string EventId, long Timestamp, string Message);

/// <summary>One FilterLogEvents query: a group, up to 100 stream names, a start time (ms since the epoch, inclusive), a pattern.</summary>
public sealed record LogQuery(string Region, string Group, IReadOnlyList<string> Streams, long? StartTime, string? FilterPattern);

/// <summary>Reads events of a log group in time order, every page (the CloudWatch Logs client implements it).</summary>
public interface ILogEventSource
{
    /// <summary>All events matching <paramref name="query"/>, oldest first, page after page.</summary>
    IAsyncEnumerable<RawLogEvent> FilterAsync(LogQuery query, CancellationToken cancellationToken);
}
