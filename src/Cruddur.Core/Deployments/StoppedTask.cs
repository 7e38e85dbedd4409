using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;
using Cruddur.Core.Logs;

namespace Cruddur.Core.Deployments;

/// <summary>A task of a failed deployment that stopped: why, how each container exited, and the failing container's last lines.</summary>
public sealed class StoppedTask
{
    public required string TaskArn { get; init; }

    public string TaskId => AwsArn.LastSegment(TaskArn);

    public string? StoppedReason { get; init; }

    public string? StopCode { get; init; }

    public required IReadOnlyDictionary<string, int?> ExitCodes { get; init; }

    /// <summary>The container that failed (non-zero exit, failed health check, or the one that could not start).</summary>
    public string? FailingContainer { get; init; }

    /// <summary>Its last log lines (at most 20); empty when it logs nowhere the module can read.</summary>
    public IReadOnlyList<string> LogTail { get; set; } = [];

    public DateTimeOffset? StoppedAt { get; init; }

    public override string ToString() => $"task {TaskId}: {StoppedReason}";

    public const int TailLines = 20;

    /// <summary>The stopped tasks, newest first, with the failing container's log tail read from CloudWatch Logs.</summary>
    internal static async Task<IReadOnlyList<StoppedTask>> ReadAsync(IReadOnlyList<EcsTask> tasks, Func<string, Task<EcsTaskDefinition>> definition,
        ILogEventSource logs, string region, IOperationHost host, CancellationToken cancellationToken)
    {
        var result = new List<StoppedTask>();
        foreach (var task in tasks.OrderByDescending(t => t.StoppedAt ?? t.CreatedAt))
        {
            var containers = task.Containers;
            var failing = containers.FirstOrDefault(c => c.ExitCode is { } code && code != 0 && code != 143)
                ?? containers.FirstOrDefault(c => c.HealthStatus == "UNHEALTHY")
                ?? containers.FirstOrDefault(c => c.Reason is not null);
            var stopped = new StoppedTask
            {
                TaskArn = task.Arn,
                StoppedReason = task.StoppedReason,
                StopCode = task.StopCode,
                StoppedAt = task.StoppedAt,
                ExitCodes = containers.ToDictionary(c => c.Name!, c => c.ExitCode, StringComparer.Ordinal),
                FailingContainer = failing?.Name,
            };
            if (stopped.FailingContainer is { } name)
            {
                try
                {
                    var target = AwsLogsTarget.Of(await definition(task.TaskDefinitionArn!).ConfigureAwait(false), name, region)[0];
                    stopped.LogTail = await Logs.LogTail.ReadAsync(logs, target, stopped.TaskId, TailLines, cancellationToken).ConfigureAwait(false);
                }
                catch (CruddurException e) when (e.ErrorId is ErrorIds.LogNotConfigured or ErrorIds.LogGroupNotFound)
                {
                    host.WriteVerbose($"No log lines for task {stopped.TaskId}: {e.Message}");
                }
            }

            result.Add(stopped);
        }

        return result;
    }
}
