using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;

namespace Cruddur.Core.Deployments;

/// <summary>Finding the ACTIVE services among names that may not exist, across clusters that may not exist.</summary>
internal static class EcsServices
{
    /// <summary>The ACTIVE services among <paramref name="services"/>, keyed by (cluster, name).</summary>
    public static async Task<Dictionary<(string Cluster, string Service), JsonObject>> DescribeAsync(
        IEcsClient ecs, IEnumerable<(string Cluster, string Service)> services, CancellationToken cancellationToken)
    {
        var result = new Dictionary<(string, string), JsonObject>();
        foreach (var cluster in services.Distinct().GroupBy(s => s.Cluster, StringComparer.Ordinal))
        {
            IReadOnlyList<JsonObject> found;
            try
            {
                found = await ecs.DescribeServicesAsync(cluster.Key, cluster.Select(s => s.Service).ToList(), cancellationToken).ConfigureAwait(false);
            }
            catch (AwsServiceException e) when (e.ErrorCode == "ClusterNotFoundException")
            {
                continue; // no cluster: none of its services exist
            }

            foreach (var s in found.Where(s => (string?)s["status"] == "ACTIVE"))
            {
                result[(cluster.Key, (string?)s["serviceName"] ?? string.Empty)] = s;
            }
        }

        return result;
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
