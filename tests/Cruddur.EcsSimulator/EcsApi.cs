using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>The ECS operations. Each takes the request body and returns the response body; errors throw <see cref="EcsError"/>.</summary>
public sealed class EcsApi(SimState s, DataChannelHub channels)
{
    private const string Account = SimState.Account;

    public JsonObject Invoke(string operation, JsonObject req, string region, int port) => operation switch
    {
        "CreateCluster" => CreateCluster(req, region),
        "DescribeClusters" => DescribeClusters(req, region),
        "ListClusters" => ListClusters(req, region),
        "DeleteCluster" => DeleteCluster(req, region),
        "RegisterTaskDefinition" => RegisterTaskDefinition(req, region),
        "DescribeTaskDefinition" => DescribeTaskDefinition(req, region),
        "ListTaskDefinitions" => ListTaskDefinitions(req, region),
        "ListTaskDefinitionFamilies" => ListTaskDefinitionFamilies(req, region),
        "DeregisterTaskDefinition" => DeregisterTaskDefinition(req, region),
        "CreateService" => CreateService(req, region),
        "UpdateService" => UpdateService(req, region),
        "DeleteService" => DeleteService(req, region),
        "DescribeServices" => DescribeServices(req, region),
        "ListServices" => ListServices(req, region),
        "ListTasks" => ListTasks(req, region),
        "DescribeTasks" => DescribeTasks(req, region),
        "StopTask" => StopTask(req, region),
        "RunTask" => RunTask(req, region),
        "ExecuteCommand" => ExecuteCommand(req, region, port),
        "TagResource" => TagResource(req),
        "UntagResource" => UntagResource(req),
        "ListTagsForResource" => ListTagsForResource(req),
        _ => throw new EcsError("UnknownOperationException", $"Unknown operation {operation}."),
    };

    // ================================================================== helpers

    private static string LastSegment(string s) => s.Contains('/') ? s[(s.LastIndexOf('/') + 1)..] : s;

    private ClusterRec Cluster(JsonObject req, string region)
    {
        var c = Json.Str(req, "cluster") ?? "default";
        var name = c.StartsWith("arn:", StringComparison.Ordinal) ? LastSegment(c) : c;
        if (s.Clusters.TryGetValue(SimState.ClusterKey(region, name), out var rec) && rec.Status == "ACTIVE")
        {
            return rec;
        }
        throw EcsError.ClusterNotFound();
    }

    private ServiceRec? FindService(ClusterRec cluster, string nameOrArn) =>
        s.Services.TryGetValue(SimState.ServiceKey(cluster.Region, cluster.Name, LastSegment(nameOrArn)), out var svc) ? svc : null;

    private TaskDefRec? FindTaskDef(string region, string reference)
    {
        var r = reference.StartsWith("arn:", StringComparison.Ordinal) ? LastSegment(reference) : reference;
        var colon = r.LastIndexOf(':');
        if (colon > 0 && int.TryParse(r[(colon + 1)..], out var rev))
        {
            return s.TaskDefs.TryGetValue($"{region}/{r[..colon]}", out var list) ? list.FirstOrDefault(t => t.Revision == rev) : null;
        }
        return s.TaskDefs.TryGetValue($"{region}/{r}", out var l) ? l.LastOrDefault(t => t.Status == "ACTIVE") : null;
    }

    private TaskDefRec TaskDefForDeploy(string region, string? reference)
    {
        if (reference is null)
        {
            throw EcsError.InvalidParameter("TaskDefinition can not be blank.");
        }
        var td = FindTaskDef(region, reference) ?? throw EcsError.InvalidParameter("TaskDefinition not found.");
        if (td.Status != "ACTIVE")
        {
            throw EcsError.InvalidParameter($"TaskDefinition is inactive");
        }
        return td;
    }

    private TaskRec? FindTask(ClusterRec cluster, string idOrArn)
    {
        var id = LastSegment(idOrArn);
        return s.Tasks.TryGetValue($"arn:aws:ecs:{cluster.Region}:{Account}:task/{cluster.Name}/{id}", out var t) ? t : null;
    }

    private static bool WantTags(JsonObject req) => Json.StrList(req, "include").Contains("TAGS");

    private JsonArray TagsOf(string arn) => s.Tags.TryGetValue(arn, out var t) ? (JsonArray)t.DeepClone() : [];

    private void SetTags(string arn, JsonNode? tags)
    {
        if (tags is not JsonArray arr || arr.Count == 0)
        {
            return;
        }
        if (!s.Tags.TryGetValue(arn, out var existing))
        {
            existing = [];
            s.Tags[arn] = existing;
        }
        foreach (var tag in arr.OfType<JsonObject>())
        {
            var key = Json.Str(tag, "key");
            var old = existing.OfType<JsonObject>().FirstOrDefault(e => Json.Str(e, "key") == key);
            if (old is not null)
            {
                existing.Remove(old);
            }
            existing.Add(tag.DeepClone());
        }
    }

    private static (List<T> Page, string? Next) Paginate<T>(List<T> all, JsonObject req, int defaultMax)
    {
        var start = int.TryParse(Json.Str(req, "nextToken"), out var tok) ? tok : 0;
        var max = Json.Int(req, "maxResults") ?? defaultMax;
        var page = all.Skip(start).Take(max).ToList();
        var next = start + page.Count < all.Count ? (start + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return (page, next);
    }

    private static JsonObject WithToken(JsonObject o, string? next)
    {
        Json.PutStr(o, "nextToken", next);
        return o;
    }

    // ================================================================== clusters

    private JsonObject ClusterJson(ClusterRec c, bool tags)
    {
        var services = s.Services.Values.Where(v => ReferenceEquals(v.Cluster, c) && v.Status == "ACTIVE").ToList();
        var tasks = s.Tasks.Values.Where(t => ReferenceEquals(t.Cluster, c)).ToList();
        var o = new JsonObject
        {
            ["clusterArn"] = c.Arn,
            ["clusterName"] = c.Name,
            ["status"] = c.Status,
            ["registeredContainerInstancesCount"] = 0,
            ["runningTasksCount"] = tasks.Count(t => t.LastStatus == Status.Running),
            ["pendingTasksCount"] = tasks.Count(t => t.LastStatus is Status.Provisioning or Status.Pending),
            ["activeServicesCount"] = services.Count,
            ["statistics"] = new JsonArray(),
            ["tags"] = tags ? TagsOf(c.Arn) : new JsonArray(),
            ["settings"] = c.Settings.DeepClone(),
            ["capacityProviders"] = c.CapacityProviders.DeepClone(),
            ["defaultCapacityProviderStrategy"] = c.DefaultCapacityProviderStrategy.DeepClone(),
        };
        Json.Put(o, "serviceConnectDefaults", Json.Clone(c.ServiceConnectDefaults));
        Json.Put(o, "configuration", Json.Clone(c.Configuration));
        return o;
    }

    private JsonObject CreateCluster(JsonObject req, string region)
    {
        var name = Json.Str(req, "clusterName") ?? "default";
        var key = SimState.ClusterKey(region, name);
        if (!s.Clusters.TryGetValue(key, out var c) || c.Status != "ACTIVE")
        {
            c = new ClusterRec { Region = region, Name = name, Arn = $"arn:aws:ecs:{region}:{Account}:cluster/{name}" };
            s.Clusters[key] = c;
        }
        c.Settings = req["settings"] is JsonArray st ? (JsonArray)st.DeepClone() : [new JsonObject { ["name"] = "containerInsights", ["value"] = "disabled" }];
        if (req["serviceConnectDefaults"] is JsonObject scd && Json.Str(scd, "namespace") is { } ns)
        {
            var nsArn = ns.StartsWith("arn:", StringComparison.Ordinal)
                ? ns
                : $"arn:aws:servicediscovery:{region}:{Account}:namespace/ns-{SimState.Hex(8)}";
            c.ServiceConnectDefaults = new JsonObject { ["namespace"] = nsArn };
        }
        if (req["capacityProviders"] is JsonArray cps)
        {
            c.CapacityProviders = (JsonArray)cps.DeepClone();
        }
        if (req["defaultCapacityProviderStrategy"] is JsonArray dcps)
        {
            c.DefaultCapacityProviderStrategy = (JsonArray)dcps.DeepClone();
        }
        if (req["configuration"] is JsonObject cfg)
        {
            c.Configuration = (JsonObject)cfg.DeepClone();
        }
        SetTags(c.Arn, req["tags"]);
        return new JsonObject { ["cluster"] = ClusterJson(c, true) };
    }

    private JsonObject DescribeClusters(JsonObject req, string region)
    {
        var names = Json.StrList(req, "clusters");
        if (names.Count == 0)
        {
            names.Add("default");
        }
        var tags = WantTags(req);
        var clusters = new JsonArray();
        var failures = new JsonArray();
        foreach (var n in names)
        {
            var name = LastSegment(n);
            if (s.Clusters.TryGetValue(SimState.ClusterKey(region, name), out var c))
            {
                clusters.Add(ClusterJson(c, tags));
            }
            else
            {
                failures.Add(new JsonObject { ["arn"] = $"arn:aws:ecs:{region}:{Account}:cluster/{name}", ["reason"] = "MISSING" });
            }
        }
        return new JsonObject { ["clusters"] = clusters, ["failures"] = failures };
    }

    private JsonObject ListClusters(JsonObject req, string region)
    {
        var arns = s.Clusters.Values.Where(c => c.Region == region && c.Status == "ACTIVE").Select(c => c.Arn).Order(StringComparer.Ordinal).ToList();
        var (page, next) = Paginate(arns, req, 100);
        return WithToken(new JsonObject { ["clusterArns"] = Json.StrArray(page) }, next);
    }

    private JsonObject DeleteCluster(JsonObject req, string region)
    {
        var c = Cluster(req, region);
        if (s.Services.Values.Any(v => ReferenceEquals(v.Cluster, c) && v.Status != "INACTIVE"))
        {
            throw new EcsError("ClusterContainsServicesException", "The Cluster cannot be deleted while Services are active.");
        }
        if (s.Tasks.Values.Any(t => ReferenceEquals(t.Cluster, c) && t.IsLive))
        {
            throw new EcsError("ClusterContainsTasksException", "The Cluster cannot be deleted while Tasks are active.");
        }
        c.Status = "INACTIVE";
        return new JsonObject { ["cluster"] = ClusterJson(c, false) };
    }

    // ================================================================== task definitions

    private JsonObject RegisterTaskDefinition(JsonObject req, string region)
    {
        var family = Json.Str(req, "family");
        if (string.IsNullOrEmpty(family))
        {
            throw EcsError.Client("Family is required.");
        }
        if (req["containerDefinitions"] is not JsonArray cds || cds.Count == 0)
        {
            throw EcsError.Client("Container list cannot be empty.");
        }
        var key = $"{region}/{family}";
        if (!s.TaskDefs.TryGetValue(key, out var list))
        {
            list = [];
            s.TaskDefs[key] = list;
        }
        var revision = list.Count + 1;
        var arn = $"arn:aws:ecs:{region}:{Account}:task-definition/{family}:{revision}";
        var body = (JsonObject)req.DeepClone();
        body.Remove("tags");
        var awsvpc = Json.Str(body, "networkMode") == "awsvpc";
        var attrs = new SortedSet<string>(StringComparer.Ordinal) { "com.amazonaws.ecs.capability.docker-remote-api.1.18" };
        foreach (var c in (body["containerDefinitions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            c["cpu"] ??= 0;
            c["essential"] ??= true;
            c["environment"] ??= new JsonArray();
            c["mountPoints"] ??= new JsonArray();
            c["volumesFrom"] ??= new JsonArray();
            c["systemControls"] ??= new JsonArray();
            c["portMappings"] ??= new JsonArray();
            foreach (var pm in (c["portMappings"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (awsvpc && pm["hostPort"] is null && pm["containerPort"] is not null)
                {
                    pm["hostPort"] = pm["containerPort"]!.DeepClone();
                }
                pm["protocol"] ??= "tcp";
            }
            if (c["healthCheck"] is JsonObject)
            {
                attrs.Add("ecs.capability.container-health-check");
            }
            if (c["logConfiguration"] is JsonObject lc && Json.Str(lc, "logDriver") == "awslogs")
            {
                attrs.Add("com.amazonaws.ecs.capability.logging-driver.awslogs");
                attrs.Add("com.amazonaws.ecs.capability.docker-remote-api.1.19");
            }
            if (c["secrets"] is JsonArray { Count: > 0 })
            {
                attrs.Add("ecs.capability.secrets.ssm.environment-variables");
            }
        }
        if (awsvpc)
        {
            attrs.Add("ecs.capability.task-eni");
        }
        if (body["executionRoleArn"] is not null)
        {
            attrs.Add("ecs.capability.execution-role-awslogs");
        }
        if (body["taskRoleArn"] is not null)
        {
            attrs.Add("com.amazonaws.ecs.capability.task-iam-role");
        }
        body["taskDefinitionArn"] = arn;
        body["family"] = family;
        body["revision"] = revision;
        body["status"] = "ACTIVE";
        body["volumes"] ??= new JsonArray();
        body["placementConstraints"] ??= new JsonArray();
        body["requiresAttributes"] ??= Json.Array(attrs.Select(a => (JsonNode?)new JsonObject { ["name"] = a }));
        body["compatibilities"] = awsvpc ? Json.StrArray(["EC2", "FARGATE"]) : Json.StrArray(["EC2"]);
        body["registeredAt"] = Json.Time(SimState.Now);
        body["registeredBy"] = $"arn:aws:iam::{Account}:root";
        var td = new TaskDefRec { Region = region, Family = family, Revision = revision, Arn = arn, Body = body };
        list.Add(td);
        SetTags(arn, req["tags"]);
        var res = new JsonObject { ["taskDefinition"] = body.DeepClone() };
        Json.Put(res, "tags", s.Tags.ContainsKey(arn) ? TagsOf(arn) : null);
        return res;
    }

    private JsonObject TaskDefJson(TaskDefRec td)
    {
        var o = (JsonObject)td.Body.DeepClone();
        o["status"] = td.Status;
        return o;
    }

    private JsonObject DescribeTaskDefinition(JsonObject req, string region)
    {
        var reference = Json.Str(req, "taskDefinition") ?? throw EcsError.Client("TaskDefinition can not be blank.");
        var td = FindTaskDef(region, reference) ?? throw EcsError.Client("Unable to describe task definition.");
        var res = new JsonObject { ["taskDefinition"] = TaskDefJson(td) };
        if (WantTags(req))
        {
            res["tags"] = TagsOf(td.Arn);
        }
        return res;
    }

    private JsonObject ListTaskDefinitions(JsonObject req, string region)
    {
        var family = Json.Str(req, "familyPrefix");
        var status = Json.Str(req, "status") ?? "ACTIVE";
        var desc = Json.Str(req, "sort") == "DESC";
        var tds = s.TaskDefs.Values.SelectMany(l => l)
            .Where(t => t.Region == region && (family is null || t.Family == family) && (status == "ALL" || t.Status == status))
            .OrderBy(t => t.Family, StringComparer.Ordinal).ThenBy(t => t.Revision).ToList();
        if (desc)
        {
            tds.Reverse();
        }
        var (page, next) = Paginate(tds.Select(t => t.Arn).ToList(), req, 100);
        return WithToken(new JsonObject { ["taskDefinitionArns"] = Json.StrArray(page) }, next);
    }

    private JsonObject ListTaskDefinitionFamilies(JsonObject req, string region)
    {
        var prefix = Json.Str(req, "familyPrefix") ?? "";
        var status = Json.Str(req, "status") ?? "ACTIVE";
        var fams = s.TaskDefs.Values.SelectMany(l => l)
            .Where(t => t.Region == region && t.Family.StartsWith(prefix, StringComparison.Ordinal) && (status == "ALL" || t.Status == status))
            .Select(t => t.Family).Distinct().Order(StringComparer.Ordinal).ToList();
        var (page, next) = Paginate(fams, req, 100);
        return WithToken(new JsonObject { ["families"] = Json.StrArray(page) }, next);
    }

    private JsonObject DeregisterTaskDefinition(JsonObject req, string region)
    {
        var reference = Json.Str(req, "taskDefinition") ?? throw EcsError.Client("TaskDefinition can not be blank.");
        var r = reference.StartsWith("arn:", StringComparison.Ordinal) ? LastSegment(reference) : reference;
        if (!r.Contains(':'))
        {
            throw EcsError.Client("Invalid revision number. Number: " + r);
        }
        var td = FindTaskDef(region, reference) ?? throw EcsError.Client("The specified task definition does not exist.");
        if (td.Status == "ACTIVE")
        {
            td.Status = "INACTIVE";
            td.Body["deregisteredAt"] = Json.Time(SimState.Now);
        }
        return new JsonObject { ["taskDefinition"] = TaskDefJson(td) };
    }

    // ================================================================== services

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
            ["taskDefinition"] = primary?.TaskDef.Arn ?? svc.LastCompletedTaskDef?.Arn,
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
        };
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
                s.Tasks.Remove(t.Arn);
            }
        }
        s.Services[SimState.ServiceKey(region, cluster.Name, name)] = svc;
        s.NewDeployment(svc, td, desired);
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
        if (Json.Int(req, "desiredCount") is { } desired)
        {
            if (desired < 0)
            {
                throw EcsError.InvalidParameter("Desired count must be greater than or equal to 0.");
            }
            svc.DesiredCount = desired;
        }
        MergeDeploymentConfiguration(svc.DeploymentConfiguration, req["deploymentConfiguration"] as JsonObject);
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
            s.NewDeployment(svc, td ?? primary.TaskDef, svc.DesiredCount);
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

    // ================================================================== tasks

    private JsonObject TaskJson(TaskRec t, bool tags)
    {
        var containers = new JsonArray();
        foreach (var c in t.Containers)
        {
            var co = new JsonObject
            {
                ["containerArn"] = c.Arn,
                ["taskArn"] = t.Arn,
                ["name"] = c.Name,
                ["image"] = c.Image,
                ["runtimeId"] = c.RuntimeId,
                ["lastStatus"] = c.LastStatus,
                ["networkInterfaces"] = new JsonArray(new JsonObject { ["attachmentId"] = t.AttachmentId, ["privateIpv4Address"] = t.PrivateIp }),
                ["healthStatus"] = c.HasHealthCheck ? c.HealthStatus : "UNKNOWN",
                ["cpu"] = c.Cpu,
            };
            if (c.ExitCode is { } ec)
            {
                co["exitCode"] = ec;
            }
            Json.PutStr(co, "reason", c.Reason);
            Json.PutStr(co, "memory", c.Memory);
            if (t.EnableExecuteCommand)
            {
                var agent = new JsonObject
                {
                    ["name"] = "ExecuteCommandAgent",
                    ["lastStatus"] = c.LastStatus == Status.Running && c.AgentStartedAt is not null ? "RUNNING" : c.LastStatus == Status.Stopped ? "STOPPED" : "PENDING",
                };
                Json.PutTime(agent, "lastStartedAt", c.AgentStartedAt);
                co["managedAgents"] = new JsonArray(agent);
            }
            containers.Add(co);
        }
        var details = new JsonArray();
        if (t.SubnetId is not null)
        {
            details.Add(new JsonObject { ["name"] = "subnetId", ["value"] = t.SubnetId });
        }
        details.Add(new JsonObject { ["name"] = "networkInterfaceId", ["value"] = t.EniId });
        details.Add(new JsonObject { ["name"] = "macAddress", ["value"] = $"0a:{t.Id[..2]}:{t.Id[2..4]}:{t.Id[4..6]}:{t.Id[6..8]}:{t.Id[8..10]}" });
        details.Add(new JsonObject { ["name"] = "privateDnsName", ["value"] = $"ip-{t.PrivateIp.Replace('.', '-')}.ec2.internal" });
        details.Add(new JsonObject { ["name"] = "privateIPv4Address", ["value"] = t.PrivateIp });
        var attachmentStatus = t.LastStatus switch
        {
            Status.Provisioning => "PRECREATED",
            Status.Stopped => "DELETED",
            Status.Deprovisioning => "DELETED",
            _ => "ATTACHED",
        };
        var o = new JsonObject
        {
            ["attachments"] = new JsonArray(new JsonObject
            {
                ["id"] = t.AttachmentId,
                ["type"] = "ElasticNetworkInterface",
                ["status"] = attachmentStatus,
                ["details"] = details,
            }),
            ["attributes"] = new JsonArray(new JsonObject { ["name"] = "ecs.cpu-architecture", ["value"] = "x86_64" }),
            ["availabilityZone"] = t.Region + "a",
            ["clusterArn"] = t.Cluster.Arn,
            ["connectivity"] = t.ConnectivityAt is null ? "DISCONNECTED" : "CONNECTED",
            ["containers"] = containers,
            ["cpu"] = t.TaskDef.Body["cpu"]?.DeepClone(),
            ["memory"] = t.TaskDef.Body["memory"]?.DeepClone(),
            ["createdAt"] = Json.Time(t.CreatedAt),
            ["desiredStatus"] = t.DesiredStatus,
            ["enableExecuteCommand"] = t.EnableExecuteCommand,
            ["ephemeralStorage"] = new JsonObject { ["sizeInGiB"] = 20 },
            ["group"] = t.Group,
            ["healthStatus"] = t.HealthStatus,
            ["lastStatus"] = t.LastStatus,
            ["launchType"] = t.LaunchType,
            ["overrides"] = t.Overrides?.DeepClone() ?? new JsonObject
            {
                ["containerOverrides"] = Json.Array(t.Containers.Select(c => (JsonNode?)new JsonObject { ["name"] = c.Name })),
                ["inferenceAcceleratorOverrides"] = new JsonArray(),
            },
            ["platformVersion"] = t.PlatformVersion,
            ["platformFamily"] = "Linux",
            ["taskArn"] = t.Arn,
            ["taskDefinitionArn"] = t.TaskDef.Arn,
            ["version"] = t.Version,
            ["tags"] = tags ? TagsOf(t.Arn) : new JsonArray(),
        };
        Json.PutStr(o, "startedBy", t.StartedBy);
        Json.PutTime(o, "connectivityAt", t.ConnectivityAt);
        Json.PutTime(o, "pullStartedAt", t.PullStartedAt);
        Json.PutTime(o, "pullStoppedAt", t.PullStoppedAt);
        Json.PutTime(o, "startedAt", t.StartedAt);
        Json.PutTime(o, "stoppingAt", t.StoppingAt);
        Json.PutTime(o, "executionStoppedAt", t.ExecutionStoppedAt);
        Json.PutTime(o, "stoppedAt", t.StoppedAt);
        Json.PutStr(o, "stopCode", t.StopCode);
        Json.PutStr(o, "stoppedReason", t.StoppedReason);
        return o;
    }

    private JsonObject ListTasks(JsonObject req, string region)
    {
        var cluster = Cluster(req, region);
        var serviceName = Json.Str(req, "serviceName");
        ServiceRec? svc = null;
        if (serviceName is not null)
        {
            svc = FindService(cluster, serviceName) ?? throw EcsError.ServiceNotFound();
        }
        var family = Json.Str(req, "family");
        var startedBy = Json.Str(req, "startedBy");
        var launchType = Json.Str(req, "launchType");
        var desired = Json.Str(req, "desiredStatus") ?? Status.Running;
        if (desired is not (Status.Running or Status.Pending or Status.Stopped))
        {
            throw EcsError.InvalidParameter($"Invalid desiredStatus: {desired}");
        }
        var arns = s.Tasks.Values
            .Where(t => ReferenceEquals(t.Cluster, cluster)
                && (svc is null || ReferenceEquals(t.Service, svc))
                && (family is null || t.TaskDef.Family == family)
                && (startedBy is null || t.StartedBy == startedBy)
                && (launchType is null || t.LaunchType == launchType)
                && (desired == Status.Pending ? t.IsPending : t.DesiredStatus == desired))
            .OrderBy(t => t.CreatedAt).Select(t => t.Arn).ToList();
        var (page, next) = Paginate(arns, req, 100);
        return WithToken(new JsonObject { ["taskArns"] = Json.StrArray(page) }, next);
    }

    private JsonObject DescribeTasks(JsonObject req, string region)
    {
        var cluster = Cluster(req, region);
        var ids = Json.StrList(req, "tasks");
        if (ids.Count == 0)
        {
            throw EcsError.InvalidParameter("Tasks cannot be empty.");
        }
        if (ids.Count > 100)
        {
            throw EcsError.InvalidParameter("Tasks cannot contain more than 100 elements.");
        }
        var tags = WantTags(req);
        var tasks = new JsonArray();
        var failures = new JsonArray();
        foreach (var id in ids)
        {
            if (FindTask(cluster, id) is { } t)
            {
                tasks.Add(TaskJson(t, tags));
            }
            else
            {
                failures.Add(new JsonObject
                {
                    ["arn"] = id.StartsWith("arn:", StringComparison.Ordinal) ? id : $"arn:aws:ecs:{region}:{Account}:task/{cluster.Name}/{id}",
                    ["reason"] = "MISSING",
                });
            }
        }
        return new JsonObject { ["tasks"] = tasks, ["failures"] = failures };
    }

    private JsonObject StopTask(JsonObject req, string region)
    {
        var cluster = Cluster(req, region);
        var id = Json.Str(req, "task") ?? throw EcsError.InvalidParameter("Task can not be blank.");
        var t = FindTask(cluster, id) ?? throw EcsError.InvalidParameter("The referenced task was not found.");
        s.StopTask(t, Json.Str(req, "reason") ?? "Task stopped by user", "UserInitiated");
        return new JsonObject { ["task"] = TaskJson(t, false) };
    }

    private JsonObject RunTask(JsonObject req, string region)
    {
        var cluster = Cluster(req, region);
        var td = TaskDefForDeploy(region, Json.Str(req, "taskDefinition"));
        var count = Json.Int(req, "count") ?? 1;
        if (count is < 1 or > 10)
        {
            throw EcsError.InvalidParameter("Count must be between 1 and 10.");
        }
        var scenario = Scenarios.IsValid(td.Scenario) ? td.Scenario! : Scenarios.Healthy;
        var tasks = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            var t = s.LaunchTask(cluster, td, null, null, Json.Str(req, "startedBy"), Json.Str(req, "group") ?? $"family:{td.Family}",
                scenario, Json.Bool(req, "enableExecuteCommand") ?? false, Json.Str(req, "launchType") ?? "FARGATE",
                req["networkConfiguration"], req["overrides"]?.DeepClone() as JsonObject);
            SetTags(t.Arn, req["tags"]);
            tasks.Add(TaskJson(t, false));
        }
        return new JsonObject { ["tasks"] = tasks, ["failures"] = new JsonArray() };
    }

    // ================================================================== exec

    public const string ExecNotEnabledMessage =
        "The execute command failed because execute command was not enabled when the task was run or the execute command agent isn\u2019t running. Wait and try again or run a new task with execute command enabled and try again.";

    private JsonObject ExecuteCommand(JsonObject req, string region, int port)
    {
        var cluster = Cluster(req, region);
        var taskRef = Json.Str(req, "task") ?? throw EcsError.InvalidParameter("Task can not be blank.");
        var command = Json.Str(req, "command") ?? throw EcsError.InvalidParameter("Command can not be blank.");
        if (Json.Bool(req, "interactive") != true)
        {
            throw EcsError.InvalidParameter("Interactive is the only mode supported currently.");
        }
        var id = LastSegment(taskRef);
        if (id.Length is not (32 or 36))
        {
            throw EcsError.InvalidParameter("task length should be one of [32,36]");
        }
        var t = FindTask(cluster, id) ?? throw EcsError.InvalidParameter("The specified task was not found.");
        var containerName = Json.Str(req, "container");
        ContainerRec c;
        if (containerName is null)
        {
            if (t.Containers.Count != 1)
            {
                throw EcsError.InvalidParameter("The container name must be specified when the task has more than one container.");
            }
            c = t.Containers[0];
        }
        else
        {
            c = t.Containers.FirstOrDefault(x => x.Name == containerName)
                ?? throw EcsError.InvalidParameter($"The specified container {containerName} was not found in the task.");
        }
        if (!t.EnableExecuteCommand || t.LastStatus != Status.Running || c.LastStatus != Status.Running || c.AgentStartedAt is null)
        {
            throw EcsError.InvalidParameter(ExecNotEnabledMessage);
        }
        var sessionId = "ecs-execute-command-" + SimState.Hex(9)[..17];
        s.Sessions.Add(new ExecSession { SessionId = sessionId, TaskArn = t.Arn, Container = c.Name, Command = command, CreatedAt = SimState.Now });
        var kmsKeyId = (string?)cluster.Configuration?["executeCommandConfiguration"]?["kmsKeyId"];
        var token = channels.Issue(sessionId, $"ecs:{cluster.Name}_{id}_{c.RuntimeId}", id, command, kmsKeyId);
        return new JsonObject
        {
            ["clusterArn"] = cluster.Arn,
            ["containerArn"] = c.Arn,
            ["containerName"] = c.Name,
            ["interactive"] = true,
            ["taskArn"] = t.Arn,
            ["session"] = new JsonObject
            {
                ["sessionId"] = sessionId,
                ["streamUrl"] = channels.StreamUrl(port, sessionId),
                ["tokenValue"] = token,
            },
        };
    }

    // ================================================================== tags

    private bool ResourceExists(string arn) =>
        s.Clusters.Values.Any(c => c.Arn == arn)
        || s.Services.Values.Any(v => v.Arn == arn)
        || s.Tasks.ContainsKey(arn)
        || s.TaskDefs.Values.SelectMany(l => l).Any(t => t.Arn == arn);

    private string ExistingResource(JsonObject req)
    {
        var arn = Json.Str(req, "resourceArn") ?? throw EcsError.InvalidParameter("ResourceArn can not be blank.");
        if (!ResourceExists(arn))
        {
            throw new EcsError("ResourceNotFoundException", "The specified resource could not be found.");
        }
        return arn;
    }

    private JsonObject TagResource(JsonObject req)
    {
        var arn = ExistingResource(req);
        SetTags(arn, req["tags"]);
        return [];
    }

    private JsonObject UntagResource(JsonObject req)
    {
        var arn = ExistingResource(req);
        var keys = Json.StrList(req, "tagKeys");
        if (s.Tags.TryGetValue(arn, out var tags))
        {
            foreach (var t in tags.OfType<JsonObject>().Where(t => keys.Contains(Json.Str(t, "key") ?? "")).ToList())
            {
                tags.Remove(t);
            }
        }
        return [];
    }

    private JsonObject ListTagsForResource(JsonObject req) => new() { ["tags"] = TagsOf(ExistingResource(req)) };
}
