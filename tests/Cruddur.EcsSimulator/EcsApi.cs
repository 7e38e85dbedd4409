using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>The ECS operations. Each takes the request body and returns the response body; errors throw <see cref="EcsError"/>.
/// This file dispatches and holds the shared look-ups; the operations live in one file per resource (EcsApi.Clusters.cs, …).</summary>
public sealed partial class EcsApi(SimState s, DataChannelHub channels)
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
        "ListServiceDeployments" => ListServiceDeployments(req, region),
        "DescribeServiceDeployments" => DescribeServiceDeployments(req, region),
        "DescribeServiceRevisions" => DescribeServiceRevisions(req, region),
        "StopServiceDeployment" => StopServiceDeployment(req, region),
        "ContinueServiceDeployment" => ContinueServiceDeployment(req, region),
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
}
