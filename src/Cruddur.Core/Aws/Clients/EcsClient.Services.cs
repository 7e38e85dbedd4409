using System.Text.Json.Nodes;
using static Cruddur.Core.Aws.AwsJson;

namespace Cruddur.Core.Aws.Clients;

/// <summary>
/// A Deployment of a service (its deployments[]): PRIMARY, ACTIVE or INACTIVE, the task definition it rolls out, its
/// rollout state (IN_PROGRESS, COMPLETED, FAILED) and its task counts.
/// </summary>
internal sealed record EcsDeployment(string? Id, string? Status, string? TaskDefinition, string? RolloutState, string? RolloutStateReason,
    int DesiredCount, int RunningCount, int PendingCount, int FailedTasks, DateTimeOffset? CreatedAt);

/// <summary>A ServiceEvent: what ECS said about the service, and when.</summary>
internal sealed record EcsServiceEvent(string? Id, DateTimeOffset? CreatedAt, string? Message);

/// <summary>
/// A Service (DescribeServices, CreateService, UpdateService): its status and counts, the task definition it runs, its
/// deployments, its events (newest first) and how its tasks run. <see cref="LoadBalancers"/>,
/// <see cref="NetworkConfiguration"/>, <see cref="DeploymentConfiguration"/> and <see cref="CapacityProviderStrategy"/>
/// stay ECS's JSON: they go back to ECS (RunTask takes the network configuration and capacity provider strategy as they
/// are, UpdateService a copy of the deploymentConfiguration with the strategy changed), and the code that reads them reads
/// the same parts of a service definition file.
/// </summary>
internal sealed record EcsService(string? Name, string? Status, string? TaskDefinition, int DesiredCount, int RunningCount, int PendingCount,
    bool EnableExecuteCommand, string? LaunchType, string? PlatformVersion, string? CurrentServiceDeployment,
    IReadOnlyList<EcsDeployment> Deployments, IReadOnlyList<EcsServiceEvent> Events,
    JsonArray? LoadBalancers, JsonObject? NetworkConfiguration, JsonObject? DeploymentConfiguration, JsonArray? CapacityProviderStrategy);

internal sealed partial class EcsClient
{
    /// <summary>One Service of an answer (internal: tests feed scripted answers through it).</summary>
    internal static EcsService Service(JsonObject s)
    {
        Check(s, ServiceShape);
        return new(
            OptionalText(s, "serviceName"), OptionalText(s, "status"), OptionalText(s, "taskDefinition"),
            OptionalInt(s, "desiredCount") ?? 0, OptionalInt(s, "runningCount") ?? 0, OptionalInt(s, "pendingCount") ?? 0,
            OptionalBool(s, "enableExecuteCommand") ?? false, OptionalText(s, "launchType"), OptionalText(s, "platformVersion"),
            OptionalText(s, "currentServiceDeployment"),
            Objects(s, "deployments").Select(d => new EcsDeployment(
                OptionalText(d, "id"), OptionalText(d, "status"), OptionalText(d, "taskDefinition"), OptionalText(d, "rolloutState"),
                OptionalText(d, "rolloutStateReason"), OptionalInt(d, "desiredCount") ?? 0, OptionalInt(d, "runningCount") ?? 0,
                OptionalInt(d, "pendingCount") ?? 0, OptionalInt(d, "failedTasks") ?? 0, AwsTime.Parse(d["createdAt"]))).ToList(),
            Objects(s, "events").Select(e => new EcsServiceEvent(OptionalText(e, "id"), AwsTime.Parse(e["createdAt"]), OptionalText(e, "message"))).ToList(),
            OptionalArray(s, "loadBalancers"), OptionalObject(s, "networkConfiguration"), OptionalObject(s, "deploymentConfiguration"),
            OptionalArray(s, "capacityProviderStrategy"));
    }

    /// <summary>The services of a DescribeServices answer (internal: tests feed scripted answers through it).</summary>
    internal static IReadOnlyList<EcsService> ReadServices(JsonObject answer) => Objects(answer, "services").Select(Service).ToList();

    private static EcsService ReadService(JsonObject answer) => Service(OptionalObject(answer, "service") ?? throw new FormatException("'service' is missing"));
}
