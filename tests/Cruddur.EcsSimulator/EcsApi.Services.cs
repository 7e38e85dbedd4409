using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>Services and their deployments: create, update (new deployments), delete, describe, list.</summary>
public sealed partial class EcsApi
{
    private JsonObject DeploymentJson(ServiceRec svc, DeploymentRec d)
    {
        var tasks = s.TasksOf(d).ToList();
        var o = new JsonObject
        {
            ["id"] = d.Id,
            ["status"] = d.Status,
            ["taskDefinition"] = d.TaskDef.Arn,
            ["desiredCount"] = d.DesiredCount,
            ["pendingCount"] = tasks.Count(t => t.IsPending),
            ["runningCount"] = tasks.Count(t => t.IsRunning),
            ["failedTasks"] = d.FailedTasks,
            ["createdAt"] = Json.Time(d.CreatedAt),
            ["updatedAt"] = Json.Time(d.UpdatedAt),
            ["launchType"] = d.LaunchType,
            ["platformVersion"] = d.PlatformVersion,
            ["platformFamily"] = "Linux",
            ["rolloutState"] = d.RolloutState,
            ["rolloutStateReason"] = d.RolloutStateReason,
        };
        Json.Put(o, "networkConfiguration", Json.Clone(d.NetworkConfiguration));
        if (d.ServiceConnectConfiguration is { } scc)
        {
            o["serviceConnectConfiguration"] = scc.DeepClone();
            var ns = Json.Str(scc, "namespace") ?? "";
            o["serviceConnectResources"] = Json.Array((scc["services"] as JsonArray ?? []).OfType<JsonObject>().Select(x => (JsonNode?)new JsonObject
            {
                ["discoveryName"] = Json.Str(x, "discoveryName") ?? Json.Str(x, "portName"),
                ["discoveryArn"] = $"arn:aws:servicediscovery:{svc.Region}:{Account}:service/srv-{StableHex(ns + "/" + (Json.Str(x, "discoveryName") ?? Json.Str(x, "portName")))}",
            }));
        }
        return o;
    }

    private static string StableHex(string seed) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed)))[..16].ToLowerInvariant();

    private JsonObject ServiceJson(ServiceRec svc, bool tags)
    {
        var tasks = s.TasksOf(svc).ToList();
        var primary = svc.Deployments.FirstOrDefault();
        var o = new JsonObject
        {
            ["serviceArn"] = svc.Arn,
            ["serviceName"] = svc.Name,
            ["clusterArn"] = svc.Cluster.Arn,
            ["loadBalancers"] = svc.LoadBalancers.DeepClone(),
            ["serviceRegistries"] = svc.ServiceRegistries.DeepClone(),
            ["status"] = svc.Status,
            ["desiredCount"] = svc.DesiredCount,
            ["runningCount"] = tasks.Count(t => t.IsRunning),
            ["pendingCount"] = tasks.Count(t => t.IsPending),
            ["launchType"] = svc.LaunchType,
            ["platformVersion"] = svc.PlatformVersion,
            ["platformFamily"] = "Linux",
            ["taskDefinition"] = primary?.TaskDef.Arn ?? svc.LastCompleted?.TaskDef.Arn,
            ["deploymentConfiguration"] = svc.DeploymentConfiguration.DeepClone(),
            ["deployments"] = Json.Array(svc.Deployments.Select(d => (JsonNode?)DeploymentJson(svc, d))),
            ["events"] = Json.Array(svc.Events.Select(e => (JsonNode?)new JsonObject
            {
                ["id"] = e.Id,
                ["createdAt"] = Json.Time(e.CreatedAt),
                ["message"] = e.Message,
            })),
            ["createdAt"] = Json.Time(svc.CreatedAt),
            ["placementConstraints"] = svc.PlacementConstraints.DeepClone(),
            ["placementStrategy"] = svc.PlacementStrategy.DeepClone(),
            ["schedulingStrategy"] = svc.SchedulingStrategy,
            ["deploymentController"] = new JsonObject { ["type"] = "ECS" },
            ["createdBy"] = $"arn:aws:iam::{Account}:root",
            ["enableECSManagedTags"] = svc.EnableEcsManagedTags,
            ["propagateTags"] = svc.PropagateTags,
            ["enableExecuteCommand"] = svc.EnableExecuteCommand,
            ["availabilityZoneRebalancing"] = "ENABLED",
            ["currentServiceRevisions"] = Json.Array(svc.Deployments.Select(d => (JsonNode?)RevisionSummary(d.Revision.Arn, s.CountsOf(d)))),
        };
        Json.PutStr(o, "currentServiceDeployment", svc.History.Current?.Arn);
        Json.Put(o, "networkConfiguration", Json.Clone(svc.NetworkConfiguration));
        if (svc.HealthCheckGracePeriodSeconds is { } g)
        {
            o["healthCheckGracePeriodSeconds"] = g;
        }
        if (tags)
        {
            o["tags"] = TagsOf(svc.Arn);
        }
        return o;
    }

    private static JsonObject DefaultDeploymentConfiguration() => new()
    {
        ["deploymentCircuitBreaker"] = new JsonObject { ["enable"] = false, ["rollback"] = false },
        ["maximumPercent"] = 200,
        ["minimumHealthyPercent"] = 100,
    };

    private static void MergeDeploymentConfiguration(JsonObject target, JsonObject? update)
    {
        if (update is null)
        {
            return;
        }
        foreach (var (k, v) in update)
        {
            target[k] = v?.DeepClone();
        }
    }

    private JsonObject? ResolveServiceConnect(ClusterRec cluster, JsonNode? node)
    {
        if (node is not JsonObject scc)
        {
            return null;
        }
        var copy = (JsonObject)scc.DeepClone();
        if (Json.Str(copy, "namespace") is null && cluster.ServiceConnectDefaults is { } d && Json.Str(d, "namespace") is { } ns)
        {
            copy["namespace"] = ns;
        }
        return copy;
    }

    private JsonObject CreateService(JsonObject req, string region)
    {
        var cluster = Cluster(req, region);
        var name = Json.Str(req, "serviceName");
        if (string.IsNullOrEmpty(name))
        {
            throw EcsError.InvalidParameter("Service name can not be blank.");
        }
        var existing = FindService(cluster, name);
        if (existing is not null && existing.Status != "INACTIVE")
        {
            throw EcsError.InvalidParameter("Creation of service was not idempotent.");
        }
        var td = TaskDefForDeploy(region, Json.Str(req, "taskDefinition"));
        var desired = Json.Int(req, "desiredCount") ?? 0;
        if (desired < 0)
        {
            throw EcsError.InvalidParameter("Desired count must be greater than or equal to 0.");
        }
        var dc = DefaultDeploymentConfiguration();
        MergeDeploymentConfiguration(dc, req["deploymentConfiguration"] as JsonObject);
        DeploymentRules.Validate(req["deploymentConfiguration"] as JsonObject, dc, req["loadBalancers"] as JsonArray ?? [], req["serviceConnectConfiguration"] as JsonObject);
        var svc = new ServiceRec
        {
            Region = region,
            Name = name,
            Arn = $"arn:aws:ecs:{region}:{Account}:service/{cluster.Name}/{name}",
            Cluster = cluster,
            DesiredCount = desired,
            LaunchType = Json.Str(req, "launchType") ?? "FARGATE",
            PlatformVersion = Json.Str(req, "platformVersion") ?? "LATEST",
            DeploymentConfiguration = dc,
            NetworkConfiguration = Json.Clone(req["networkConfiguration"]),
            LoadBalancers = req["loadBalancers"] is JsonArray lbs ? (JsonArray)lbs.DeepClone() : [],
            ServiceRegistries = req["serviceRegistries"] is JsonArray srs ? (JsonArray)srs.DeepClone() : [],
            ServiceConnectConfiguration = ResolveServiceConnect(cluster, req["serviceConnectConfiguration"]),
            EnableExecuteCommand = Json.Bool(req, "enableExecuteCommand") ?? false,
            EnableEcsManagedTags = Json.Bool(req, "enableECSManagedTags") ?? false,
            PropagateTags = Json.Str(req, "propagateTags") ?? "NONE",
            HealthCheckGracePeriodSeconds = Json.Int(req, "healthCheckGracePeriodSeconds") ?? (req["loadBalancers"] is JsonArray { Count: > 0 } ? 0 : null),
            SchedulingStrategy = Json.Str(req, "schedulingStrategy") ?? "REPLICA",
            PlacementConstraints = req["placementConstraints"] is JsonArray pc ? (JsonArray)pc.DeepClone() : [],
            PlacementStrategy = req["placementStrategy"] is JsonArray ps ? (JsonArray)ps.DeepClone() : [],
            CreatedAt = SimState.Now,
        };
        if (existing is not null)
        {
            foreach (var t in s.TasksOf(existing).ToList())
            {
                s.ForgetTask(t);
            }
        }
        s.Services[SimState.ServiceKey(region, cluster.Name, name)] = svc;
        s.StartDeployment(svc, td);
        SetTags(svc.Arn, req["tags"]);
        s.Tick();
        return new JsonObject { ["service"] = ServiceJson(svc, false) };
    }

    private ServiceRec ActiveService(JsonObject req, string region, string param)
    {
        var cluster = Cluster(req, region);
        var name = Json.Str(req, param) ?? throw EcsError.InvalidParameter("Service name can not be blank.");
        var svc = FindService(cluster, name) ?? throw EcsError.ServiceNotFound();
        if (svc.Status != "ACTIVE")
        {
            throw EcsError.ServiceNotActive();
        }
        return svc;
    }

    private JsonObject UpdateService(JsonObject req, string region)
    {
        var svc = ActiveService(req, region, "service");
        var primary = svc.Deployments[0];
        TaskDefRec? td = null;
        if (Json.Str(req, "taskDefinition") is { } tdRef)
        {
            td = TaskDefForDeploy(region, tdRef);
        }
        var desired = Json.Int(req, "desiredCount");
        if (desired < 0)
        {
            throw EcsError.InvalidParameter("Desired count must be greater than or equal to 0.");
        }
        var dc = (JsonObject)svc.DeploymentConfiguration.DeepClone();
        MergeDeploymentConfiguration(dc, req["deploymentConfiguration"] as JsonObject);
        DeploymentRules.Validate(req["deploymentConfiguration"] as JsonObject, dc, req["loadBalancers"] as JsonArray ?? svc.LoadBalancers,
            req["serviceConnectConfiguration"] as JsonObject ?? svc.ServiceConnectConfiguration);
        svc.DesiredCount = desired ?? svc.DesiredCount;
        svc.DeploymentConfiguration = dc;
        if (Json.Bool(req, "enableExecuteCommand") is { } exec)
        {
            svc.EnableExecuteCommand = exec;
        }
        if (Json.Str(req, "platformVersion") is { } pv)
        {
            svc.PlatformVersion = pv;
        }
        if (Json.Str(req, "propagateTags") is { } pt)
        {
            svc.PropagateTags = pt;
        }
        if (Json.Bool(req, "enableECSManagedTags") is { } emt)
        {
            svc.EnableEcsManagedTags = emt;
        }
        if (Json.Int(req, "healthCheckGracePeriodSeconds") is { } hc)
        {
            svc.HealthCheckGracePeriodSeconds = hc;
        }
        var newDeployment = Json.Bool(req, "forceNewDeployment") == true || (td is not null && !ReferenceEquals(td, primary.TaskDef));
        if (req["networkConfiguration"] is JsonObject nc)
        {
            newDeployment |= nc.ToJsonString() != svc.NetworkConfiguration?.ToJsonString();
            svc.NetworkConfiguration = nc.DeepClone();
        }
        if (req["loadBalancers"] is JsonArray lbs)
        {
            newDeployment |= lbs.ToJsonString() != svc.LoadBalancers.ToJsonString();
            svc.LoadBalancers = (JsonArray)lbs.DeepClone();
        }
        if (req["serviceConnectConfiguration"] is JsonObject scc)
        {
            svc.ServiceConnectConfiguration = ResolveServiceConnect(svc.Cluster, scc);
            newDeployment = true;
        }
        if (newDeployment)
        {
            s.StartDeployment(svc, td ?? primary.TaskDef);
        }
        else
        {
            primary.DesiredCount = svc.DesiredCount;
            primary.UpdatedAt = SimState.Now;
        }
        s.Tick();
        return new JsonObject { ["service"] = ServiceJson(svc, false) };
    }

    private JsonObject DeleteService(JsonObject req, string region)
    {
        var cluster = Cluster(req, region);
        var name = Json.Str(req, "service") ?? throw EcsError.InvalidParameter("Service name can not be blank.");
        var svc = FindService(cluster, name) ?? throw EcsError.ServiceNotFound();
        if (svc.Status != "ACTIVE")
        {
            throw EcsError.ServiceNotActive();
        }
        if (svc.DesiredCount > 0 && Json.Bool(req, "force") != true)
        {
            throw EcsError.InvalidParameter("The service cannot be stopped while it is scaled above 0.");
        }
        svc.DesiredCount = 0;
        s.StopCurrentServiceDeployment(svc);
        foreach (var d in svc.Deployments)
        {
            d.DesiredCount = 0;
        }
        svc.Status = "DRAINING";
        s.Tick();
        return new JsonObject { ["service"] = ServiceJson(svc, false) };
    }

    private JsonObject DescribeServices(JsonObject req, string region)
    {
        var cluster = Cluster(req, region);
        var names = Json.StrList(req, "services");
        if (names.Count == 0)
        {
            throw EcsError.InvalidParameter("Services cannot be empty.");
        }
        if (names.Count > 10)
        {
            throw EcsError.InvalidParameter("Services cannot contain more than 10 elements.");
        }
        var tags = WantTags(req);
        var services = new JsonArray();
        var failures = new JsonArray();
        foreach (var n in names)
        {
            if (FindService(cluster, n) is { } svc)
            {
                services.Add(ServiceJson(svc, tags));
            }
            else
            {
                failures.Add(new JsonObject
                {
                    ["arn"] = n.StartsWith("arn:", StringComparison.Ordinal) ? n : $"arn:aws:ecs:{region}:{Account}:service/{cluster.Name}/{n}",
                    ["reason"] = "MISSING",
                });
            }
        }
        return new JsonObject { ["services"] = services, ["failures"] = failures };
    }

    private JsonObject ListServices(JsonObject req, string region)
    {
        var cluster = Cluster(req, region);
        var lt = Json.Str(req, "launchType");
        var ss = Json.Str(req, "schedulingStrategy");
        var arns = s.Services.Values
            .Where(v => ReferenceEquals(v.Cluster, cluster) && v.Status != "INACTIVE" && (lt is null || v.LaunchType == lt) && (ss is null || v.SchedulingStrategy == ss))
            .OrderBy(v => v.CreatedAt).Select(v => v.Arn).ToList();
        var (page, next) = Paginate(arns, req, 10);
        return WithToken(new JsonObject { ["serviceArns"] = Json.StrArray(page) }, next);
    }
}
