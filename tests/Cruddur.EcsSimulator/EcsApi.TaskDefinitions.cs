using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>Task definitions: register, describe, list, deregister.</summary>
public sealed partial class EcsApi
{
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
}
