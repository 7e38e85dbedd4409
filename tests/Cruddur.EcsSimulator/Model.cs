using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>An ECS API error: HTTP 400 (or the given status) with a JSON body {"__type","message"}.</summary>
public sealed class EcsError(string type, string message, int status = 400) : Exception(message)
{
    public string Type { get; } = type;
    public int Status { get; } = status;

    public static EcsError ClusterNotFound() => new("ClusterNotFoundException", "Cluster not found.");
    public static EcsError ServiceNotFound() => new("ServiceNotFoundException", "Service not found.");
    public static EcsError ServiceNotActive() => new("ServiceNotActiveException", "Service was not ACTIVE.");
    public static EcsError InvalidParameter(string message) => new("InvalidParameterException", message);
    public static EcsError Client(string message) => new("ClientException", message);
}

public static class Scenarios
{
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";
    public const string Crash = "crash";
    public const string Slow = "slow";
    public const string EnvName = "CRUDDUR_SIM_SCENARIO";

    public const string ExitAfterPrefix = "exit-after:";

    public static bool IsValid(string? s) => s is Healthy or Unhealthy or Crash or Slow || ExitAfter(s) is not null;

    /// <summary>N of "exit-after:N": the task runs (healthy, if it has a health check) for N seconds at scale 1.0, then its
    /// essential container exits 1. Null for any other scenario.</summary>
    public static double? ExitAfter(string? s) =>
        s is not null && s.StartsWith(ExitAfterPrefix, StringComparison.Ordinal)
        && double.TryParse(s[ExitAfterPrefix.Length..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var n)
        && n >= 0 && double.IsFinite(n) ? n : null;
}

public static class Status
{
    public const string Provisioning = "PROVISIONING";
    public const string Pending = "PENDING";
    public const string Running = "RUNNING";
    public const string Stopping = "STOPPING";
    public const string Deprovisioning = "DEPROVISIONING";
    public const string Stopped = "STOPPED";
}

public sealed class ClusterRec
{
    public required string Region { get; init; }
    public required string Name { get; init; }
    public required string Arn { get; init; }
    public string Status { get; set; } = "ACTIVE";
    public JsonArray Settings { get; set; } = [];
    public JsonObject? ServiceConnectDefaults { get; set; }
    public JsonArray CapacityProviders { get; set; } = [];
    public JsonArray DefaultCapacityProviderStrategy { get; set; } = [];
    public JsonObject? Configuration { get; set; }
}

public sealed class TaskDefRec
{
    public required string Region { get; init; }
    public required string Family { get; init; }
    public required int Revision { get; init; }
    public required string Arn { get; init; }
    public required JsonObject Body { get; init; }
    public string Status { get; set; } = "ACTIVE";

    public IEnumerable<JsonObject> Containers =>
        (Body["containerDefinitions"] as JsonArray ?? []).OfType<JsonObject>();

    /// <summary>The CRUDDUR_SIM_SCENARIO value of any container's environment, if present.</summary>
    public string? Scenario
    {
        get
        {
            foreach (var c in Containers)
            {
                foreach (var e in (c["environment"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    if (Json.Str(e, "name") == Scenarios.EnvName)
                    {
                        return Json.Str(e, "value")?.Trim().ToLowerInvariant();
                    }
                }
            }
            return null;
        }
    }
}

public sealed class DeploymentRec
{
    public required string Id { get; init; }

    /// <summary>The tasks of this deployment the state still holds (kept by SimState.NewTask and ForgetTask).</summary>
    public List<TaskRec> Tasks { get; } = [];
    public string Status { get; set; } = "PRIMARY";
    public required TaskDefRec TaskDef { get; init; }
    public int DesiredCount { get; set; }
    public int FailedTasks { get; set; }
    public double CreatedAt { get; init; }
    public double UpdatedAt { get; set; }
    public string LaunchType { get; init; } = "FARGATE";
    public string PlatformVersion { get; init; } = "1.4.0";
    public JsonNode? NetworkConfiguration { get; init; }
    public JsonObject? ServiceConnectConfiguration { get; init; }
    public string RolloutState { get; set; } = "IN_PROGRESS";
    public string RolloutStateReason { get; set; } = "";
    public required ServiceRevisionRec Revision { get; init; }

    /// <summary>The ServiceDeployment this deployment belongs to (a circuit-breaker rollback shares its failed deployment's).</summary>
    public ServiceDeploymentRec? ServiceDeployment { get; set; }
}

public sealed class ServiceEventRec
{
    public required string Id { get; init; }
    public required double CreatedAt { get; init; }
    public required string Message { get; init; }
}

public sealed class ServiceRec
{
    public required string Region { get; init; }
    public required string Name { get; init; }
    public required string Arn { get; init; }
    public required ClusterRec Cluster { get; init; }

    /// <summary>The tasks of this service the state still holds, oldest first (kept by SimState.NewTask and ForgetTask): a tick
    /// reconciles every service, and a scan of all tasks per service made a thousand services a million comparisons a tick.</summary>
    public List<TaskRec> Tasks { get; } = [];
    public string Status { get; set; } = "ACTIVE";
    public int DesiredCount { get; set; }
    public string LaunchType { get; init; } = "FARGATE";
    public string PlatformVersion { get; set; } = "LATEST";
    public JsonObject DeploymentConfiguration { get; set; } = [];
    public JsonNode? NetworkConfiguration { get; set; }
    public JsonArray LoadBalancers { get; set; } = [];
    public JsonArray ServiceRegistries { get; set; } = [];
    public JsonObject? ServiceConnectConfiguration { get; set; }
    public bool EnableExecuteCommand { get; set; }
    public bool EnableEcsManagedTags { get; set; }
    public string PropagateTags { get; set; } = "NONE";
    public int? HealthCheckGracePeriodSeconds { get; set; }
    public string SchedulingStrategy { get; init; } = "REPLICA";
    public JsonArray PlacementConstraints { get; set; } = [];
    public JsonArray PlacementStrategy { get; set; } = [];
    public double CreatedAt { get; init; }
    public List<DeploymentRec> Deployments { get; } = [];
    public List<ServiceEventRec> Events { get; } = [];
    /// <summary>The deployment that last completed: what a rollback returns to.</summary>
    public DeploymentRec? LastCompleted { get; set; }
    public ServiceHistory History { get; } = new();
    public double NextLaunchAllowedAt { get; set; }

    public bool CircuitBreakerEnabled =>
        DeploymentConfiguration["deploymentCircuitBreaker"] is JsonObject cb && Json.Bool(cb, "enable") == true;

    public bool CircuitBreakerRollback =>
        DeploymentConfiguration["deploymentCircuitBreaker"] is JsonObject cb && Json.Bool(cb, "rollback") == true;

    /// <summary>deploymentConfiguration.strategy; ROLLING when unset, as ECS defaults it.</summary>
    public string Strategy => Json.Str(DeploymentConfiguration, "strategy") ?? Sd.Rolling;
}

public sealed class ContainerRec
{
    public required string Name { get; init; }
    public required string Arn { get; init; }
    public required string Image { get; init; }
    public required string RuntimeId { get; init; }
    public bool Essential { get; init; } = true;
    public bool HasHealthCheck { get; init; }
    /// <summary>Runs its entryPoint/command as a real process (else the stand-in server).</summary>
    public bool RunsCommand { get; set; }
    /// <summary>Its health check runs for real (it runs a command and has a CMD/CMD-SHELL check); else the scenario decides.</summary>
    public bool HealthCheckRuns { get; set; }
    /// <summary>Has reached RUNNING once (dependsOn START).</summary>
    public bool StartedRunning { get; set; }
    public string LastStatus { get; set; } = Status.Pending;
    public string HealthStatus { get; set; } = "UNKNOWN";
    public int? ExitCode { get; set; }
    public string? Reason { get; set; }
    public double? AgentStartedAt { get; set; }
    public string? Cpu { get; init; }
    public string? Memory { get; init; }
}

public enum TaskPhase { Provisioning, Pending, Running, HealthCheck, Crash, Stopping, Deprovisioning, Stopped }

public sealed class TaskRec
{
    public required string Region { get; init; }
    public required string Id { get; init; }
    public required string Arn { get; init; }
    public required ClusterRec Cluster { get; init; }
    public required TaskDefRec TaskDef { get; init; }
    public ServiceRec? Service { get; init; }
    public DeploymentRec? Deployment { get; init; }
    public string? StartedBy { get; init; }
    public required string Group { get; init; }
    public required string Scenario { get; init; }
    public string LaunchType { get; init; } = "FARGATE";
    public string PlatformVersion { get; init; } = "1.4.0";
    public bool EnableExecuteCommand { get; init; }
    public bool HealthTracked { get; init; }
    public required string PrivateIp { get; init; }
    public required string EniId { get; init; }
    public string? SubnetId { get; init; }
    public required string AttachmentId { get; init; }
    public string LastStatus { get; set; } = Status.Provisioning;
    public string DesiredStatus { get; set; } = Status.Running;
    public string HealthStatus { get; set; } = "UNKNOWN";
    public double CreatedAt { get; init; }
    public double? PullStartedAt { get; set; }
    public double? PullStoppedAt { get; set; }
    public double? StartedAt { get; set; }
    public double? ConnectivityAt { get; set; }
    public double? StoppingAt { get; set; }
    public double? ExecutionStoppedAt { get; set; }
    public double? StoppedAt { get; set; }
    public string? StopCode { get; set; }
    public string? StoppedReason { get; set; }
    public List<ContainerRec> Containers { get; } = [];
    public TaskPhase Phase { get; set; } = TaskPhase.Provisioning;
    public double NextAt { get; set; }
    public long Version { get; set; } = 1;
    public JsonObject? Overrides { get; init; }

    /// <summary>ECS's launch look-ups (LaunchChecks), started when the task is first due to start.</summary>
    public Task<LaunchFailure?>? LaunchCheck { get; set; }

    /// <summary>Wanted and started: counts toward runningCount.</summary>
    public bool IsRunning => LastStatus == Status.Running && DesiredStatus == Status.Running;

    public bool IsPending => DesiredStatus == Status.Running && LastStatus is Status.Provisioning or Status.Pending;

    /// <summary>Running and (if health is tracked) HEALTHY: the scheduler may stop an old task for it.</summary>
    public bool IsReady => IsRunning && (!HealthTracked || HealthStatus == "HEALTHY");

    public bool IsLive => DesiredStatus == Status.Running;
}

public sealed class Fault
{
    public required string Kind { get; init; }
    public int Remaining { get; set; }
}

public sealed class ExecSession
{
    public required string SessionId { get; init; }
    public required string TaskArn { get; init; }
    public required string Container { get; init; }
    public required string Command { get; init; }
    public required double CreatedAt { get; init; }
}
