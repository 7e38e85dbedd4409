using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>Service deployments and revisions: ListServiceDeployments, DescribeServiceDeployments,
/// DescribeServiceRevisions, StopServiceDeployment, ContinueServiceDeployment.</summary>
public sealed partial class EcsApi
{
    private const int MaxDescribedArns = 20;

    private JsonObject ListServiceDeployments(JsonObject req, string region)
    {
        var cluster = Cluster(req, region);
        var name = Json.Str(req, "service") ?? throw EcsError.InvalidParameter("Service name can not be blank.");
        var svc = FindService(cluster, name) ?? throw EcsError.ServiceNotFound();
        var statuses = Json.StrList(req, "status");
        if (statuses.FirstOrDefault(st => !Sd.IsStatus(st)) is { } bad)
        {
            throw EcsError.InvalidParameter($"Invalid service deployment status '{bad}'.");
        }
        var created = req["createdAt"] as JsonObject ?? [];
        var before = Json.Double(created, "before") ?? double.MaxValue;
        var after = Json.Double(created, "after") ?? double.MinValue;
        if (Json.Int(req, "maxResults") is { } max && max is < 1 or > 100)
        {
            throw EcsError.InvalidParameter("maxResults must be between 1 and 100.");
        }
        var matching = svc.History.Deployments.AsEnumerable().Reverse()
            .Where(d => (statuses.Count == 0 || statuses.Contains(d.Status)) && d.CreatedAt < before && d.CreatedAt > after)
            .ToList();
        var (page, next) = Paginate(matching, req, 20);
        return WithToken(new JsonObject { ["serviceDeployments"] = Json.Array(page.Select(d => (JsonNode?)BriefJson(d))) }, next);
    }

    private JsonObject DescribeServiceDeployments(JsonObject req, string region) =>
        DescribeByArn(req, "serviceDeploymentArns", "serviceDeployments", arn =>
            s.ServiceDeployments.TryGetValue(arn, out var d) && d.Service.Region == region ? ServiceDeploymentJson(d) : null);

    private JsonObject DescribeServiceRevisions(JsonObject req, string region) =>
        DescribeByArn(req, "serviceRevisionArns", "serviceRevisions", arn =>
            s.ServiceRevisions.TryGetValue(arn, out var r) && r.Service.Region == region ? RevisionJson(r) : null);

    /// <summary>Up to 20 ARNs; an unknown one is a failure with reason MISSING.</summary>
    private static JsonObject DescribeByArn(JsonObject req, string param, string member, Func<string, JsonObject?> describe)
    {
        var arns = Json.StrList(req, param);
        if (arns.Count == 0)
        {
            throw EcsError.InvalidParameter($"{param} can not be empty.");
        }
        if (arns.Count > MaxDescribedArns)
        {
            throw EcsError.InvalidParameter($"{param} can have at most {MaxDescribedArns} elements.");
        }
        var found = new JsonArray();
        var failures = new JsonArray();
        foreach (var arn in arns)
        {
            if (describe(arn) is { } o)
            {
                found.Add(o);
            }
            else
            {
                failures.Add(new JsonObject { ["arn"] = arn, ["reason"] = "MISSING" });
            }
        }
        return new JsonObject { [member] = found, ["failures"] = failures };
    }

    private ServiceDeploymentRec FindServiceDeployment(JsonObject req, string region)
    {
        var arn = Json.Str(req, "serviceDeploymentArn") ?? throw EcsError.InvalidParameter("serviceDeploymentArn can not be blank.");
        return s.ServiceDeployments.TryGetValue(arn, out var sd) && sd.Service.Region == region
            ? sd
            : throw new EcsError("ServiceDeploymentNotFoundException", $"The service deployment {arn} does not exist.");
    }

    /// <summary>stopType ROLLBACK (the only one ECS documents; also when omitted) rolls the deployment back, even without
    /// a rollback option configured. A deployment already stopping or rolling back goes on doing so.</summary>
    private JsonObject StopServiceDeployment(JsonObject req, string region)
    {
        var sd = FindServiceDeployment(req, region);
        var stopType = Json.Str(req, "stopType") ?? Sd.Rollback;
        if (stopType != Sd.Rollback)
        {
            throw EcsError.InvalidParameter($"Invalid stopType '{stopType}'. The valid value is ROLLBACK.");
        }
        if (Sd.IsFinished(sd.Status))
        {
            throw new EcsError("ConflictException", $"The service deployment {sd.Arn} is {sd.Status} and can no longer be stopped.");
        }
        if (sd.Status is Sd.Pending or Sd.InProgress)
        {
            const string reason = "Rollback requested by StopServiceDeployment.";
            if (sd.Run is not null)
            {
                s.StartRollback(sd, reason, Sd.RollbackRequested);
            }
            else
            {
                s.RollBackRolling(sd, reason);
            }
        }
        return new JsonObject { ["serviceDeploymentArn"] = sd.Arn };
    }

    /// <summary>Resolves a PAUSE hook that is AWAITING_ACTION: CONTINUE (the default) lets the deployment go on, ROLLBACK
    /// rolls it back.</summary>
    private JsonObject ContinueServiceDeployment(JsonObject req, string region)
    {
        var sd = FindServiceDeployment(req, region);
        var hookId = Json.Str(req, "hookId") ?? throw EcsError.InvalidParameter("hookId can not be blank.");
        var action = Json.Str(req, "action") ?? Sd.Continue;
        if (action is not (Sd.Continue or Sd.Rollback))
        {
            throw EcsError.InvalidParameter($"Invalid action '{action}'. Valid values: CONTINUE, ROLLBACK.");
        }
        var hook = sd.Hooks.FirstOrDefault(h => h.HookId == hookId && h.TargetType == Sd.Pause)
            ?? throw EcsError.InvalidParameter($"The service deployment {sd.Arn} has no pause hook {hookId}.");
        if (hook.Status != Sd.AwaitingAction || sd.Status != Sd.InProgress)
        {
            throw EcsError.InvalidParameter($"The pause hook {hookId} is {hook.Status} and the service deployment is {sd.Status}; only a hook in AWAITING_ACTION of a deployment IN_PROGRESS can be continued.");
        }
        sd.UpdatedAt = SimState.Now;
        if (action == Sd.Continue)
        {
            hook.Status = Sd.Succeeded;
        }
        else
        {
            hook.Status = Sd.Failed;
            hook.Reason = $"Rollback requested by ContinueServiceDeployment for lifecycle hook {hookId}.";
            s.StartRollback(sd, hook.Reason, Sd.RollbackRequested);
        }
        return new JsonObject { ["serviceDeploymentArn"] = sd.Arn };
    }

    // ================================================================== shapes

    private static JsonObject BriefJson(ServiceDeploymentRec d)
    {
        var o = new JsonObject
        {
            ["serviceDeploymentArn"] = d.Arn,
            ["serviceArn"] = d.Service.Arn,
            ["clusterArn"] = d.Service.Cluster.Arn,
            ["createdAt"] = Json.Time(d.CreatedAt),
            ["targetServiceRevisionArn"] = d.Target.Arn,
            ["status"] = d.Status,
        };
        Json.PutTime(o, "startedAt", d.StartedAt);
        Json.PutTime(o, "finishedAt", d.FinishedAt);
        Json.PutStr(o, "statusReason", d.StatusReason);
        return o;
    }

    private JsonObject ServiceDeploymentJson(ServiceDeploymentRec d)
    {
        var o = new JsonObject
        {
            ["serviceDeploymentArn"] = d.Arn,
            ["serviceArn"] = d.Service.Arn,
            ["clusterArn"] = d.Service.Cluster.Arn,
            ["createdAt"] = Json.Time(d.CreatedAt),
            ["updatedAt"] = Json.Time(d.UpdatedAt),
            ["sourceServiceRevisions"] = Json.Array(d.Sources.Select(src => (JsonNode?)DeploymentRevisionSummary(d, src, green: false))),
            ["targetServiceRevision"] = DeploymentRevisionSummary(d, d.Deployment, green: true),
            ["status"] = d.Status,
            ["deploymentConfiguration"] = d.Configuration.DeepClone(),
            ["deploymentCircuitBreaker"] = CircuitBreakerJson(d),
            ["alarms"] = AlarmsJson(d),
        };
        Json.PutTime(o, "startedAt", d.StartedAt);
        Json.PutTime(o, "finishedAt", d.FinishedAt);
        Json.PutTime(o, "stoppedAt", d.StoppedAt);
        Json.PutStr(o, "statusReason", d.StatusReason);
        if (d.Run is not null)
        {
            Json.PutStr(o, "lifecycleStage", d.LifecycleStage);
            o["lifecycleHookDetails"] = Json.Array(d.Hooks.Select(h => (JsonNode?)HookJson(h)));
        }
        if (d.Rollback is { } rollback)
        {
            o["rollback"] = new JsonObject
            {
                ["reason"] = rollback.Reason,
                ["startedAt"] = Json.Time(rollback.StartedAt),
                ["serviceRevisionArn"] = rollback.ServiceRevisionArn,
            };
        }
        return o;
    }

    private static JsonObject HookJson(HookRun h)
    {
        var o = new JsonObject { ["hookId"] = h.HookId, ["targetType"] = h.TargetType };
        Json.PutStr(o, "targetArn", h.TargetArn);
        o["status"] = h.Status;
        o["expiresAt"] = Json.Time(h.ExpiresAt);
        o["timeoutAction"] = h.TimeoutAction;
        return o;
    }

    /// <summary>A ServiceRevisionSummary: counts live while the deployment runs, as they were when it finished; for
    /// blue/green-family deployments with a load balancer also the requested traffic shares.</summary>
    private JsonObject DeploymentRevisionSummary(ServiceDeploymentRec d, DeploymentRec dep, bool green)
    {
        var counts = d.FinalCounts is { } final && final.TryGetValue(dep, out var c) ? c : s.CountsOf(dep);
        var o = RevisionSummary(dep.Revision.Arn, counts);
        if (d.Run is { } run && d.Target.LoadBalancers.OfType<JsonObject>().Any(lb => lb["advancedConfiguration"] is JsonObject))
        {
            o["requestedTestTrafficWeight"] = green ? run.TestPercent : 100 - run.TestPercent;
            o["requestedProductionTrafficWeight"] = green ? run.ProductionPercent : 100 - run.ProductionPercent;
        }
        return o;
    }

    private static JsonObject RevisionSummary(string arn, (int Requested, int Running, int Pending) counts) => new()
    {
        ["arn"] = arn,
        ["requestedTaskCount"] = counts.Requested,
        ["runningTaskCount"] = counts.Running,
        ["pendingTaskCount"] = counts.Pending,
    };

    /// <summary>The rolling circuit breaker's view; DISABLED when it is off or the strategy is not ROLLING.</summary>
    private static JsonObject CircuitBreakerJson(ServiceDeploymentRec d)
    {
        var enabled = d.Strategy == Sd.Rolling && d.Configuration["deploymentCircuitBreaker"] is JsonObject cb && Json.Bool(cb, "enable") == true;
        if (!enabled)
        {
            return new JsonObject { ["status"] = Sd.Disabled };
        }
        return new JsonObject
        {
            ["status"] = d.CircuitBreakerTriggered ? Sd.Triggered : Sd.IsFinished(d.Status) ? Sd.MonitoringComplete : Sd.Monitoring,
            ["failureCount"] = d.Deployment.FailedTasks,
            ["threshold"] = SimState.CircuitBreakerThreshold(d.RequestedCount),
        };
    }

    /// <summary>CloudWatch alarms are not evaluated here: configured ones show as monitored, never triggered.</summary>
    private static JsonObject AlarmsJson(ServiceDeploymentRec d)
    {
        if (d.Configuration["alarms"] is not JsonObject alarms || Json.Bool(alarms, "enable") != true)
        {
            return new JsonObject { ["status"] = Sd.Disabled };
        }
        return new JsonObject
        {
            ["status"] = Sd.IsFinished(d.Status) ? Sd.MonitoringComplete : Sd.Monitoring,
            ["alarmNames"] = Json.StrArray(Json.StrList(alarms, "alarmNames")),
        };
    }

    private static JsonObject RevisionJson(ServiceRevisionRec r)
    {
        var o = new JsonObject
        {
            ["serviceRevisionArn"] = r.Arn,
            ["serviceArn"] = r.Service.Arn,
            ["clusterArn"] = r.Service.Cluster.Arn,
            ["taskDefinition"] = r.TaskDef.Arn,
            ["launchType"] = r.LaunchType,
            ["platformVersion"] = "1.4.0",
            ["platformFamily"] = "Linux",
            ["loadBalancers"] = r.LoadBalancers.DeepClone(),
            ["serviceRegistries"] = r.ServiceRegistries.DeepClone(),
            ["containerImages"] = Json.Array(r.TaskDef.Containers.Select(c => (JsonNode?)new JsonObject
            {
                ["containerName"] = Json.Str(c, "name"),
                ["image"] = Json.Str(c, "image"),
            })),
            ["guardDutyEnabled"] = false,
            ["createdAt"] = Json.Time(r.CreatedAt),
        };
        Json.Put(o, "networkConfiguration", Json.Clone(r.NetworkConfiguration));
        Json.Put(o, "serviceConnectConfiguration", Json.Clone(r.ServiceConnectConfiguration));
        var resolved = new JsonArray();
        for (var i = 0; i < r.LoadBalancers.Count; i++)
        {
            if (r.TargetGroups[i] is not { } tg)
            {
                continue;
            }
            var lb = new JsonObject { ["targetGroupArn"] = tg };
            Json.PutStr(lb, "productionListenerRule", r.LoadBalancers[i]?["advancedConfiguration"] is JsonObject advanced ? Json.Str(advanced, "productionListenerRule") : null);
            resolved.Add(lb);
        }
        if (resolved.Count > 0)
        {
            o["resolvedConfiguration"] = new JsonObject { ["loadBalancers"] = resolved };
        }
        return o;
    }
}
