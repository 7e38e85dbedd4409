using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments.Preflight;
using Cruddur.Core.Hosting;
using Cruddur.Core.Logs;

namespace Cruddur.Core.Deployments;

/// <summary>One service to deploy: where, what image, and optionally the seed's definition files.</summary>
public sealed record DeployTarget(string Cluster, string Service)
{
    /// <summary>The image for the container, ideally pinned by digest; null keeps the definition's image.</summary>
    public string? Image { get; init; }

    /// <summary>The container whose image is replaced; default: the service name (the seed names them alike).</summary>
    public string? ContainerName { get; init; }

    /// <summary>A register-task-definition --cli-input-json file; without it the service's current definition is reused.</summary>
    public string? TaskDefinitionFile { get; init; }

    /// <summary>A create-service --cli-input-json file, used only when the service does not exist.</summary>
    public string? ServiceDefinitionFile { get; init; }
}

public sealed record DeployOptions
{
    public bool Wait { get; init; } = true;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(15);

    public bool Rollback { get; init; } = true;

    /// <summary>How long to watch the rollback of a failed deployment; separate, since a short deploy timeout would fail it too.</summary>
    public TimeSpan RollbackTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>After a successful deploy, deregister all but the newest N revisions of the family (0: keep all).</summary>
    public int KeepRevisions { get; init; }

    /// <summary>Leave out the checks of what the new tasks need (<see cref="DeployPreflight"/>) before anything is registered.</summary>
    public bool SkipCheck { get; init; }

    /// <summary>After COMPLETED, how long every task of the deployment must keep running (zero: no window).</summary>
    public TimeSpan StableFor { get; init; }

    /// <summary>
    /// The shell's default window: one failed-health-check cycle of the seed's task definitions. Their health checks
    /// (interval 30 s, timeout 5 s, retries 3) mark a task UNHEALTHY at the earliest 3 × 30 s + 5 s after it last passed,
    /// and a container that exits without a health check shows at once; so 95 s covers both.
    /// </summary>
    public static readonly TimeSpan DefaultStableFor = TimeSpan.FromSeconds(95);

    /// <summary>
    /// For a blue/green, linear or canary deployment, when the watch returns: null or <see cref="LifecycleStages.Completed"/>
    /// when ECS is done, <see cref="LifecycleStages.Deployed"/> once production traffic has moved, or a lifecycle stage's name.
    /// </summary>
    public string? WaitUntil { get; init; }

    /// <summary>The release strategy and its timings asked for (nothing set: the service file's, else the service's own, as they are).</summary>
    public StrategySettings Strategy { get; init; } = new();
}

/// <summary>
/// The deploy: validate every definition, register, create or update the services, watch them together, roll back what
/// failed, clean up old revisions. Everything is checked before the first registration, so bad input changes nothing.
/// </summary>
public sealed partial class EcsDeployer
{
    private readonly IEcsClient _ecs;
    private readonly IOperationHost _host;
    private readonly Func<string, CancellationToken, Task<string?>> _placeholders;
    private readonly WatchClock _clock;
    private readonly ILogEventSource? _logs;
    private readonly string _region;
    private readonly IElbv2Client? _elb;
    private readonly IIamClient? _iam;
    private readonly PublicUrls? _urls;
    private readonly DeployPreflight? _preflight;

    /// <param name="placeholders">Values for ERB placeholders in definition files (see <see cref="PlaceholderValues"/>).</param>
    /// <param name="logs">Where the failing tasks' log lines are read (null: failures carry no log lines).</param>
    /// <param name="region">The region ECS is asked in: named in a missing cluster's error, and the one for task definitions whose awslogs options name none.</param>
    /// <param name="elb">Resolves target group names in service files and checks target health (<see cref="TargetHealthWaiter"/>).</param>
    /// <param name="iam">Resolves role names in service files (advancedConfiguration's roleName).</param>
    /// <param name="urls">Reads where a started deployment is served (null: no <see cref="Deployment.Urls"/>).</param>
    /// <param name="preflight">Checks what the new tasks need before anything is registered (null: no checks).</param>
    internal EcsDeployer(IEcsClient ecs, IOperationHost host, Func<string, CancellationToken, Task<string?>> placeholders, WatchClock? clock = null,
        ILogEventSource? logs = null, string region = "", IElbv2Client? elb = null, IIamClient? iam = null, PublicUrls? urls = null, DeployPreflight? preflight = null)
    {
        _preflight = preflight;
        _ecs = ecs;
        _host = host;
        _placeholders = placeholders;
        _clock = clock ?? WatchClock.System;
        _logs = logs;
        _region = region;
        _elb = elb;
        _iam = iam;
        _urls = urls;
    }

    /// <summary>
    /// Deploys every target. When starting one fails after others were started, no further one is started; the started
    /// ones are still watched (and rolled back on failure) and returned, and <see cref="DeployResult.Failure"/> says what
    /// failed and which services were left unchanged. A failure before anything changed is thrown.
    /// </summary>
    public async Task<DeployResult> DeployAsync(IReadOnlyList<DeployTarget> targets, DeployOptions options, CancellationToken cancellationToken)
    {
        await EcsServices.RequireClustersAsync(_ecs, targets.Select(t => t.Cluster), _region, cancellationToken).ConfigureAwait(false);
        var services = await EcsServices.DescribeAsync(_ecs, targets.Select(t => (t.Cluster, t.Service)), cancellationToken).ConfigureAwait(false);
        var plans = new List<Plan>();
        foreach (var target in targets)
        {
            plans.Add(await PlanAsync(target, services.GetValueOrDefault((target.Cluster, target.Service)), options.Strategy, cancellationToken).ConfigureAwait(false));
        }

        if (!options.SkipCheck && DeployCheck.FailureOf(await CheckPlansAsync(plans, cancellationToken).ConfigureAwait(false)) is { } notReady)
        {
            throw notReady;
        }

        var (watches, failure) = await StartAllAsync(plans, options, cancellationToken).ConfigureAwait(false);
        if (options.Wait && watches.Count > 0)
        {
            await WatchAndFinishAsync(watches, options, cancellationToken).ConfigureAwait(false);
        }

        return new DeployResult(watches.Select(w => w.Deployment).ToList(), failure);
    }

    /// <summary>
    /// Starts the plans in order (each one the user confirms), then reads the public URLs of all started ones at once; after a
    /// failure, the rest are left unchanged and the failure names both. A release of more than five services shows its bar
    /// from the start: how many are still to start, registered (the new revision, before the service is updated) and
    /// rolling. Ctrl+C (a paced release waits for ECS's quotas, a registration a second) stops it at once with an
    /// <see cref="OperationStoppedException"/> naming which services were released and which were not.
    /// </summary>
    private async Task<(List<ServiceWatch> Watches, CruddurException? Failure)> StartAllAsync(List<Plan> plans, DeployOptions options, CancellationToken cancellationToken)
    {
        var watches = new List<ServiceWatch>();
        var started = new List<Plan>();
        CruddurException? failure = null;
        var unchanged = new List<string>();
        var clusters = plans.Select(p => p.Target.Cluster).ToList();
        var shown = false;
        void Progress(int registered, int toStart, bool completed = false)
        {
            if (plans.Count > DeploymentWatcher.ServiceBarsUpTo && (shown || !completed))
            {
                _host.WriteProgress(DeploymentWatcher.ReleaseProgress(watches, completed, registered, toStart, clusters));
                shown = true;
            }
        }

        var current = -1;
        string? registeredArn = null;
        try
        {
            for (var i = 0; i < plans.Count; i++)
            {
                (current, registeredArn) = (i, null);
                var plan = plans[i];
                var name = $"{plan.Target.Cluster}/{plan.Target.Service}";
                if (failure is not null)
                {
                    unchanged.Add(name);
                    continue;
                }

                if (!_host.ShouldProcess(name, Question(plan)))
                {
                    continue;
                }

                Deployment deployment;
                try
                {
                    var toStart = plans.Count - i - 1;
                    deployment = await StartAsync(plan, arn => { registeredArn = arn; Progress(registered: 1, toStart); }, cancellationToken).ConfigureAwait(false);
                    registeredArn = null;
                }
                catch (Exception e) when (watches.Count > 0 && e is not OperationCanceledException)
                {
                    failure = e as CruddurException ?? CruddurException.Unexpected(e, name);
                    unchanged.Add(name);
                    continue;
                }

                started.Add(plan);
                watches.Add(new ServiceWatch(deployment, watches.Count + 1, ServiceWatch.EventIds(plan.Service))
                {
                    StableFor = options.StableFor,
                    ReachAt = LifecycleStages.IndexOf(options.WaitUntil),
                });
                Progress(registered: 0, toStart: plans.Count - i - 1);
            }

            await ReadUrlsAsync(started, watches, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationStoppedException(StoppedWhileStarting(plans, watches, current, registeredArn), e, cancellationToken);
        }
        finally
        {
            Progress(registered: 0, toStart: 0, completed: true);
        }

        if (failure is not null)
        {
            var changed = string.Join(", ", watches.Select(w => $"{w.Deployment.Cluster}/{w.Deployment.Service}"));
            failure = new CruddurException(failure.ErrorId, failure.Kind,
                $"{failure.Message} Already changed (and {(options.Wait ? "watched" : "returned")}): {changed}. Left unchanged: {string.Join(", ", unchanged)}; deploy them again once the cause is fixed.",
                failure, failure.Target);
        }

        return (watches, failure);
    }

    /// <summary>The -Confirm question for a plan: what it does, and the changes to the task definition and strategy.</summary>
    private static string Question(Plan plan)
    {
        var diff = TaskDefinitions.Diff(plan.CurrentDefinition, plan.NewDefinition).Concat(plan.Strategy.Diff).ToList();
        return (plan.Service is null ? "Register a task definition and create the service"
                : plan.SameArn is { } same ? $"Deploy {AwsArn.TaskDefinitionName(same)} again" : "Register a task definition and deploy it")
            + (diff.Count == 0 ? " (task definition unchanged)" : ":" + Environment.NewLine + string.Join(Environment.NewLine, diff.Select(l => "    " + l)));
    }

    /// <summary>Registers the plan's definition (<paramref name="registered"/> is told the new revision) and releases it; a plan that equals the running revision releases that one again.</summary>
    private async Task<Deployment> StartAsync(Plan plan, Action<string> registered, CancellationToken cancellationToken)
    {
        if (plan.SameArn is { } same)
        {
            _host.WriteVerbose($"{AwsArn.TaskDefinitionName(same)} is unchanged ({plan.Source} gives the same definition): deploying it again rather than registering a copy");
            return await ReleaseAsync(plan, same, cancellationToken).ConfigureAwait(false);
        }

        var arn = await _ecs.RegisterTaskDefinitionAsync(plan.NewDefinition, cancellationToken).ConfigureAwait(false);
        _host.WriteVerbose($"Registered {arn}");
        registered(arn);
        return await ReleaseAsync(plan, arn, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The public URLs of every started service, read once for all of them.</summary>
    private async Task ReadUrlsAsync(List<Plan> started, List<ServiceWatch> watches, CancellationToken cancellationToken)
    {
        if (_urls is null || watches.Count == 0)
        {
            return;
        }

        var urls = await _urls.ReadAsync(started.Select(p => ($"{p.Target.Cluster}/{p.Target.Service}", p.LoadBalancers)).ToList(), cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < watches.Count; i++)
        {
            watches[i].Deployment.Urls = urls[i];
        }
    }

    /// <summary>
    /// What a stop while starting leaves: the services released (updated or created: ECS rolls them out, unwatched), the one
    /// whose new revision was registered but not released, and the ones not released, to deploy again.
    /// </summary>
    private static string StoppedWhileStarting(List<Plan> plans, List<ServiceWatch> watches, int current, string? registeredArn)
    {
        static string Name(DeployTarget t) => $"{t.Cluster}/{t.Service}";
        var released = watches.Select(w => w.Deployment).ToList();
        var releasedNames = released.Select(d => $"{d.Cluster}/{d.Service}").ToHashSet(StringComparer.Ordinal);
        var registered = registeredArn is null ? null : plans[current].Target;
        var notReleased = plans.Select(p => p.Target).Where(t => !releasedNames.Contains(Name(t)) && t != registered).Select(Name).ToList();
        var lines = new List<string>
        {
            released.Count == 0
                ? "Stopped before any service was released: no service was changed."
                : $"Stopped while starting the release. Released (the service was updated; ECS rolls it out, no longer watched): {string.Join(", ", released.Select(d => $"{d.Cluster}/{d.Service} ({AwsArn.TaskDefinitionName(d.TaskDefinitionArn)})"))}. "
                  + "Follow them with Get-CruddurService.",
        };
        if (registered is not null)
        {
            lines.Add($"Registered but not released (the service still runs its old revision): {Name(registered)} ({AwsArn.TaskDefinitionName(registeredArn!)}).");
        }

        if (notReleased.Count > 0)
        {
            lines.Add($"Not released: {string.Join(", ", notReleased)}.");
        }

        if (registered is not null || notReleased.Count > 0)
        {
            lines.Add("Deploy the services not released again to release them.");
        }

        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>Watches the started deployments to their end, waits for healthy targets (rolling ones), then records, prunes and shows the URLs of the ones that succeeded.</summary>
    private async Task WatchAndFinishAsync(List<ServiceWatch> watches, DeployOptions options, CancellationToken cancellationToken)
    {
        await WatchOrExplainAsync(watches, options.Timeout, cancellationToken).ConfigureAwait(false);
        if (_elb is not null)
        {
            // ECS itself shifts traffic only to healthy targets, and the groups alternate: only rolling deploys are checked here.
            await new TargetHealthWaiter(_ecs, _elb, _host, _clock).WaitAsync(watches.Where(w => !w.FollowsServiceDeployment).ToList(), options.Timeout, cancellationToken).ConfigureAwait(false);
        }

        await SettleAsync(watches, options, cancellationToken).ConfigureAwait(false);
        foreach (var d in watches.Select(w => w.Deployment).Where(d => d.Outcome == DeploymentOutcome.Succeeded))
        {
            await RecordAsync(ReleaseHistory.MarkCompletedAsync, d.TaskDefinitionArn, cancellationToken).ConfigureAwait(false);
        }

        if (options.KeepRevisions > 0)
        {
            foreach (var d in watches.Select(w => w.Deployment).Where(d => d.Outcome == DeploymentOutcome.Succeeded))
            {
                await new RevisionCleaner(_ecs, _host).KeepNewestAsync(d.TaskDefinitionArn, options.KeepRevisions, cancellationToken).ConfigureAwait(false);
            }
        }

        if (watches.Count > DeploymentWatcher.ServiceBarsUpTo)
        {
            WriteSummary(watches.Select(w => w.Deployment).ToList());
            return;
        }

        foreach (var d in watches.Select(w => w.Deployment).Where(d => d.Outcome == DeploymentOutcome.Succeeded && d.Urls.Count > 0))
        {
            _host.WriteInformation($"{d.Cluster}/{d.Service}: {AwsArn.TaskDefinitionName(d.TaskDefinitionArn)} is served at {string.Join(", ", d.Urls)}", InformationTags.PublicUrl);
        }
    }

    /// <summary>
    /// The end of a release of more than five services, instead of a line per service: a warning that lists only the ones that
    /// need attention (failed, rolled back, paused, timed out, not followed), one line each, and one line counting the rest;
    /// or, when none does, that count alone.
    /// </summary>
    private void WriteSummary(IReadOnlyList<Deployment> deployments)
    {
        var attention = deployments.Where(d => d.Outcome is not (DeploymentOutcome.Succeeded or DeploymentOutcome.Reached)).ToList();
        var succeeded = deployments.Count(d => d.Outcome == DeploymentOutcome.Succeeded);
        var reached = deployments.Count(d => d.Outcome == DeploymentOutcome.Reached);
        var rest = string.Join(", ", new[] { succeeded > 0 ? $"{succeeded} succeeded" : null, reached > 0 ? $"{reached} reached the stage waited for" : null }.OfType<string>())
            + (deployments.Any(d => d.Outcome == DeploymentOutcome.Succeeded && d.Urls.Count > 0) ? "; their Urls are on the deployments returned" : string.Empty);
        if (attention.Count == 0)
        {
            _host.WriteInformation($"Released {deployments.Count} services: {rest}.", InformationTags.ReleaseSummary);
            return;
        }

        var lines = attention.Select(d => $"  {d.Cluster}/{d.Service} ({AwsArn.TaskDefinitionName(d.TaskDefinitionArn)}): {d.Outcome}{(d.TimedOut ? ", timed out" : string.Empty)}");
        _host.WriteWarning($"{attention.Count} of {deployments.Count} services need attention (each failed one has its own error):{Environment.NewLine}"
            + string.Join(Environment.NewLine, lines) + (succeeded + reached > 0 ? $"{Environment.NewLine}The rest: {rest}." : string.Empty));
    }

    /// <summary>
    /// What a deploy of <paramref name="targets"/> would check before registering, without changing anything: the same
    /// definitions (read and validated as a deploy reads them), one row per check.
    /// </summary>
    public async Task<IReadOnlyList<DeployCheck>> CheckAsync(IReadOnlyList<DeployTarget> targets, CancellationToken cancellationToken)
    {
        await EcsServices.RequireClustersAsync(_ecs, targets.Select(t => t.Cluster), _region, cancellationToken).ConfigureAwait(false);
        var services = await EcsServices.DescribeAsync(_ecs, targets.Select(t => (t.Cluster, t.Service)), cancellationToken).ConfigureAwait(false);
        var plans = new List<Plan>();
        foreach (var target in targets)
        {
            plans.Add(await PlanAsync(target, services.GetValueOrDefault((target.Cluster, target.Service)), new StrategySettings(), cancellationToken).ConfigureAwait(false));
        }

        return await CheckPlansAsync(plans, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<DeployCheck>> CheckPlansAsync(IReadOnlyList<Plan> plans, CancellationToken cancellationToken)
    {
        if (_preflight is null)
        {
            return [];
        }

        // No progress record: the checks take about a second, and a record refused (-ProgressAction Stop) would stop the deploy before it starts.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var checks = await _preflight.CheckAsync(plans.Select(p => new PreflightSubject(p.Target.Service, p.NewDefinition, p.NetworkConfiguration, p.LoadBalancers)).ToList(), cancellationToken).ConfigureAwait(false);
        _host.WriteVerbose($"Checked what the new tasks need: {checks.Count} checks of {plans.Count} service(s) in {clock.ElapsedMilliseconds} ms, {checks.Count(c => c.Status == DeployCheckStatus.Fail)} failed.");
        return checks;
    }

    /// <summary>
    /// Rolls a service back to <paramref name="taskDefinition"/> (family:revision or ARN), or to the last revision whose
    /// deployment completed (<see cref="ReleaseHistory"/>), and watches the rollback like a deploy.
    /// </summary>
    public async Task<Deployment?> UndoAsync(string cluster, string service, string? taskDefinition, DeployOptions options, CancellationToken cancellationToken)
    {
        await EcsServices.RequireClustersAsync(_ecs, [cluster], _region, cancellationToken).ConfigureAwait(false);
        var found = await EcsServices.DescribeAsync(_ecs, [(cluster, service)], cancellationToken).ConfigureAwait(false);
        var current = found.GetValueOrDefault((cluster, service)) ?? throw ServiceNotFound(cluster, service, canCreate: false);
        if (taskDefinition is null && await UnfinishedServiceDeploymentAsync(current, cancellationToken).ConfigureAwait(false) is { } running)
        {
            return await StopAsync(cluster, service, current, running, options, cancellationToken).ConfigureAwait(false);
        }

        var currentArn = current.TaskDefinition!;
        var target = taskDefinition is null
            ? await ReleaseHistory.LastCompletedAsync(_ecs, current, cancellationToken).ConfigureAwait(false)
                ?? throw new CruddurException(ErrorIds.DeployNoPreviousRevision, ErrorKind.ObjectNotFound,
                    $"{cluster}/{service} runs {AwsArn.TaskDefinitionName(currentArn)} and no other active revision of its family is known to have completed a deployment "
                    + "(Deploy-CruddurService records that on the revision when it sees the rollout complete).", target: service)
            : await ActiveArnAsync(taskDefinition, cancellationToken).ConfigureAwait(false);
        if (!_host.ShouldProcess($"{cluster}/{service}", $"Roll back from {AwsArn.TaskDefinitionName(currentArn)} to {AwsArn.TaskDefinitionName(target)}"))
        {
            return null;
        }

        var deployment = await UpdateAsync(cluster, service, target, currentArn, null, null, cancellationToken).ConfigureAwait(false);
        deployment.Undo = UndoMethod.Redeployed;
        if (options.Wait)
        {
            var watch = new ServiceWatch(deployment, 1, ServiceWatch.EventIds(current)) { StableFor = options.StableFor };
            await WatchOrExplainAsync([watch], options.Timeout, cancellationToken).ConfigureAwait(false);
            if (deployment.Outcome != DeploymentOutcome.Unknown)
            {
                Decide(deployment, watch.State, await FailureReasonsAsync(watch, cancellationToken).ConfigureAwait(false));
            }

            if (deployment.Outcome == DeploymentOutcome.Succeeded)
            {
                await RecordAsync(ReleaseHistory.MarkCompletedAsync, target, cancellationToken).ConfigureAwait(false);
                if (currentArn != target)
                {
                    await RecordAsync(ReleaseHistory.MarkUndoneAsync, currentArn, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return deployment;
    }

    /// <summary>The error to report for an undo that did not succeed, or null: the ids of a failed deploy, worded for the undo.</summary>
    public static CruddurException? UndoErrorFor(Deployment d, TimeSpan timeout)
    {
        if (d.Outcome is DeploymentOutcome.Succeeded or DeploymentOutcome.Started or DeploymentOutcome.Paused or DeploymentOutcome.Reached)
        {
            return null;
        }

        if (d.Outcome == DeploymentOutcome.Unknown)
        {
            return WatchFailed(d);
        }

        var back = $"Rolling {d.Cluster}/{d.Service} back from {AwsArn.TaskDefinitionName(d.PreviousTaskDefinitionArn ?? "?")} to {AwsArn.TaskDefinitionName(d.TaskDefinitionArn)}";
        var follow = $"Follow it with Get-CruddurService -Cluster {d.Cluster} -Service {d.Service}";
        return d.TimedOut
            ? new CruddurException(ErrorIds.DeployTimedOut, ErrorKind.OperationTimeout,
                $"{back} did not complete within {timeout}; ECS carries on with it. {follow}. So far: {string.Join("; ", d.FailureReasons)}.", target: d)
            : new CruddurException(ErrorIds.DeployFailed, ErrorKind.InvalidOperation,
                $"{back} failed: {string.Join("; ", d.FailureReasons)}. " + LastLines(d) + $"{follow}.", target: d);
    }

    /// <summary>The error to report for a deployment that did not succeed, or null.</summary>
    public static CruddurException? ErrorFor(Deployment d)
    {
        if (d.Outcome is DeploymentOutcome.Succeeded or DeploymentOutcome.Started or DeploymentOutcome.Paused or DeploymentOutcome.Reached)
        {
            return null;
        }

        if (d.Outcome == DeploymentOutcome.Unknown)
        {
            return WatchFailed(d);
        }

        var previous = AwsArn.TaskDefinitionName(d.PreviousTaskDefinitionArn ?? "?");
        var what = d.Outcome switch
        {
            DeploymentOutcome.RolledBackByEcs => d.ServiceDeploymentArn is null || !d.Strategy.ShiftsTraffic()
                ? "ECS rolled the service back to the previous deployment"
                : $"ECS rolled the {d.Strategy} deployment back{(d.SourceRevisions.Count > 0 ? " to " + string.Join(", ", d.SourceRevisions) : string.Empty)}",
            DeploymentOutcome.RolledBack => $"the service was rolled back to {previous}",
            DeploymentOutcome.RollbackFailed => $"the rollback to {previous} failed too",
            DeploymentOutcome.RollbackTimedOut => $"the rollback to {previous} had not completed in the time given for the rollback; ECS carries on with it",
            _ => "nothing was rolled back",
        };
        var id = d.TimedOut ? ErrorIds.DeployTimedOut : ErrorIds.DeployFailed;
        return new CruddurException(id, d.TimedOut ? ErrorKind.OperationTimeout : ErrorKind.InvalidOperation,
            $"Deploying {AwsArn.TaskDefinitionName(d.TaskDefinitionArn)} to {d.Cluster}/{d.Service} failed ({what}): {string.Join("; ", d.FailureReasons)}. "
            + LastLines(d)
            + $"Look at the task's logs and events (Get-CruddurLog -Cluster {d.Cluster} -Service {d.Service} -Since 15m; Get-CruddurService -Cluster {d.Cluster} -Service {d.Service}), fix the cause and deploy again.",
            target: d);
    }

    private static CruddurException WatchFailed(Deployment d) =>
        new(ErrorIds.DeployWatchFailed, ErrorKind.ResourceUnavailable,
            $"The rollout of {AwsArn.TaskDefinitionName(d.TaskDefinitionArn)} to {d.Cluster}/{d.Service} was started but could not be followed: {string.Join("; ", d.FailureReasons)}. "
            + $"Nothing was rolled back; follow it with Get-CruddurService -Cluster {d.Cluster} -Service {d.Service}.",
            target: d);

    // The newest stopped task's failing container says most; the others are on the Deployment's StoppedTasks.
    private static string LastLines(Deployment d) =>
        d.StoppedTasks.FirstOrDefault(t => t.LogTail.Count > 0) is { } t
            ? $"The last lines of container {t.FailingContainer} in task {t.TaskId}:{Environment.NewLine}    {string.Join(Environment.NewLine + "    ", t.LogTail)}{Environment.NewLine}"
            : string.Empty;

    /// <param name="SameArn">The service's current revision when registering NewDefinition would give the same one: it is deployed again, not registered again.</param>
    private sealed record Plan(DeployTarget Target, EcsService? Service, JsonObject? CurrentDefinition, JsonObject NewDefinition, JsonObject? ServiceDefinition, string Source, StrategyPlan Strategy, string? SameArn)
    {
        /// <summary>The loadBalancers of the service file (a service to create), else of the service.</summary>
        public JsonArray? LoadBalancers => ServiceDefinition is { } file ? file["loadBalancers"] as JsonArray : Service?.LoadBalancers;

        /// <summary>The networkConfiguration of the service file (a service to create), else of the service.</summary>
        public JsonObject? NetworkConfiguration => ServiceDefinition is { } file ? file["networkConfiguration"] as JsonObject : Service?.NetworkConfiguration;
    }

    private async Task<Plan> PlanAsync(DeployTarget target, EcsService? service, StrategySettings strategySettings, CancellationToken cancellationToken)
    {
        JsonObject? serviceDefinition = null;
        StrategyPlan strategy;
        var planner = new StrategyPlanner(_elb, _iam, _host);
        if (service is null)
        {
            if (target.ServiceDefinitionFile is null)
            {
                throw ServiceNotFound(target.Cluster, target.Service, canCreate: true);
            }

            serviceDefinition = await LoadAsync(target.ServiceDefinitionFile, cancellationToken).ConfigureAwait(false);
            var named = (string?)serviceDefinition["serviceName"];
            if (named is not null && named != target.Service)
            {
                throw new CruddurException(ErrorIds.DeployServiceDefinitionMismatch, ErrorKind.InvalidArgument,
                    $"{target.ServiceDefinitionFile} defines the service '{named}', not '{target.Service}'.", target: target.ServiceDefinitionFile);
            }

            serviceDefinition["serviceName"] = target.Service;
            serviceDefinition["cluster"] = target.Cluster;
            await TargetGroupReferences.ResolveAsync(serviceDefinition, _elb, _iam, target.ServiceDefinitionFile, cancellationToken).ConfigureAwait(false);
            strategy = await planner.ForNewAsync(target.Service, serviceDefinition, strategySettings, target.ServiceDefinitionFile, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            strategy = await planner.ForExistingAsync($"{target.Cluster}/{target.Service}", service, strategySettings, () => FileLoadBalancersAsync(target, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        var currentArn = service?.TaskDefinition;
        var current = currentArn is null ? null : await DescribeTaskDefinitionAsync(currentArn, cancellationToken).ConfigureAwait(false);
        JsonObject next;
        string source;
        if (target.TaskDefinitionFile is not null)
        {
            next = await LoadAsync(target.TaskDefinitionFile, cancellationToken).ConfigureAwait(false);
            source = target.TaskDefinitionFile;
        }
        else if (current is not null)
        {
            next = current.Document;
            source = $"task definition {AwsArn.TaskDefinitionName(currentArn!)}";
        }
        else
        {
            // A new service without a task definition file: the newest revision of the family its definition names.
            var family = (string?)serviceDefinition!["taskDefinition"] ?? target.ContainerName ?? target.Service;
            next = (await DescribeTaskDefinitionAsync(family, cancellationToken).ConfigureAwait(false))?.Document ?? throw new CruddurException(
                ErrorIds.TaskDefinitionNotFound, ErrorKind.ObjectNotFound,
                $"No task definition '{family}' is registered; the seed's file for it is {SeedDefaults.TaskDefinitionFile(target.Service)}.", target: family);
            source = $"task definition {family}";
        }

        next = TaskDefinitions.StripReadOnly(next);
        if (target.Image is not null)
        {
            TaskDefinitions.Container(next, target.ContainerName ?? target.Service, source)["image"] = target.Image;
        }

        TaskDefinitions.Validate(next, source);
        var same = current is not null && current.Status == "ACTIVE" && TaskDefinitions.Same(current.Document, next) ? currentArn : null;
        return new Plan(target, service, current?.Document, next, serviceDefinition, source, strategy, same);
    }

    /// <summary>The loadBalancers of the target's service file, names resolved (null without a file): where a service switching to blue/green gets its advancedConfiguration.</summary>
    private async Task<JsonArray?> FileLoadBalancersAsync(DeployTarget target, CancellationToken cancellationToken)
    {
        if (target.ServiceDefinitionFile is not { } file)
        {
            return null;
        }

        var definition = await LoadAsync(file, cancellationToken).ConfigureAwait(false);
        await TargetGroupReferences.ResolveAsync(definition, _elb, _iam, file, cancellationToken).ConfigureAwait(false);
        return definition["loadBalancers"] as JsonArray;
    }

    private async Task<JsonObject> LoadAsync(string path, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in DefinitionFile.Placeholders(path))
        {
            values[name] = await _placeholders(name, cancellationToken).ConfigureAwait(false);
        }

        return DefinitionFile.Load(path, name => values.GetValueOrDefault(name));
    }

    private async Task<EcsTaskDefinition?> DescribeTaskDefinitionAsync(string reference, CancellationToken cancellationToken)
    {
        try
        {
            return await _ecs.DescribeTaskDefinitionAsync(reference, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.Condition == AwsCondition.NotFound)
        {
            return null;
        }
    }

    /// <summary>Points the plan's service at the revision <paramref name="arn"/> (new, or the same one again): creates it from its file, or updates it.</summary>
    private async Task<Deployment> ReleaseAsync(Plan plan, string arn, CancellationToken cancellationToken)
    {
        var target = plan.Target;
        if (plan.ServiceDefinition is { } definition)
        {
            definition["taskDefinition"] = arn;
            var created = await _ecs.CreateServiceAsync(definition, cancellationToken).ConfigureAwait(false);
            _host.WriteVerbose($"Created {target.Cluster}/{target.Service}");
            return new Deployment
            {
                Cluster = target.Cluster,
                Service = target.Service,
                TaskDefinitionArn = arn,
                DeploymentId = PrimaryId(created, arn),
                ServiceDeploymentArn = created.CurrentServiceDeployment,
                Image = target.Image,
                Created = true,
                Strategy = plan.Strategy.Strategy,
            };
        }

        return await UpdateAsync(target.Cluster, target.Service, arn, plan.Service!.TaskDefinition, target.Image, plan.Strategy, cancellationToken).ConfigureAwait(false);
    }

    private async Task<Deployment> UpdateAsync(string cluster, string service, string arn, string? previous, string? image, StrategyPlan? strategy, CancellationToken cancellationToken)
    {
        var updated = await _ecs.UpdateServiceAsync(cluster, service, arn, strategy?.Changes, cancellationToken).ConfigureAwait(false);
        _host.WriteVerbose($"Updated {cluster}/{service} to {AwsArn.TaskDefinitionName(arn)}");
        return new Deployment
        {
            Cluster = cluster,
            Service = service,
            TaskDefinitionArn = arn,
            PreviousTaskDefinitionArn = previous,
            DeploymentId = PrimaryId(updated, arn),
            ServiceDeploymentArn = updated.CurrentServiceDeployment,
            Image = image,
            Strategy = strategy?.Strategy ?? StrategyConfiguration.Read(updated.DeploymentConfiguration, $"{cluster}/{service}").EffectiveStrategy,
        };
    }

    private static string PrimaryId(EcsService service, string arn) =>
        service.Deployments.Where(d => d.Status == "PRIMARY" && d.TaskDefinition == arn).Select(d => d.Id).FirstOrDefault()
        ?? throw new CruddurException(ErrorIds.DeployNoDeployment, ErrorKind.InvalidOperation,
            $"ECS accepted the update but shows no PRIMARY deployment of {AwsArn.TaskDefinitionName(arn)}. Check the service with Get-CruddurService.", target: arn);

    /// <summary>
    /// Watches. On Ctrl+C says that ECS carries on and how to follow it; when the watch itself breaks (ECS failing or
    /// answering nonsense), the deployments not yet done end as Unknown, with the reason, instead of being lost.
    /// </summary>
    private async Task WatchOrExplainAsync(IReadOnlyList<ServiceWatch> watches, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await new DeploymentWatcher(_ecs, _host, _clock).WatchAsync(watches, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
        {
            var lines = new List<string>();
            foreach (var w in watches.Where(w => !w.IsDone))
            {
                var d = w.Deployment;
                lines.Add($"Stopped watching {d.Cluster}/{d.Service}; the rollout of {AwsArn.TaskDefinitionName(d.TaskDefinitionArn)} (deployment {d.DeploymentId}) continues in ECS. Follow it with: Get-CruddurService -Cluster {d.Cluster} -Service {d.Service}");
            }

            throw new OperationStoppedException(string.Join(Environment.NewLine, lines), e, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var why = (e as CruddurException ?? CruddurException.Unexpected(e)).Message;
            foreach (var w in watches.Where(w => !w.IsDone))
            {
                Decide(w.Deployment, null, [why]);
            }
        }
    }

    /// <summary>Outcomes, failure reasons and rollbacks for every watched deployment (none for a revision deployed again: it is what it would roll back to).</summary>
    private async Task SettleAsync(IReadOnlyList<ServiceWatch> watches, DeployOptions options, CancellationToken cancellationToken)
    {
        var rollbacks = new List<(ServiceWatch Failed, IReadOnlyList<string> Reasons, ServiceWatch Rollback)>();
        foreach (var w in watches.Where(w => w.Deployment.Outcome != DeploymentOutcome.Unknown))
        {
            var d = w.Deployment;
            var reasons = await FailureReasonsAsync(w, cancellationToken).ConfigureAwait(false);
            if (w.State is WatchState.Failed or WatchState.TimedOut && options.Rollback && d.PreviousTaskDefinitionArn is { } previous && previous != d.TaskDefinitionArn)
            {
                _host.WriteWarning($"{d.Cluster}/{d.Service}: {AwsArn.TaskDefinitionName(d.TaskDefinitionArn)} failed; rolling back to {AwsArn.TaskDefinitionName(previous)}.");
                var back = await UpdateAsync(d.Cluster, d.Service, previous, d.TaskDefinitionArn, null, null, cancellationToken).ConfigureAwait(false);
                rollbacks.Add((w, reasons, new ServiceWatch(back, w.ProgressId, w.SeenEventIds) { StableFor = options.StableFor }));
            }
            else
            {
                Decide(d, w.State, reasons);
            }
        }

        if (rollbacks.Count == 0)
        {
            return;
        }

        await WatchOrExplainAsync(rollbacks.Select(r => r.Rollback).ToList(), options.RollbackTimeout, cancellationToken).ConfigureAwait(false);
        foreach (var (failed, reasons, rollback) in rollbacks)
        {
            // A rollback whose watch broke keeps the reason it was given (why it could not be followed).
            var unknown = rollback.Deployment.Outcome == DeploymentOutcome.Unknown;
            var rollbackReasons = unknown ? rollback.Deployment.FailureReasons : await FailureReasonsAsync(rollback, cancellationToken).ConfigureAwait(false);
            Decide(rollback.Deployment, unknown ? null : rollback.State, rollbackReasons);
            Decide(failed.Deployment, failed.State, rollback.Deployment.Outcome == DeploymentOutcome.Succeeded
                ? reasons
                : [.. reasons, $"rollback to {AwsArn.TaskDefinitionName(rollback.Deployment.TaskDefinitionArn)}: {string.Join("; ", rollback.Deployment.FailureReasons)}"],
                rollback.Deployment);
            if (rollback.Deployment.Outcome == DeploymentOutcome.Succeeded)
            {
                await RecordAsync(ReleaseHistory.MarkCompletedAsync, rollback.Deployment.TaskDefinitionArn, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The one place a deployment's outcome is decided: from how its watch ended (null when the watch broke: Unknown)
    /// and, after a rollback, from how the rollback (already decided) ended. A Ctrl+C decides nothing: it stops the cmdlet.
    /// </summary>
    private static void Decide(Deployment d, WatchState? watched, IReadOnlyList<string> reasons, Deployment? rollback = null)
    {
        var outcome = watched switch
        {
            null => DeploymentOutcome.Unknown,
            WatchState.Succeeded => DeploymentOutcome.Succeeded,
            WatchState.RolledBackByEcs => DeploymentOutcome.RolledBackByEcs,
            WatchState.Paused => DeploymentOutcome.Paused,
            WatchState.Reached => DeploymentOutcome.Reached,
            _ when rollback is null => DeploymentOutcome.Failed,
            _ when rollback.Outcome == DeploymentOutcome.Succeeded => DeploymentOutcome.RolledBack,
            _ when rollback.TimedOut => DeploymentOutcome.RollbackTimedOut,
            _ => DeploymentOutcome.RollbackFailed,
        };
        d.Conclude(outcome, outcome is DeploymentOutcome.Succeeded or DeploymentOutcome.Paused or DeploymentOutcome.Reached ? [] : reasons, watched == WatchState.TimedOut);
    }

    /// <summary>The watch's reason and the stopped tasks' reasons; none for a success.</summary>
    private async Task<IReadOnlyList<string>> FailureReasonsAsync(ServiceWatch w, CancellationToken cancellationToken)
    {
        if (w.State == WatchState.Succeeded)
        {
            return [];
        }

        IReadOnlyList<string> tasks;
        try
        {
            tasks = await StoppedTaskReasonsAsync(w.Deployment, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            tasks = [$"(the stopped tasks could not be read: {(e as CruddurException ?? CruddurException.Unexpected(e)).Message})"];
        }

        return [w.Reason ?? "the deployment failed", .. tasks];
    }

    /// <summary>Why our deployment's tasks stopped: stoppedReason, exit codes, failed health checks (counted, most frequent first).</summary>
    private async Task<IReadOnlyList<string>> StoppedTaskReasonsAsync(Deployment d, CancellationToken cancellationToken)
    {
        var arns = await _ecs.ListTaskArnsAsync(new EcsTaskQuery(d.Cluster, StartedBy: d.DeploymentId, DesiredStatus: "STOPPED", FirstPageOnly: true), cancellationToken).ConfigureAwait(false);
        var reasons = new List<string>();
        var tasks = await _ecs.DescribeTasksAsync(d.Cluster, arns, cancellationToken).ConfigureAwait(false);
        if (_logs is not null)
        {
            d.StoppedTasks = await StoppedTask.ReadAsync(tasks, arn => _ecs.DescribeTaskDefinitionAsync(arn, cancellationToken), _logs, _region, _host, cancellationToken).ConfigureAwait(false);
        }

        foreach (var task in tasks)
        {
            var parts = new List<string>();
            foreach (var c in task.Containers)
            {
                if (c.HealthStatus == "UNHEALTHY")
                {
                    parts.Add($"container {c.Name} failed its health check");
                }

                if (c.ExitCode is { } code && code != 0 && code != 143)
                {
                    parts.Add($"container {c.Name} exited with code {code}{(c.Reason is { } r ? $" ({r})" : string.Empty)}");
                }
            }

            reasons.Add($"task stopped: {task.StoppedReason ?? "no reason given"}{(parts.Count > 0 ? " - " + string.Join(", ", parts) : string.Empty)}");
        }

        return reasons.GroupBy(r => r, StringComparer.Ordinal).OrderByDescending(g => g.Count())
            .Select(g => g.Count() > 1 ? $"{g.Count()} x {g.Key}" : g.Key).ToList();
    }

    /// <summary>The full ARN of an ACTIVE revision named either way (family:revision or ARN), so it compares with what ECS reports.</summary>
    private async Task<string> ActiveArnAsync(string reference, CancellationToken cancellationToken)
    {
        var definition = await DescribeTaskDefinitionAsync(reference, cancellationToken).ConfigureAwait(false);
        if (definition is null || definition.Status == "INACTIVE")
        {
            throw new CruddurException(ErrorIds.TaskDefinitionNotFound, ErrorKind.ObjectNotFound,
                $"No active task definition '{reference}' is registered{(definition is null ? string.Empty : " (it was deregistered)")}. Pass family:revision of an active revision; the Rev column of Get-CruddurService's tasks shows what ran.", target: reference);
        }

        return definition.Arn!;
    }

    /// <summary>Release history is a help for later undos, not part of the deploy: failing to write it only warns.</summary>
    private async Task RecordAsync(Func<IEcsClient, string, DateTimeOffset, CancellationToken, Task> mark, string arn, CancellationToken cancellationToken)
    {
        try
        {
            await mark(_ecs, arn, _clock.Now(), cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e)
        {
            _host.WriteWarning($"Could not tag {AwsArn.TaskDefinitionName(arn)} with its deployment history ({e.Message}); Undo-CruddurDeployment will need -TaskDefinition to go back past it.");
        }
    }

    internal static CruddurException ServiceNotFound(string cluster, string service, bool canCreate) =>
        new(ErrorIds.ServiceNotFound, ErrorKind.ObjectNotFound,
            $"The service '{service}' does not exist in the cluster '{cluster}'. "
            + (canCreate ? $"The seed's file to create it from is {SeedDefaults.ServiceDefinitionFile(service)}. Nothing was registered." : "Check the service and cluster names."),
            target: service);
}

/// <summary>What a deploy did: the deployments it started, and the failure that kept it from starting the rest.</summary>
public sealed record DeployResult(IReadOnlyList<Deployment> Deployments, CruddurException? Failure);
