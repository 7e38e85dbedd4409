using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments;

/// <summary>Reading ECS services and clusters: batched DescribeServices, paginated lists.</summary>
public static class EcsServices
{
    /// <summary>The ACTIVE services among <paramref name="services"/>, keyed by (cluster, name); one call per cluster and 10 names.</summary>
    public static async Task<Dictionary<(string Cluster, string Service), JsonObject>> DescribeAsync(
        IAwsJsonApi ecs, IEnumerable<(string Cluster, string Service)> services, CancellationToken cancellationToken)
    {
        var result = new Dictionary<(string, string), JsonObject>();
        foreach (var cluster in services.Distinct().GroupBy(s => s.Cluster, StringComparer.Ordinal))
        {
            foreach (var batch in cluster.Select(s => s.Service).Chunk(DeploymentWatcher.DescribeBatch))
            {
                JsonObject response;
                try
                {
                    response = await ecs.InvokeAsync("DescribeServices", new JsonObject
                    {
                        ["cluster"] = cluster.Key,
                        ["services"] = new JsonArray(batch.Select(n => (JsonNode)n).ToArray()),
                    }, cancellationToken).ConfigureAwait(false);
                }
                catch (AwsServiceException e) when (e.ErrorCode == "ClusterNotFoundException")
                {
                    continue; // no cluster: none of its services exist
                }

                foreach (var s in (response["services"] as JsonArray ?? []).OfType<JsonObject>().Where(s => (string?)s["status"] == "ACTIVE"))
                {
                    result[(cluster.Key, (string)s["serviceName"]!)] = s;
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Fails with ServiceClusterNotFound unless every cluster exists and is ACTIVE, naming the region and the clusters that are
    /// there: a typo'd -Cluster must stop a cmdlet before it registers or changes anything, with a message that says so.
    /// </summary>
    public static async Task RequireClustersAsync(IAwsJsonApi ecs, IEnumerable<string> clusters, string? region, CancellationToken cancellationToken)
    {
        var names = clusters.Distinct(StringComparer.Ordinal).ToList();
        var response = await ecs.InvokeAsync("DescribeClusters", new JsonObject { ["clusters"] = new JsonArray(names.Select(n => (JsonNode)n).ToArray()) }, cancellationToken).ConfigureAwait(false);
        var active = (response["clusters"] as JsonArray ?? []).OfType<JsonObject>().Where(c => (string?)c["status"] == "ACTIVE")
            .SelectMany(c => new[] { (string?)c["clusterName"], (string?)c["clusterArn"] }).OfType<string>().ToHashSet(StringComparer.Ordinal);
        if (names.FirstOrDefault(n => !active.Contains(n)) is not { } missing)
        {
            return;
        }

        var here = await ListClustersAsync(ecs, cancellationToken).ConfigureAwait(false);
        throw new CruddurException("ServiceClusterNotFound", ErrorKind.ObjectNotFound,
            $"Cluster '{missing}' not found in {region ?? "this region"} (clusters here: {(here.Count == 0 ? "none" : string.Join(", ", here.Order(StringComparer.Ordinal)))}). "
            + $"Pass -Cluster with one of them, or -Region for the region it is in; Initialize-CruddurInfrastructure creates the seed's cluster. Nothing was changed.",
            target: missing);
    }

    /// <summary>The names of the services of a cluster.</summary>
    public static async Task<IReadOnlyList<string>> ListAsync(IAwsJsonApi ecs, string cluster, CancellationToken cancellationToken) =>
        (await ListAllAsync(ecs, "ListServices", new JsonObject { ["cluster"] = cluster }, "serviceArns", cancellationToken).ConfigureAwait(false))
        .Select(arn => arn[(arn.LastIndexOf('/') + 1)..]).ToList();

    /// <summary>The ids of the running tasks of a cluster, or of one of its services.</summary>
    public static async Task<IReadOnlyList<string>> ListTaskIdsAsync(IAwsJsonApi ecs, string cluster, string? service, CancellationToken cancellationToken)
    {
        var query = new JsonObject { ["cluster"] = cluster };
        if (service is not null)
        {
            query["serviceName"] = service;
        }

        return (await ListAllAsync(ecs, "ListTasks", query, "taskArns", cancellationToken).ConfigureAwait(false)).Select(TaskDefinitions.ShortName).ToList();
    }

    /// <summary>The container names of the task definition a service runs (none when the service does not exist).</summary>
    public static async Task<IReadOnlyList<string>> ContainerNamesAsync(IAwsJsonApi ecs, string cluster, string service, CancellationToken cancellationToken)
    {
        var found = await DescribeAsync(ecs, [(cluster, service)], cancellationToken).ConfigureAwait(false);
        if (!found.TryGetValue((cluster, service), out var s) || (string?)s["taskDefinition"] is not { } arn)
        {
            return [];
        }

        var definition = await ecs.InvokeAsync("DescribeTaskDefinition", new JsonObject { ["taskDefinition"] = arn }, cancellationToken).ConfigureAwait(false);
        return (definition["taskDefinition"]?["containerDefinitions"] as JsonArray ?? []).Select(c => (string?)c?["name"]).OfType<string>().ToList();
    }

    /// <summary>The names of the clusters.</summary>
    public static async Task<IReadOnlyList<string>> ListClustersAsync(IAwsJsonApi ecs, CancellationToken cancellationToken) =>
        (await ListAllAsync(ecs, "ListClusters", new JsonObject(), "clusterArns", cancellationToken).ConfigureAwait(false))
        .Select(arn => arn[(arn.LastIndexOf('/') + 1)..]).ToList();

    internal static async Task<List<string>> ListAllAsync(IAwsJsonApi ecs, string operation, JsonObject request, string field, CancellationToken cancellationToken)
    {
        var all = new List<string>();
        string? next = null;
        do
        {
            var page = (JsonObject)request.DeepClone();
            if (next is not null)
            {
                page["nextToken"] = next;
            }

            var response = await ecs.InvokeAsync(operation, page, cancellationToken).ConfigureAwait(false);
            all.AddRange((response[field] as JsonArray ?? []).Select(a => a!.GetValue<string>()));
            next = (string?)response["nextToken"];
        }
        while (next is not null);
        return all;
    }
}

/// <summary>Values for placeholders in definition files: the environment, else the caller's account id (STS) and region.</summary>
public static class PlaceholderValues
{
    public static Func<string, CancellationToken, Task<string?>> For(AwsContext aws) => async (name, cancellationToken) =>
        Environment.GetEnvironmentVariable(name) ?? name switch
        {
            "AWS_ACCOUNT_ID" => await aws.GetAccountIdAsync(cancellationToken).ConfigureAwait(false),
            "AWS_REGION" or "AWS_DEFAULT_REGION" => aws.Region,
            _ => null,
        };
}
