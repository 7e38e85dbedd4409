using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>Tasks: list, describe, stop, run.</summary>
public sealed partial class EcsApi
{
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
}
