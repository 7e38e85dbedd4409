namespace Cruddur.EcsSimulator;

/// <summary>
/// The rolling update (deploymentConfiguration.strategy ROLLING, the default) and the deployment circuit breaker, which ECS
/// applies to rolling updates only. Blue/green, linear and canary services come here too once their own deployment has
/// finished, for the scheduler's everyday work: keeping the desired count running.
/// </summary>
public sealed partial class SimState
{
    private const string ScalingReason = "Scaling activity initiated by (deployment {0})";

    private static string ScalingActivity(DeploymentRec d) => string.Format(System.Globalization.CultureInfo.InvariantCulture, ScalingReason, d.Id);

    private void ReconcileRolling(ServiceRec svc, List<TaskRec> all, double now)
    {
        var primary = svc.Deployments[0];
        if (primary.ServiceDeployment is { Status: Sd.Pending } pending)
        {
            pending.SetStatus(Sd.InProgress);
        }
        else if (primary.ServiceDeployment is { Status: Sd.RollbackRequested, Rollback: { } requested } sd && now >= requested.StartedAt + Scaled(StageSeconds))
        {
            sd.SetStatus(Sd.RollbackInProgress);
        }
        var primaryLive = all.Where(t => ReferenceEquals(t.Deployment, primary) && t.IsLive).ToList();
        if (primary.RolloutState != "FAILED")
        {
            ScaleDeployment(svc, primary, primaryLive, now);
        }
        var primaryReady = primaryLive.Count(t => t.IsReady);
        if (svc.Deployments.Count > 1 && primary.RolloutState != "FAILED")
        {
            DrainOlderDeployments(svc, primary, all, primaryReady, now);
        }
        if (primary.RolloutState == "IN_PROGRESS" && svc.Deployments.Count == 1
            && primaryReady == primary.DesiredCount && primaryLive.Count == primary.DesiredCount)
        {
            CompleteDeployment(svc, primary, now);
        }
    }

    /// <summary>Launches the tasks a deployment lacks (after the failure back-off) or stops the ones it has too many of.</summary>
    private void ScaleDeployment(ServiceRec svc, DeploymentRec dep, List<TaskRec> live, double now)
    {
        var need = dep.DesiredCount - live.Count;
        if (need > 0 && now >= svc.NextLaunchAllowedAt)
        {
            var started = new List<TaskRec>();
            for (var i = 0; i < need; i++)
            {
                started.Add(LaunchTask(svc.Cluster, dep.TaskDef, svc, dep, dep.Id, $"service:{svc.Name}",
                    ScenarioFor(svc, dep.TaskDef), svc.EnableExecuteCommand, svc.LaunchType, svc.NetworkConfiguration, null));
            }
            live.AddRange(started);
            dep.UpdatedAt = now;
            AddEvent(svc, $"(service {svc.Name}) has started {started.Count} tasks: {string.Join(" ", started.Select(t => $"(task {t.Id})"))}.");
        }
        else if (need < 0)
        {
            var victims = live.OrderByDescending(t => t.IsReady ? 0 : 1).ThenByDescending(t => t.CreatedAt).Take(-need).ToList();
            StopTasks(svc, victims, dep);
            live.RemoveAll(victims.Contains);
            dep.UpdatedAt = now;
        }
    }

    /// <summary>Stops tasks for a deployment's scaling activity, with the service event ECS writes.</summary>
    private void StopTasks(ServiceRec svc, List<TaskRec> tasks, DeploymentRec initiator)
    {
        if (tasks.Count == 0)
        {
            return;
        }
        foreach (var t in tasks)
        {
            StopTask(t, ScalingActivity(initiator), "ServiceSchedulerInitiated");
        }
        AddEvent(svc, $"(service {svc.Name}) has stopped {tasks.Count} running tasks: {string.Join(" ", tasks.Select(t => $"(task {t.Id})"))}.");
    }

    /// <summary>Stops older deployments' tasks as the primary's become ready (minimumHealthyPercent 100).</summary>
    private void DrainOlderDeployments(ServiceRec svc, DeploymentRec primary, List<TaskRec> all, int primaryReady, double now)
    {
        var olderLive = all.Where(t => !ReferenceEquals(t.Deployment, primary) && t.IsLive).ToList();
        var totalReady = primaryReady + olderLive.Count(t => t.IsReady);
        var stopping = olderLive.Where(t => !t.IsReady).ToList();
        var excess = totalReady - svc.DesiredCount;
        stopping.AddRange(olderLive.Where(t => t.IsReady).OrderBy(t => t.CreatedAt).Take(Math.Max(excess, 0)));
        StopTasks(svc, stopping, primary);
        foreach (var d in svc.Deployments.Skip(1))
        {
            var live = all.Count(t => ReferenceEquals(t.Deployment, d) && t.IsLive);
            if (d.DesiredCount != live)
            {
                d.DesiredCount = live;
                d.UpdatedAt = now;
            }
        }
        // An older deployment disappears once its last task has STOPPED and the primary carries the load.
        if (primaryReady >= primary.DesiredCount)
        {
            svc.Deployments.RemoveAll(d => !ReferenceEquals(d, primary)
                && all.Where(t => ReferenceEquals(t.Deployment, d)).All(t => t.LastStatus == Status.Stopped));
        }
    }

    /// <summary>The primary carries the whole desired count alone: COMPLETED, a steady state, and its ServiceDeployment done.</summary>
    private void CompleteDeployment(ServiceRec svc, DeploymentRec primary, double now)
    {
        primary.RolloutState = "COMPLETED";
        primary.RolloutStateReason = $"ECS deployment {primary.Id} completed.";
        primary.UpdatedAt = now;
        svc.LastCompleted = primary;
        AddEvent(svc, $"(service {svc.Name}) (deployment {primary.Id}) deployment completed.");
        AddEvent(svc, $"(service {svc.Name}) has reached a steady state.");
        if (primary.ServiceDeployment is { } sd && !Sd.IsFinished(sd.Status))
        {
            FinishServiceDeployment(sd, sd.Status is Sd.RollbackRequested or Sd.RollbackInProgress ? Sd.RollbackSuccessful : Sd.Successful);
        }
    }

    /// <summary>A task of a service failed (crash or health check): failedTasks, back-off, circuit breaker.</summary>
    private void OnTaskFailed(TaskRec t)
    {
        if (t.Service is not { } svc || t.Deployment is not { } dep)
        {
            return;
        }
        dep.FailedTasks++;
        dep.UpdatedAt = Now;
        svc.NextLaunchAllowedAt = Now + Scaled(RestartBackoffSeconds);
        // The circuit breaker watches rolling updates only (DeploymentCircuitBreaker: "can only be used for services using
        // the rolling update (ECS) deployment type").
        if (!ReferenceEquals(svc.Deployments.FirstOrDefault(), dep) || dep.RolloutState != "IN_PROGRESS" || !svc.CircuitBreakerEnabled
            || dep.ServiceDeployment is { Strategy: not Sd.Rolling })
        {
            return;
        }
        if (dep.FailedTasks < CircuitBreakerThreshold(dep.DesiredCount))
        {
            return;
        }
        dep.RolloutState = "FAILED";
        dep.RolloutStateReason = "ECS deployment circuit breaker: tasks failed to start.";
        AddEvent(svc, $"(service {svc.Name}) deployment {dep.Id} deployment failed: tasks failed to start.");
        var sd = dep.ServiceDeployment;
        if (svc.CircuitBreakerRollback && svc.LastCompleted is { } good)
        {
            var rollback = NewDeployment(svc, good.Revision, dep.DesiredCount, sd);
            rollback.RolloutStateReason = $"ECS deployment circuit breaker: rolling back to deploymentId {good.Id}.";
            AddEvent(svc, $"(service {svc.Name}) rolling back to deployment {good.Id}.");
        }
        if (sd is not null)
        {
            OnCircuitBreakerTripped(sd, dep.RolloutStateReason, svc.CircuitBreakerRollback ? svc.LastCompleted : null);
        }
    }
}
