using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>The values of the ECS API model's enums that service deployments use (DeploymentStrategy,
/// ServiceDeploymentStatus, ServiceDeploymentLifecycleStage, DeploymentLifecycleHookStage and friends).</summary>
public static class Sd
{
    public const string Rolling = "ROLLING";
    public const string BlueGreen = "BLUE_GREEN";
    public const string Linear = "LINEAR";
    public const string Canary = "CANARY";
    public static readonly string[] Strategies = [Rolling, BlueGreen, Linear, Canary];

    public const string Pending = "PENDING";
    public const string InProgress = "IN_PROGRESS";
    public const string Successful = "SUCCESSFUL";
    public const string Stopped = "STOPPED";
    public const string StopRequested = "STOP_REQUESTED";
    public const string RollbackRequested = "ROLLBACK_REQUESTED";
    public const string RollbackInProgress = "ROLLBACK_IN_PROGRESS";
    public const string RollbackSuccessful = "ROLLBACK_SUCCESSFUL";
    public const string RollbackFailed = "ROLLBACK_FAILED";

    public static bool IsStatus(string s) => s is Pending or InProgress or Successful or Stopped or StopRequested
        or RollbackRequested or RollbackInProgress or RollbackSuccessful or RollbackFailed;

    public static bool IsFinished(string status) => status is Successful or Stopped or RollbackSuccessful or RollbackFailed;

    // ServiceDeploymentLifecycleStage (what DescribeServiceDeployments reports).
    public const string ReconcileService = "RECONCILE_SERVICE";
    public const string PreScaleUp = "PRE_SCALE_UP";
    public const string ScaleUp = "SCALE_UP";
    public const string PostScaleUp = "POST_SCALE_UP";
    public const string TestTrafficShift = "TEST_TRAFFIC_SHIFT";
    public const string PostTestTrafficShift = "POST_TEST_TRAFFIC_SHIFT";
    public const string ProductionTrafficShift = "PRODUCTION_TRAFFIC_SHIFT";
    public const string PostProductionTrafficShift = "POST_PRODUCTION_TRAFFIC_SHIFT";
    public const string BakeTime = "BAKE_TIME";
    public const string CleanUp = "CLEAN_UP";

    /// <summary>A hook stage (DeploymentLifecycleHookStage) that the model's ServiceDeploymentLifecycleStage lacks; while its
    /// hooks run the deployment reports PRODUCTION_TRAFFIC_SHIFT, the shift it precedes at every step.</summary>
    public const string PreProductionTrafficShift = "PRE_PRODUCTION_TRAFFIC_SHIFT";

    public static readonly string[] HookStages =
    [
        ReconcileService, PreScaleUp, PostScaleUp, TestTrafficShift, PostTestTrafficShift, PreProductionTrafficShift,
        ProductionTrafficShift, PostProductionTrafficShift,
    ];

    public const string Lambda = "AWS_LAMBDA";
    public const string Pause = "PAUSE";
    public const string Continue = "CONTINUE";
    public const string Rollback = "ROLLBACK";

    // DeploymentLifecycleHookStatus.
    public const string AwaitingAction = "AWAITING_ACTION";
    public const string Succeeded = "SUCCEEDED";
    public const string Failed = "FAILED";
    public const string TimedOut = "TIMED_OUT";

    // ServiceDeploymentRollbackMonitorsStatus.
    public const string Triggered = "TRIGGERED";
    public const string Monitoring = "MONITORING";
    public const string MonitoringComplete = "MONITORING_COMPLETE";
    public const string Disabled = "DISABLED";
}

/// <summary>A service revision: the workload configuration one deployment rolls out, immutable once made.</summary>
public sealed class ServiceRevisionRec
{
    public required string Arn { get; init; }
    public required ServiceRec Service { get; init; }
    public required TaskDefRec TaskDef { get; init; }
    public required JsonArray LoadBalancers { get; init; }
    public required JsonArray ServiceRegistries { get; init; }
    public JsonNode? NetworkConfiguration { get; init; }
    public JsonObject? ServiceConnectConfiguration { get; init; }
    public required string LaunchType { get; init; }
    public double CreatedAt { get; init; }

    /// <summary>Per entry of <see cref="LoadBalancers"/>: the target group this revision's tasks register in. Blue/green
    /// revisions alternate between targetGroupArn and advancedConfiguration.alternateTargetGroupArn.</summary>
    public required List<string?> TargetGroups { get; init; }
}

/// <summary>One run of one lifecycle hook at one stage (a DeploymentLifecycleHookDetail).</summary>
public sealed class HookRun
{
    public required string HookId { get; init; }
    public required string TargetType { get; init; }
    public string? TargetArn { get; init; }
    public required string HookStage { get; init; }
    public JsonNode? HookDetails { get; init; }
    public required string Status { get; set; }
    public required double ExpiresAt { get; init; }
    public required string TimeoutAction { get; init; }
    public double NextInvokeAt { get; set; }

    /// <summary>Why the hook failed (the deployment's statusReason when it rolls back because of it).</summary>
    public string? Reason { get; set; }

    public bool IsOpen => Status is Sd.AwaitingAction or Sd.InProgress;
}

public sealed record RollbackRec(string Reason, double StartedAt, string ServiceRevisionArn);

/// <summary>One ServiceDeployment: made by CreateService and by every UpdateService that starts a deployment.</summary>
public sealed class ServiceDeploymentRec
{
    public required string Arn { get; init; }
    public required ServiceRec Service { get; init; }
    public required string Strategy { get; init; }
    public required JsonObject Configuration { get; init; }
    public required ServiceRevisionRec Target { get; init; }
    public DeploymentRec Deployment { get; set; } = null!;

    /// <summary>The revisions running when the deployment started, with their deployments.</summary>
    public required List<DeploymentRec> Sources { get; init; }

    /// <summary>The service's desiredCount when the deployment started (the circuit breaker's threshold is half of it).</summary>
    public int RequestedCount { get; init; }

    public double CreatedAt { get; init; }
    public double? StartedAt { get; set; }
    public double? FinishedAt { get; set; }
    public double? StoppedAt { get; set; }
    public double UpdatedAt { get; set; }
    public string Status { get; set; } = Sd.Pending;
    public string? StatusReason { get; set; }
    public string? LifecycleStage { get; set; }
    public RollbackRec? Rollback { get; set; }
    public bool CircuitBreakerTriggered { get; set; }

    /// <summary>The hooks of the stage that ran hooks last; a new hook stage replaces them.</summary>
    public List<HookRun> Hooks { get; set; } = [];

    /// <summary>The blue/green, linear or canary state machine; null for ROLLING.</summary>
    public BlueGreenRun? Run { get; set; }

    /// <summary>Task counts of target and sources frozen when the deployment finished (ECS reports them as of then).</summary>
    public Dictionary<DeploymentRec, (int Requested, int Running, int Pending)>? FinalCounts { get; set; }

    public void SetStatus(string status, string? reason = null)
    {
        Status = status;
        StatusReason = reason ?? StatusReason;
        UpdatedAt = SimState.Now;
        if (status is Sd.InProgress && StartedAt is null)
        {
            StartedAt = UpdatedAt;
        }
    }
}

/// <summary>A service's service deployments, oldest first.</summary>
public sealed class ServiceHistory
{
    public List<ServiceDeploymentRec> Deployments { get; } = [];

    public ServiceDeploymentRec? Current => Deployments.Count == 0 ? null : Deployments[^1];
}
