using Cruddur.Core.Aws;

namespace Cruddur.Core.Deployments;

/// <summary>How a deployment ended, as far as the cmdlet saw it.</summary>
public enum DeploymentOutcome
{
    /// <summary>Started; not watched (-NoWait).</summary>
    Started,

    /// <summary>Our deployment is PRIMARY and COMPLETED.</summary>
    Succeeded,

    /// <summary>Our deployment failed; nothing was rolled back (no previous revision, or -NoRollback).</summary>
    Failed,

    /// <summary>Our deployment failed and ECS's circuit breaker rolled the service back.</summary>
    RolledBackByEcs,

    /// <summary>Our deployment failed and the cmdlet rolled the service back to the previous revision.</summary>
    RolledBack,

    /// <summary>Our deployment failed and the cmdlet's rollback to the previous revision failed as well.</summary>
    RollbackFailed,

    /// <summary>Our deployment failed and the cmdlet's rollback was still running when -RollbackTimeout passed.</summary>
    RollbackTimedOut,

    /// <summary>The watch could not read the service's state (ECS failed or answered nonsense); the rollout continues in ECS.</summary>
    Unknown,

    /// <summary>The deployment waits at a PAUSE lifecycle hook for approval (Resume-CruddurDeployment continues or rolls it back).</summary>
    Paused,

    /// <summary>The watch returned at the point -WaitUntil named (traffic shifted, or a lifecycle stage); ECS carries on with the rest.</summary>
    Reached,
}

/// <summary>How an undo went back: by stopping the deployment under way (traffic back to blue), or by deploying the last good revision.</summary>
public enum UndoMethod
{
    /// <summary>StopServiceDeployment with ROLLBACK: the blue/green (linear, canary) deployment or its bake was still running.</summary>
    StoppedDeployment,

    /// <summary>UpdateService to the last revision that completed a deployment (or -TaskDefinition).</summary>
    Redeployed,
}

/// <summary>
/// One service's deployment: what was rolled out, from what, and how it went. Connect-CruddurTask binds
/// <see cref="Cluster"/> and <see cref="Service"/> from it.
/// </summary>
public sealed class Deployment
{
    public required string Cluster { get; init; }

    public required string Service { get; init; }

    /// <summary>The task definition rolled out.</summary>
    public required string TaskDefinitionArn { get; init; }

    public int Revision => AwsArn.Revision(TaskDefinitionArn);

    /// <summary>The task definition the service ran before (null for a new service).</summary>
    public string? PreviousTaskDefinitionArn { get; init; }

    public required string DeploymentId { get; init; }

    /// <summary>How ECS releases it (the service's deploymentConfiguration.strategy).</summary>
    public DeploymentStrategy Strategy { get; init; }

    /// <summary>The ECS ServiceDeployment that rolls it out (DescribeServiceDeployments), when ECS names one.</summary>
    public string? ServiceDeploymentArn { get; init; }

    /// <summary>The lifecycle stage the service deployment was last seen in (blue/green, linear, canary), or its status once finished.</summary>
    public string? Stage { get; internal set; }

    /// <summary>The revisions it replaces, as family:revision (blue).</summary>
    public IReadOnlyList<string> SourceRevisions { get; internal set; } = [];

    /// <summary>The revision it rolls out, as family:revision (green).</summary>
    public string? TargetRevision { get; internal set; }

    /// <summary>The new revision's share of production traffic in percent, as ECS last requested it (traffic-shifting strategies).</summary>
    public double? ProductionTrafficPercent { get; internal set; }

    /// <summary>The PAUSE hook the deployment waits at (Outcome Paused).</summary>
    public string? PausedHookId { get; internal set; }

    /// <summary>For an undo: how it went back.</summary>
    public UndoMethod? Undo { get; internal set; }

    /// <summary>The image put into the container, pinned by digest (null when the definition's image was kept).</summary>
    public string? Image { get; init; }

    // What the watch last saw (written only by ServiceWatch and the watcher).
    public string RolloutState { get; internal set; } = "IN_PROGRESS";

    public string? RolloutStateReason { get; internal set; }

    public int DesiredCount { get; internal set; }

    public int RunningCount { get; internal set; }

    public int PendingCount { get; internal set; }

    public int FailedTasks { get; internal set; }

    public TimeSpan Duration { get; internal set; }

    // How it ended: written only through Conclude, which EcsDeployer.Decide alone calls.
    public DeploymentOutcome Outcome { get; private set; } = DeploymentOutcome.Started;

    /// <summary>Why it failed: rollout reason, stopped tasks' reasons, exit codes, failed health checks.</summary>
    public IReadOnlyList<string> FailureReasons { get; private set; } = [];

    /// <summary>The stopped tasks of this deployment, newest first, each with its reason, exit codes and failing container's last lines.</summary>
    public IReadOnlyList<StoppedTask> StoppedTasks { get; set; } = [];

    /// <summary>Whether the watch ended because -Timeout passed.</summary>
    public bool TimedOut { get; private set; }

    /// <summary>Whether the service was created by this deployment.</summary>
    public bool Created { get; init; }

    /// <summary>Where the service is reached from outside: the URLs at which a load balancer's listener or rule forwards to its target groups (<see cref="PublicUrls"/>).</summary>
    public IReadOnlyList<string> Urls { get; internal set; } = [];

    internal void Conclude(DeploymentOutcome outcome, IReadOnlyList<string> reasons, bool timedOut)
    {
        Outcome = outcome;
        FailureReasons = reasons;
        TimedOut = timedOut;
    }

    public override string ToString() => $"{Cluster}/{Service} {AwsArn.TaskDefinitionName(TaskDefinitionArn)} {Outcome}";
}
