using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tasks;

/// <summary>Reading a service's tasks and task definitions for logs and one-off tasks.</summary>
internal static class EcsTasks
{
    /// <summary>The ACTIVE service, or ServiceNotFound.</summary>
    public static async Task<JsonObject> ServiceAsync(IAwsJsonApi ecs, string cluster, string service, CancellationToken cancellationToken)
    {
        var found = await EcsServices.DescribeAsync(ecs, [(cluster, service)], cancellationToken).ConfigureAwait(false);
        return found.GetValueOrDefault((cluster, service)) ?? throw new CruddurException("ServiceNotFound", ErrorKind.ObjectNotFound,
            $"The service '{service}' does not exist in the cluster '{cluster}'. Check -Service and -Cluster; Get-CruddurService -Cluster {cluster} lists its services.", target: service);
    }

    /// <summary>The service's tasks that run or stopped recently (ECS keeps stopped ones for about an hour), oldest first.</summary>
    public static async Task<IReadOnlyList<JsonObject>> OfServiceAsync(IAwsJsonApi ecs, string cluster, string service, CancellationToken cancellationToken)
    {
        var arns = new List<string>();
        foreach (var status in new[] { "RUNNING", "STOPPED" })
        {
            arns.AddRange(await EcsServices.ListAllAsync(ecs, "ListTasks",
                new JsonObject { ["cluster"] = cluster, ["serviceName"] = service, ["desiredStatus"] = status }, "taskArns", cancellationToken).ConfigureAwait(false));
        }

        return (await DescribeAsync(ecs, cluster, arns, cancellationToken).ConfigureAwait(false))
            .OrderBy(t => (double?)t["createdAt"] ?? 0).ToList();
    }

    public static async Task<IReadOnlyList<JsonObject>> DescribeAsync(IAwsJsonApi ecs, string cluster, IEnumerable<string> arns, CancellationToken cancellationToken)
    {
        var tasks = new List<JsonObject>();
        foreach (var batch in arns.Distinct(StringComparer.Ordinal).Chunk(100))
        {
            var response = await ecs.InvokeAsync("DescribeTasks",
                new JsonObject { ["cluster"] = cluster, ["tasks"] = new JsonArray(batch.Select(a => (JsonNode)a).ToArray()) }, cancellationToken).ConfigureAwait(false);
            tasks.AddRange((response["tasks"] as JsonArray ?? []).OfType<JsonObject>());
        }

        return tasks;
    }

    /// <summary>A task definition by family, family:revision or ARN; TaskDefinitionNotFound when ECS does not know it.</summary>
    public static async Task<JsonObject> TaskDefinitionAsync(IAwsJsonApi ecs, string reference, CancellationToken cancellationToken)
    {
        try
        {
            var response = await ecs.InvokeAsync("DescribeTaskDefinition", new JsonObject { ["taskDefinition"] = reference }, cancellationToken).ConfigureAwait(false);
            return response["taskDefinition"] as JsonObject ?? throw new InvalidDataException("DescribeTaskDefinition returned no taskDefinition.");
        }
        catch (AwsServiceException e) when (e.ErrorCode is "ClientException" or "InvalidParameterException")
        {
            throw new CruddurException("TaskDefinitionNotFound", ErrorKind.ObjectNotFound,
                $"The task definition '{reference}' is not registered ({e.ServiceMessage}). Pass family, family:revision or an ARN of a registered one, or leave -TaskDefinition out to use the service's.", e, reference);
        }
    }

    public static string IdOf(string taskArn) => taskArn[(taskArn.LastIndexOf('/') + 1)..];

    public static DateTimeOffset? Time(JsonNode? epochSeconds) =>
        epochSeconds is null ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round((double)epochSeconds * 1000));
}
