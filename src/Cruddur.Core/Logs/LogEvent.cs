using Cruddur.Core.Aws.Clients;

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

    /// <summary>True for a one-off task Invoke-CruddurTask ran from the service (its streams share the service's group and prefix).</summary>
    public bool OneOff { get; init; }

    public override string ToString() => $"{Time.ToLocalTime():HH:mm:ss.fff} {Container}/{TaskId[..Math.Min(8, TaskId.Length)]} {(OneOff ? "(one-off) " : string.Empty)}{Message}";
}

/// <summary>Reads events of a log group in time order, every page, in the region the awslogs options name.</summary>
internal interface ILogEventSource
{
    IAsyncEnumerable<FilteredLogEvent> FilterAsync(string region, LogEventQuery query, CancellationToken cancellationToken);
}
