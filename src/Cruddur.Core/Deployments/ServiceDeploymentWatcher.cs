using System.Globalization;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments;

/// <summary>
/// ECS's lifecycle stages of a blue/green, linear or canary deployment, in order (ServiceDeploymentLifecycleStage), and
/// the points a caller may wait for (-WaitUntil): Completed, Deployed (production traffic fully shifted) or a stage.
/// </summary>
public static class LifecycleStages
{
    public const string Completed = "Completed";
    public const string Deployed = "Deployed";

    public static readonly IReadOnlyList<string> All =
    [
        "RECONCILE_SERVICE", "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT",
        "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP",
    ];

    /// <summary>The stage index a wait point stands for (null: Completed); Deployed is the first stage after production traffic moved.</summary>
    public static int? IndexOf(string? waitUntil) => waitUntil switch
    {
        null or Completed => null,
        Deployed => Index("POST_PRODUCTION_TRAFFIC_SHIFT"),
        _ => Index(waitUntil),
    };

    internal static int Index(string? stage) => stage is null ? -1 : IndexOfStage(stage);

    private static int IndexOfStage(string stage)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (string.Equals(All[i], stage, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>
/// A traffic-shifting deployment's watch, fed with its ServiceDeployment: the stage and weights for the progress bar, the
/// hooks (a PAUSE hook awaiting action ends the watch as Paused), and the outcome from ECS's status, with the stage a
/// failure happened in.
/// </summary>
internal sealed partial class ServiceWatch
{
    private string? _stageStatus;
    private string? _forwardStage;
    private string? _warnedHook;

    /// <summary>Whether the ServiceDeployment decides this watch: a traffic-shifting strategy whose deployment ECS named.</summary>
    public bool FollowsServiceDeployment => Deployment.ServiceDeploymentArn is not null && Deployment.Strategy.ShiftsTraffic();

    /// <summary>The stage index at which the watch returns early (-WaitUntil); null: when ECS is done.</summary>
    public int? ReachAt { get; init; }

    /// <summary>
    /// Applies one ServiceDeployment; <paramref name="revisionName"/> turns a service revision ARN into family:revision.
    /// Returns whether anything changed, and the warning to show (once per paused hook).
    /// </summary>
    public (bool Changed, string? Warning) ObserveServiceDeployment(EcsServiceDeployment sd, Func<string, string> revisionName)
    {
        var before = _stageStatus;
        var d = Deployment;
        var target = sd.TargetRevision;
        d.TargetRevision = target is null ? d.TargetRevision : revisionName(target.Arn);
        d.SourceRevisions = sd.SourceRevisions.Select(r => revisionName(r.Arn)).ToList();
        d.ProductionTrafficPercent = target?.RequestedProductionTrafficWeight ?? d.ProductionTrafficPercent;
        d.Stage = sd.IsFinished ? sd.Status : sd.LifecycleStage ?? sd.Status;
        if (sd.Status is "PENDING" or "IN_PROGRESS" && sd.LifecycleStage is { } stage)
        {
            _forwardStage = stage;
        }

        string? warning = null;
        var paused = sd.Status == "IN_PROGRESS" ? sd.Hooks.FirstOrDefault(h => h.TargetType == "PAUSE" && h.Status == "AWAITING_ACTION") : null;
        switch (sd.Status)
        {
            case "SUCCESSFUL":
                End(WatchState.Succeeded, null);
                break;
            case "ROLLBACK_SUCCESSFUL":
                Deployment.RolloutState = "FAILED";
                End(WatchState.RolledBackByEcs, $"{FailedIn(sd)} ECS rolled the service back to {string.Join(", ", d.SourceRevisions.DefaultIfEmpty("the previous revision"))}.");
                break;
            case "ROLLBACK_FAILED":
                Deployment.RolloutState = "FAILED";
                End(WatchState.Failed, $"{FailedIn(sd)} ECS's rollback failed too.");
                break;
            case "STOPPED":
                End(WatchState.Failed, $"ECS stopped the deployment (last stage seen: {_forwardStage ?? "none"}): {sd.StatusReason ?? "another deployment replaced it"}.");
                break;
            default:
                if (paused is not null)
                {
                    d.PausedHookId = paused.HookId;
                    End(WatchState.Paused, null);
                    if (_warnedHook != paused.HookId)
                    {
                        _warnedHook = paused.HookId;
                        warning = $"{d.Cluster}/{d.Service}: the deployment of {d.TargetRevision ?? AwsArn.TaskDefinitionName(d.TaskDefinitionArn)} waits for approval at {sd.LifecycleStage} (PAUSE hook {paused.HookId}"
                            + (paused.ExpiresAt is { } expires ? $", expires {expires:u}" : string.Empty)
                            + $"). Resume-CruddurDeployment -Cluster {d.Cluster} -Service {d.Service} continues it (with -Rollback, rolls it back).";
                    }
                }
                else if (ReachAt is { } at && sd.Status == "IN_PROGRESS" && LifecycleStages.Index(sd.LifecycleStage) >= at)
                {
                    End(WatchState.Reached, null);
                }

                break;
        }

        _stageStatus = StageStatus(sd, d, paused);
        return (_stageStatus != before, warning);
    }

    /// <summary>The progress text for one ServiceDeployment: "PRODUCTION_TRAFFIC_SHIFT: 30 % to backend-flask:42", hooks and rollbacks included.</summary>
    internal static string StageStatus(EcsServiceDeployment sd, Deployment d, EcsLifecycleHook? paused)
    {
        var target = sd.TargetRevision;
        var name = d.TargetRevision ?? AwsArn.TaskDefinitionName(d.TaskDefinitionArn);
        if (paused is not null)
        {
            return $"{sd.LifecycleStage}: waiting for approval (PAUSE hook {paused.HookId})";
        }

        var text = sd.LifecycleStage switch
        {
            _ when sd.IsFinished => sd.Status,
            "PRODUCTION_TRAFFIC_SHIFT" when target?.RequestedProductionTrafficWeight is { } w => $"{sd.LifecycleStage}: {Percent(w)} % to {name}",
            "TEST_TRAFFIC_SHIFT" when target?.RequestedTestTrafficWeight is { } w => $"{sd.LifecycleStage}: test traffic {Percent(w)} % to {name}",
            "SCALE_UP" or "CLEAN_UP" or "BAKE_TIME" when target is not null => $"{sd.LifecycleStage}: {target.RunningTaskCount}/{target.RequestedTaskCount} running",
            { } stage => stage,
            null => sd.Status,
        };
        if (sd.Status is "ROLLBACK_REQUESTED" or "ROLLBACK_IN_PROGRESS")
        {
            text = $"{sd.Status} ({text})";
        }

        var lambda = sd.Hooks.Where(h => h.TargetType == "AWS_LAMBDA").Select(h => $"hook {FunctionName(h.TargetArn) ?? h.HookId} {h.Status}").ToList();
        return lambda.Count == 0 || sd.IsFinished ? text : $"{text}; {string.Join(", ", lambda)}";
    }

    // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>] → <name>[:<qualifier>]
    private static string? FunctionName(string? arn) =>
        arn?.IndexOf(":function:", StringComparison.Ordinal) is int i and >= 0 ? arn[(i + ":function:".Length)..] : arn;

    private int StagePercent() => State is WatchState.Succeeded ? 100
        : Math.Clamp(100 * (LifecycleStages.Index(Deployment.Stage) + 1) / LifecycleStages.All.Count, 0, 100);

    private string FailedIn(EcsServiceDeployment sd) =>
        $"It failed (last stage seen: {_forwardStage ?? "none"}): {(sd.StatusReason ?? sd.RollbackReason ?? "ECS gave no reason").TrimEnd('.')}.";

    private static string Percent(double w) => w.ToString("0.#", CultureInfo.InvariantCulture);
}

/// <summary>
/// One round over the watches that follow a ServiceDeployment: one DescribeServiceDeployments call per 20, the revisions'
/// names read once (DescribeServiceRevisions) and kept for the rest of the watch.
/// </summary>
internal sealed class ServiceDeploymentWatcher
{
    private readonly IEcsClient _ecs;
    private readonly IOperationHost _host;
    private readonly Dictionary<string, string> _revisionNames = new(StringComparer.Ordinal);

    public ServiceDeploymentWatcher(IEcsClient ecs, IOperationHost host)
    {
        _ecs = ecs;
        _host = host;
    }

    /// <summary>Feeds each watch its ServiceDeployment; returns whether anything changed.</summary>
    public async Task<bool> PollAsync(IReadOnlyList<ServiceWatch> watches, CancellationToken cancellationToken)
    {
        if (watches.Count == 0)
        {
            return false;
        }

        var found = (await _ecs.DescribeServiceDeploymentsAsync(watches.Select(w => w.Deployment.ServiceDeploymentArn!).ToList(), cancellationToken).ConfigureAwait(false))
            .ToDictionary(sd => sd.Arn, StringComparer.Ordinal);
        var unknown = found.Values.SelectMany(sd => sd.SourceRevisions.Append(sd.TargetRevision)).OfType<EcsServiceRevisionSummary>()
            .Select(r => r.Arn).Where(a => !_revisionNames.ContainsKey(a)).Distinct(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            foreach (var (arn, taskDefinition) in await _ecs.DescribeServiceRevisionsAsync(unknown, cancellationToken).ConfigureAwait(false))
            {
                _revisionNames[arn] = AwsArn.TaskDefinitionName(taskDefinition);
            }
        }

        var changed = false;
        foreach (var w in watches)
        {
            if (!found.TryGetValue(w.Deployment.ServiceDeploymentArn!, out var sd))
            {
                continue; // not visible yet (ECS is eventually consistent); the next round asks again
            }

            var (watchChanged, warning) = w.ObserveServiceDeployment(sd, arn => _revisionNames.GetValueOrDefault(arn) ?? AwsArn.LastSegment(arn));
            changed |= watchChanged;
            if (warning is not null)
            {
                _host.WriteWarning(warning);
            }
        }

        return changed;
    }
}
