using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
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
    internal static async Task<IReadOnlyList<StoppedTask>> ReadAsync(IReadOnlyList<JsonObject> tasks, Func<string, Task<JsonObject>> definition,
        ILogEventSource logs, string region, IOperationHost host, CancellationToken cancellationToken)
    {
        var result = new List<StoppedTask>();
        foreach (var task in tasks.OrderByDescending(t => AwsTime.Parse(t["stoppedAt"]) ?? AwsTime.Parse(t["createdAt"])))
        {
            var containers = (task["containers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            var failing = containers.FirstOrDefault(c => (int?)c["exitCode"] is { } code && code != 0 && code != 143)
                ?? containers.FirstOrDefault(c => (string?)c["healthStatus"] == "UNHEALTHY")
                ?? containers.FirstOrDefault(c => (string?)c["reason"] is not null);
            var stopped = new StoppedTask
            {
                TaskArn = (string)task["taskArn"]!,
                StoppedReason = (string?)task["stoppedReason"],
                StopCode = (string?)task["stopCode"],
                StoppedAt = AwsTime.Parse(task["stoppedAt"]),
                ExitCodes = containers.ToDictionary(c => (string)c["name"]!, c => (int?)c["exitCode"], StringComparer.Ordinal),
                FailingContainer = (string?)failing?["name"],
            };
            if (stopped.FailingContainer is { } name)
            {
                try
                {
                    var target = AwsLogsTarget.Of(await definition((string)task["taskDefinitionArn"]!).ConfigureAwait(false), name, region)[0];
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
