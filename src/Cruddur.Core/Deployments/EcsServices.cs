using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments;

/// <summary>Finding clusters, the ACTIVE services among names that may not exist, and their tasks and containers.</summary>
public static class EcsServices
{
    /// <summary>The ACTIVE services among <paramref name="services"/>, keyed by (cluster, name).</summary>
    internal static async Task<Dictionary<(string Cluster, string Service), EcsService>> DescribeAsync(
        IEcsClient ecs, IEnumerable<(string Cluster, string Service)> services, CancellationToken cancellationToken)
    {
        var result = new Dictionary<(string, string), EcsService>();
        foreach (var cluster in services.Distinct().GroupBy(s => s.Cluster, StringComparer.Ordinal))
        {
            var found = await DescribeInClusterAsync(ecs, cluster.Key, cluster.Select(s => s.Service).ToList(), cancellationToken).ConfigureAwait(false);
            foreach (var s in found.Where(s => s.Status == "ACTIVE"))
            {
                result[(cluster.Key, s.Name ?? string.Empty)] = s;
            }
        }

        return result;
    }

    private static async Task<IReadOnlyList<EcsService>> DescribeInClusterAsync(
        IEcsClient ecs, string cluster, List<string> services, CancellationToken cancellationToken)
    {
        try
        {
            return await ecs.DescribeServicesAsync(cluster, services, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.Condition == AwsCondition.ClusterNotFound)
        {
            return []; // no cluster: none of its services exist
        }
    }

    /// <summary>
    /// Fails with ServiceClusterNotFound unless every cluster exists and is ACTIVE, naming the region and the clusters that are
    /// there: a typo'd -Cluster must stop a cmdlet before it registers or changes anything, with a message that says so.
    /// </summary>
    internal static async Task RequireClustersAsync(IEcsClient ecs, IEnumerable<string> clusters, string? region, CancellationToken cancellationToken)
    {
        foreach (var name in clusters.Distinct(StringComparer.Ordinal))
        {
            if (await ecs.DescribeClusterAsync(name, cancellationToken).ConfigureAwait(false) is { Status: "ACTIVE" })
            {
                continue;
            }

            throw await ClusterNotFoundAsync(ecs, name, region, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>ServiceClusterNotFound for <paramref name="name"/>, naming the region and the clusters that are there.</summary>
    internal static async Task<CruddurException> ClusterNotFoundAsync(IEcsClient ecs, string name, string? region, Exception? inner, CancellationToken cancellationToken)
    {
        var here = (await ecs.ListClusterNamesAsync(cancellationToken).ConfigureAwait(false)).Select(AwsArn.LastSegment).Order(StringComparer.Ordinal).ToList();
        return new CruddurException(ErrorIds.ServiceClusterNotFound, ErrorKind.ObjectNotFound,
            $"Cluster '{name}' not found in {(string.IsNullOrEmpty(region) ? "this region" : region)} (clusters here: {(here.Count == 0 ? "none" : string.Join(", ", here))}). "
            + "Initialize-CruddurInfrastructure creates the seed's cluster. Nothing was changed.",
            inner, name);
    }

    /// <summary>Whether a -Service value is a wildcard pattern (* or ?, as PowerShell's).</summary>
    public static bool IsPattern(string name) => name.AsSpan().IndexOfAny('*', '?') >= 0;

    /// <summary>The names among <paramref name="names"/> that <paramref name="pattern"/> matches (any case, as in PowerShell), sorted.</summary>
    internal static IEnumerable<string> Matching(string pattern, IEnumerable<string> names) =>
        names.Where(n => System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(pattern, n, ignoreCase: true)).Order(StringComparer.Ordinal);

    /// <summary>
    /// The services <paramref name="service"/> stands for: itself, or for a pattern the services of the cluster it matches.
    /// A pattern that matches none is ServiceNotFound, since the caller means to act on what it names.
    /// </summary>
    internal static async Task<IReadOnlyList<string>> MatchAsync(IEcsClient ecs, string cluster, string service, string? region, CancellationToken cancellationToken)
    {
        if (!IsPattern(service))
        {
            return [service];
        }

        await RequireClustersAsync(ecs, [cluster], region, cancellationToken).ConfigureAwait(false);
        var matched = Matching(service, await ecs.ListServiceNamesAsync(cluster, cancellationToken).ConfigureAwait(false)).ToList();
        return matched.Count > 0 ? matched : throw new CruddurException(ErrorIds.ServiceNotFound, ErrorKind.ObjectNotFound,
            $"No service of the cluster '{cluster}' matches '{service}'. Get-CruddurService -Cluster {cluster} lists its services.", target: service);
    }

    /// <summary>The active revisions of a task definition family as family:revision, newest first.</summary>
    internal static async Task<IReadOnlyList<string>> ActiveRevisionNamesAsync(IEcsClient ecs, string family, CancellationToken cancellationToken) =>
        (await ecs.ListActiveRevisionsAsync(family, cancellationToken).ConfigureAwait(false)).Select(AwsArn.TaskDefinitionName).ToList();

    /// <summary>The ids of the running tasks of a cluster, or of one of its services.</summary>
    internal static async Task<IReadOnlyList<string>> ListTaskIdsAsync(IEcsClient ecs, string cluster, string? service, CancellationToken cancellationToken) =>
        (await ecs.ListTaskArnsAsync(new EcsTaskQuery(cluster, service), cancellationToken).ConfigureAwait(false)).Select(AwsArn.LastSegment).ToList();

    /// <summary>The container names of the task definition a service runs (none when the service does not exist).</summary>
    internal static async Task<IReadOnlyList<string>> ContainerNamesAsync(IEcsClient ecs, string cluster, string service, CancellationToken cancellationToken)
    {
        var found = await DescribeAsync(ecs, [(cluster, service)], cancellationToken).ConfigureAwait(false);
        if (!found.TryGetValue((cluster, service), out var s) || s.TaskDefinition is not { } arn)
        {
            return [];
        }

        var definition = await ecs.DescribeTaskDefinitionAsync(arn, cancellationToken).ConfigureAwait(false);
        return definition.Containers.Select(c => c.Name).OfType<string>().ToList();
    }
}

/// <summary>Values for placeholders in definition files: the environment, else the caller's account id (STS) and region.</summary>
internal static class PlaceholderValues
{
    public static Func<string, CancellationToken, Task<string?>> For(AwsContext aws) => async (name, cancellationToken) =>
        Environment.GetEnvironmentVariable(name) ?? name switch
        {
            "AWS_ACCOUNT_ID" => await aws.GetAccountIdAsync(cancellationToken).ConfigureAwait(false),
            "AWS_REGION" or "AWS_DEFAULT_REGION" => aws.Region,
            _ => null,
        };
}
