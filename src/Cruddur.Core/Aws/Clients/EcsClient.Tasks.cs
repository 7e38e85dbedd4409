using System.Text.Json.Nodes;
using static Cruddur.Core.Aws.AwsJson;

namespace Cruddur.Core.Aws.Clients;

/// <summary>A ManagedAgent of a container (ExecuteCommandAgent for ECS Exec): its status and why it stopped.</summary>
internal sealed record EcsManagedAgent(string Name, string? LastStatus, string? Reason);

/// <summary>A Container of a task: how it runs or ended (exit code, reason, health) and its runtime id (for ECS Exec).</summary>
internal sealed record EcsContainer(string? Name, string? Image, string? LastStatus, string? HealthStatus, int? ExitCode, string? Reason, string? RuntimeId,
    IReadOnlyList<EcsManagedAgent> ManagedAgents);

/// <summary>
/// A Task (DescribeTasks, RunTask): its status, how it was started (group "service:NAME", launch type, platform, ECS Exec),
/// why it stopped, its containers, its ENI's private IPv4 address and the task role it was given instead of the definition's.
/// </summary>
internal sealed record EcsTask(string Arn, string? TaskDefinitionArn, string? LastStatus, string? DesiredStatus, string? HealthStatus, string? Group,
    string? LaunchType, string? PlatformVersion, string? PlatformFamily, bool EnableExecuteCommand, string? StopCode, string? StoppedReason,
    DateTimeOffset? CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? StoppedAt, IReadOnlyList<EcsContainer> Containers,
    string? PrivateIpv4Address, string? OverrideTaskRoleArn, string? StartedBy)
{
    public string Id => AwsArn.LastSegment(Arn);
}

internal sealed partial class EcsClient
{
    /// <summary>One Task of an answer (internal: tests feed scripted answers through it).</summary>
    internal static EcsTask Task(JsonObject t)
    {
        Check(t, TaskShape);
        return new(
            Text(t, "taskArn"), OptionalText(t, "taskDefinitionArn"), OptionalText(t, "lastStatus"), OptionalText(t, "desiredStatus"),
            OptionalText(t, "healthStatus"), OptionalText(t, "group"), OptionalText(t, "launchType"), OptionalText(t, "platformVersion"),
            OptionalText(t, "platformFamily"), OptionalBool(t, "enableExecuteCommand") ?? false, OptionalText(t, "stopCode"), OptionalText(t, "stoppedReason"),
            AwsTime.Parse(t["createdAt"]), AwsTime.Parse(t["startedAt"]), AwsTime.Parse(t["stoppedAt"]),
            Objects(t, "containers").Select(c => new EcsContainer(
                OptionalText(c, "name"), OptionalText(c, "image"), OptionalText(c, "lastStatus"), OptionalText(c, "healthStatus"), OptionalInt(c, "exitCode"),
                OptionalText(c, "reason"), OptionalText(c, "runtimeId"),
                Objects(c, "managedAgents").Select(a => new EcsManagedAgent(Text(a, "name"), OptionalText(a, "lastStatus"), OptionalText(a, "reason"))).ToList())).ToList(),
            Objects(t, "attachments").SelectMany(a => Objects(a, "details"))
                .Where(d => OptionalText(d, "name") == "privateIPv4Address").Select(d => OptionalText(d, "value")).FirstOrDefault(v => v is not null),
            OptionalText(OptionalObject(t, "overrides"), "taskRoleArn"), OptionalText(t, "startedBy"));
    }
}
