using System.Globalization;
using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>
/// Service deployments and service revisions (Developer Guide: "View service history using Amazon ECS service deployments",
/// "Amazon ECS service revisions"): every deployment a service starts, whatever its strategy, gets a ServiceDeployment
/// record (PENDING → IN_PROGRESS → SUCCESSFUL, or STOPPED / ROLLBACK_*) and a service revision of the configuration it rolls out.
/// </summary>
public sealed partial class SimState
{
    public Dictionary<string, ServiceDeploymentRec> ServiceDeployments { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, ServiceRevisionRec> ServiceRevisions { get; } = new(StringComparer.Ordinal);

    private const string Base64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>A service deployment id looks like <c>NCWGC2ZR-taawPAYrIaU5</c>: 21 URL-safe base64 characters.</summary>
    public static string UrlSafeId(int length) =>
        string.Concat(Enumerable.Range(0, length).Select(_ => Base64Url[Random.Shared.Next(Base64Url.Length)]));

    private void ResetServiceDeployments()
    {
        ServiceDeployments.Clear();
        ServiceRevisions.Clear();
        ResetLifecycleHooks();
        ResetTraffic();
    }

    /// <summary>ECS deletes a service's deployments with the service.</summary>
    private void ForgetServiceDeployments(ServiceRec svc)
    {
        foreach (var sd in svc.History.Deployments)
        {
            ServiceDeployments.Remove(sd.Arn);
            ServiceRevisions.Remove(sd.Target.Arn);
        }
        svc.History.Deployments.Clear();
    }

    /// <summary>Starts a service deployment of <paramref name="td"/> with the service's current configuration: a new
    /// revision, a new PRIMARY deployment and its ServiceDeployment. An unfinished previous one is STOPPED. Its createdAt
    /// is at least a millisecond after the previous one's, so the createdAt filters of ListServiceDeployments tell two
    /// deployments started within one millisecond apart.</summary>
    public DeploymentRec StartDeployment(ServiceRec svc, TaskDefRec td)
    {
        var now = Math.Max(Now, (svc.History.Deployments.LastOrDefault()?.CreatedAt ?? 0) + 0.001);
        StopCurrentServiceDeployment(svc);
        var strategy = svc.Strategy;
        var existing = svc.Deployments.ToList();
        var revision = NewRevision(svc, td, strategy);
        var sd = new ServiceDeploymentRec
        {
            Arn = $"arn:aws:ecs:{svc.Region}:{Account}:service-deployment/{svc.Cluster.Name}/{svc.Name}/{UrlSafeId(21)}",
            Service = svc,
            Strategy = strategy,
            Configuration = (JsonObject)svc.DeploymentConfiguration.DeepClone(),
            Target = revision,
            Deployment = null!,
            Sources = strategy == Sd.Rolling
                ? existing
                : existing.Where(d => ReferenceEquals(d, svc.LastCompleted)).ToList(),
            RequestedCount = svc.DesiredCount,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var dep = NewDeployment(svc, revision, svc.DesiredCount, sd);
        sd.Deployment = dep;
        if (strategy != Sd.Rolling)
        {
            sd.Run = NewRun(sd, reconcile: existing.Any(d => !ReferenceEquals(d, svc.LastCompleted)));
        }
        svc.History.Deployments.Add(sd);
        ServiceDeployments[sd.Arn] = sd;
        return dep;
    }

    /// <summary>A new deployment (or deleting the service) stops the one under way: STOPPED.</summary>
    public void StopCurrentServiceDeployment(ServiceRec svc)
    {
        if (svc.History.Current is { } current && !Sd.IsFinished(current.Status))
        {
            FinishServiceDeployment(current, Sd.Stopped);
        }
    }

    private ServiceRevisionRec NewRevision(ServiceRec svc, TaskDefRec td, string strategy)
    {
        var loadBalancers = (JsonArray)svc.LoadBalancers.DeepClone();
        var production = svc.LastCompleted?.Revision;
        var targetGroups = loadBalancers.Select((lb, i) => GreenTargetGroup(lb as JsonObject, strategy, production, i)).ToList();
        var id = Random.Shared.NextInt64(1_000_000_000_000_000_000L, long.MaxValue).ToString(CultureInfo.InvariantCulture);
        var revision = new ServiceRevisionRec
        {
            Arn = $"arn:aws:ecs:{svc.Region}:{Account}:service-revision/{svc.Cluster.Name}/{svc.Name}/{id}",
            Service = svc,
            TaskDef = td,
            LoadBalancers = loadBalancers,
            ServiceRegistries = (JsonArray)svc.ServiceRegistries.DeepClone(),
            NetworkConfiguration = Json.Clone(svc.NetworkConfiguration),
            ServiceConnectConfiguration = Json.Clone(svc.ServiceConnectConfiguration) as JsonObject,
            LaunchType = svc.LaunchType,
            CreatedAt = Now,
            TargetGroups = targetGroups,
        };
        ServiceRevisions[revision.Arn] = revision;
        return revision;
    }

    /// <summary>The target group a new revision's tasks register in: for blue/green-family strategies the one of the pair
    /// that production does not use (targetGroupArn the first time); otherwise targetGroupArn.</summary>
    private static string? GreenTargetGroup(JsonObject? lb, string strategy, ServiceRevisionRec? production, int index)
    {
        var primary = lb is null ? null : Json.Str(lb, "targetGroupArn");
        if (strategy == Sd.Rolling || lb?["advancedConfiguration"] is not JsonObject advanced || Json.Str(advanced, "alternateTargetGroupArn") is not { } alternate)
        {
            return primary;
        }
        var live = production is not null && index < production.TargetGroups.Count ? production.TargetGroups[index] : null;
        return live == primary ? alternate : primary;
    }

    /// <summary>A service deployment reached a final status; its task counts are kept as they are now.</summary>
    private void FinishServiceDeployment(ServiceDeploymentRec sd, string status, string? reason = null)
    {
        sd.SetStatus(status, reason);
        sd.FinishedAt = sd.UpdatedAt;
        if (status == Sd.Stopped)
        {
            sd.StoppedAt = sd.FinishedAt;
        }
        sd.FinalCounts = sd.Sources.Append(sd.Deployment).Distinct().ToDictionary(d => d, CountsOf);
        if (sd.Run is { } run)
        {
            run.Finished = status != Sd.RollbackFailed;
            run.Halted = true;
        }
    }

    /// <summary>requestedTaskCount, runningTaskCount and pendingTaskCount of a deployment now.</summary>
    public (int Requested, int Running, int Pending) CountsOf(DeploymentRec d)
    {
        var tasks = TasksOf(d).ToList();
        return (d.DesiredCount, tasks.Count(t => t.IsRunning), tasks.Count(t => t.IsPending));
    }

    /// <summary>The rolling circuit breaker tripped: with rollback the deployment rolls back to the last completed
    /// revision; without it (or with nothing to return to) it stops.</summary>
    private void OnCircuitBreakerTripped(ServiceDeploymentRec sd, string reason, DeploymentRec? rollbackTo)
    {
        sd.CircuitBreakerTriggered = true;
        if (sd.Status is Sd.RollbackRequested or Sd.RollbackInProgress)
        {
            FinishServiceDeployment(sd, Sd.RollbackFailed, reason);
        }
        else if (rollbackTo is null)
        {
            FinishServiceDeployment(sd, sd.Service.CircuitBreakerRollback ? Sd.RollbackFailed : Sd.Stopped, reason);
        }
        else
        {
            sd.SetStatus(Sd.RollbackInProgress, reason);
            sd.Rollback = new RollbackRec(reason, Now, rollbackTo.Revision.Arn);
        }
    }

    /// <summary>StopServiceDeployment (ROLLBACK) of a rolling deployment: a new deployment of the last completed revision
    /// replaces the stopped one's tasks, as a circuit-breaker rollback does.</summary>
    public void RollBackRolling(ServiceDeploymentRec sd, string reason)
    {
        var svc = sd.Service;
        var dep = sd.Deployment;
        if (svc.LastCompleted is not { } good || ReferenceEquals(good, dep))
        {
            FinishServiceDeployment(sd, Sd.RollbackFailed, $"{reason} (there is no earlier completed deployment to roll back to)");
            return;
        }
        sd.SetStatus(Sd.RollbackRequested, reason);
        sd.Rollback = new RollbackRec(reason, Now, good.Revision.Arn);
        dep.RolloutState = "FAILED";
        dep.RolloutStateReason = reason;
        NewDeployment(svc, good.Revision, dep.DesiredCount, sd);
        AddEvent(svc, $"(service {svc.Name}) rolling back to deployment {good.Id}.");
    }
}
