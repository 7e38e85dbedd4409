using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments;

/// <summary>
/// What acts on a blue/green, linear or canary deployment under way: Undo stops it (StopServiceDeployment ROLLBACK:
/// traffic back to blue, which still runs), Resume answers its PAUSE hook (ContinueServiceDeployment); both watch the
/// rest of it as a deploy does.
/// </summary>
public sealed partial class EcsDeployer
{
    /// <summary>
    /// Answers the PAUSE hook the service's deployment waits at: CONTINUE, or ROLLBACK with <paramref name="rollback"/>,
    /// then watches the deployment (<see cref="DeployOptions.Wait"/>). Null when -WhatIf or a declined -Confirm kept it from acting.
    /// </summary>
    public async Task<Deployment?> ResumeAsync(string cluster, string service, bool rollback, DeployOptions options, CancellationToken cancellationToken)
    {
        await EcsServices.RequireClustersAsync(_ecs, [cluster], _region, cancellationToken).ConfigureAwait(false);
        var found = await EcsServices.DescribeAsync(_ecs, [(cluster, service)], cancellationToken).ConfigureAwait(false);
        var current = found.GetValueOrDefault((cluster, service)) ?? throw ServiceNotFound(cluster, service, canCreate: false);
        var running = await UnfinishedServiceDeploymentAsync(current, cancellationToken).ConfigureAwait(false);
        var hook = running?.Hooks.FirstOrDefault(h => h.TargetType == "PAUSE" && h.Status == "AWAITING_ACTION");
        if (running is null || hook is null)
        {
            throw new CruddurException(ErrorIds.DeployNotPaused, ErrorKind.InvalidOperation,
                $"No deployment of {cluster}/{service} waits at a PAUSE hook"
                + (running is null ? " (none is under way)" : $" (its deployment is {running.Status} at {running.LifecycleStage ?? "no stage"}{string.Join(string.Empty, running.Hooks.Select(h => $", hook {h.HookId} {h.Status}"))})")
                + $". Nothing was changed. Get-CruddurService -Cluster {cluster} -Service {service} shows its deployments.", target: service);
        }

        var deployment = await FollowingAsync(cluster, service, current, running, null, cancellationToken).ConfigureAwait(false);
        var what = rollback ? "Roll back" : "Continue";
        if (!_host.ShouldProcess($"{cluster}/{service}", $"{what} the deployment of {deployment.TargetRevision} paused at {running.LifecycleStage} (PAUSE hook {hook.HookId})"))
        {
            return null;
        }

        await _ecs.ContinueServiceDeploymentAsync(running.Arn, hook.HookId, rollback, cancellationToken).ConfigureAwait(false);
        _host.WriteVerbose($"{what} {running.Arn} at hook {hook.HookId}");
        await WatchFollowingAsync(deployment, options, cancellationToken).ConfigureAwait(false);
        return deployment;
    }

    /// <summary>The service's deployment under way when it is a traffic-shifting one ECS can still stop (PENDING or IN_PROGRESS, bake included), else null.</summary>
    private async Task<EcsServiceDeployment?> UnfinishedServiceDeploymentAsync(EcsService service, CancellationToken cancellationToken)
    {
        if (service.CurrentServiceDeployment is not { } arn)
        {
            return null;
        }

        var found = (await _ecs.DescribeServiceDeploymentsAsync([arn], cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        return found is { Status: "PENDING" or "IN_PROGRESS" } && StrategyConfiguration.FromEcsName(found.Strategy) is { } strategy && strategy.ShiftsTraffic() ? found : null;
    }

    /// <summary>Undo during a deployment or its bake: StopServiceDeployment ROLLBACK, watched until traffic is back on blue and green is gone.</summary>
    private async Task<Deployment?> StopAsync(string cluster, string service, EcsService current, EcsServiceDeployment running, DeployOptions options, CancellationToken cancellationToken)
    {
        var green = await FollowingAsync(cluster, service, current, running, UndoMethod.StoppedDeployment, cancellationToken).ConfigureAwait(false);
        var blue = string.Join(", ", green.SourceRevisions);
        if (!_host.ShouldProcess($"{cluster}/{service}", $"Stop the deployment of {green.TargetRevision} at {running.LifecycleStage} and return traffic to {blue} (StopServiceDeployment ROLLBACK)"))
        {
            return null;
        }

        await _ecs.StopServiceDeploymentAsync(running.Arn, cancellationToken).ConfigureAwait(false);
        _host.WriteVerbose($"Stopped {running.Arn} with ROLLBACK");
        await WatchFollowingAsync(green, options, rolledBackIsSuccess: true, cancellationToken).ConfigureAwait(false);
        return green;
    }

    /// <summary>A Deployment for a service deployment already under way, named by its target revision, with what it replaces.</summary>
    private async Task<Deployment> FollowingAsync(string cluster, string service, EcsService current, EcsServiceDeployment running, UndoMethod? undo, CancellationToken cancellationToken)
    {
        var revisions = running.SourceRevisions.Select(r => r.Arn).Concat(running.TargetRevision is { } t ? [t.Arn] : []).ToList();
        var names = await _ecs.DescribeServiceRevisionsAsync(revisions, cancellationToken).ConfigureAwait(false);
        var targetArn = running.TargetRevision is { } target && names.TryGetValue(target.Arn, out var arn) ? arn : current.TaskDefinition!;
        var source = running.SourceRevisions.Select(r => names.GetValueOrDefault(r.Arn)).OfType<string>().ToList();
        var ours = current.Deployments.FirstOrDefault(d => d.TaskDefinition == targetArn);
        var deployment = new Deployment
        {
            Cluster = cluster,
            Service = service,
            TaskDefinitionArn = targetArn,
            PreviousTaskDefinitionArn = source.FirstOrDefault(),
            DeploymentId = ours?.Id ?? string.Empty,
            ServiceDeploymentArn = running.Arn,
            Strategy = StrategyConfiguration.FromEcsName(running.Strategy) ?? DeploymentStrategy.BlueGreen,
        };
        deployment.Undo = undo;
        deployment.TargetRevision = AwsArn.TaskDefinitionName(targetArn);
        deployment.SourceRevisions = source.Select(AwsArn.TaskDefinitionName).ToList();
        deployment.Stage = running.LifecycleStage;
        return deployment;
    }

    private Task WatchFollowingAsync(Deployment deployment, DeployOptions options, CancellationToken cancellationToken) =>
        WatchFollowingAsync(deployment, options, rolledBackIsSuccess: false, cancellationToken);

    /// <summary>Watches a deployment under way to its end (or to -WaitUntil) and decides its outcome; a stop's rollback that succeeded is the undo's success.</summary>
    private async Task WatchFollowingAsync(Deployment deployment, DeployOptions options, bool rolledBackIsSuccess, CancellationToken cancellationToken)
    {
        if (!options.Wait)
        {
            return;
        }

        var watch = new ServiceWatch(deployment, 1) { ReachAt = rolledBackIsSuccess ? null : LifecycleStages.IndexOf(options.WaitUntil) };
        await WatchOrExplainAsync([watch], options.Timeout, cancellationToken).ConfigureAwait(false);
        if (deployment.Outcome == DeploymentOutcome.Unknown)
        {
            return;
        }

        var state = rolledBackIsSuccess && watch.State == WatchState.RolledBackByEcs ? WatchState.Succeeded : watch.State;
        Decide(deployment, state, state == WatchState.Succeeded ? [] : [watch.Reason ?? "the deployment failed"]);
        if (deployment.Outcome == DeploymentOutcome.Succeeded && rolledBackIsSuccess && deployment.PreviousTaskDefinitionArn is { } blue)
        {
            await RecordAsync(ReleaseHistory.MarkUndoneAsync, deployment.TaskDefinitionArn, cancellationToken).ConfigureAwait(false);
            _host.WriteInformation($"{deployment.Cluster}/{deployment.Service}: traffic is back on {AwsArn.TaskDefinitionName(blue)}; {deployment.TargetRevision} was stopped.", "Undo");
        }
    }
}
