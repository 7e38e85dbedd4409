namespace Cruddur.Core.Tasks;

/// <summary>A one-off task's outcome: Invoke-CruddurTask's output. Get-CruddurLog binds Cluster, Service and TaskId from it.</summary>
public sealed class TaskResult
{
    public required string Cluster { get; init; }

    public required string Service { get; init; }

    public required string TaskArn { get; init; }

    public string TaskId => Aws.AwsArn.LastSegment(TaskArn);

    public required string TaskDefinitionArn { get; init; }

    /// <summary>The container whose exit code decides success.</summary>
    public required string Container { get; init; }

    public string LastStatus { get; set; } = "PROVISIONING";

    /// <summary>The chosen container's exit code; null while it runs or when it never started.</summary>
    public int? ExitCode => ExitCodes.TryGetValue(Container, out var code) ? code : null;

    public IReadOnlyDictionary<string, int?> ExitCodes { get; set; } = new Dictionary<string, int?>();

    public string? StoppedReason { get; set; }

    public string? StopCode { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? StoppedAt { get; set; }

    /// <summary>From RunTask to STOPPED (or to the end of the wait).</summary>
    public TimeSpan Duration { get; set; }

    /// <summary>The last lines the chosen container wrote (at most 20).</summary>
    public IReadOnlyList<string> Logs { get; set; } = [];

    public bool Started => StartedAt is not null;

    /// <summary>Whether the wait ended because -Timeout passed (the task still runs).</summary>
    public bool TimedOut { get; set; }

    public override string ToString() => $"{Cluster}/{Service} task {TaskId} {LastStatus} exit {ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}";
}
