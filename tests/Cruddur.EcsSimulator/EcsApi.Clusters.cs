using System.Text.Json.Nodes;

namespace Cruddur.EcsSimulator;

/// <summary>Clusters: CreateCluster, DescribeClusters, ListClusters, DeleteCluster.</summary>
public sealed partial class EcsApi
{
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
}
