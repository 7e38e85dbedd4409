using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments;

/// <summary>Deregisters old revisions of a task definition family, never one that a service of the cluster still uses.</summary>
public sealed class RevisionCleaner
{
    private readonly IEcsClient _ecs;
    private readonly IOperationHost _host;

    public RevisionCleaner(IEcsClient ecs, IOperationHost host)
    {
        _ecs = ecs;
        _host = host;
    }

    /// <summary>Keeps the newest <paramref name="keep"/> revisions of <paramref name="taskDefinitionArn"/>'s family; returns what was deregistered.</summary>
    public async Task<IReadOnlyList<string>> KeepNewestAsync(string cluster, string taskDefinitionArn, int keep, CancellationToken cancellationToken)
    {
        var old = (await _ecs.ListActiveRevisionsAsync(AwsArn.Family(taskDefinitionArn), cancellationToken).ConfigureAwait(false)).Skip(keep).ToList();
        if (old.Count == 0)
        {
            return [];
        }

        var inUse = await InUseAsync(cluster, cancellationToken).ConfigureAwait(false);
        var removed = new List<string>();
        foreach (var arn in old)
        {
            if (inUse.Contains(arn))
            {
                _host.WriteVerbose($"Keeping {AwsArn.TaskDefinitionName(arn)}: a service of {cluster} still uses it.");
                continue;
            }

            if (_host.ShouldProcess(arn, "Deregister task definition revision"))
            {
                await _ecs.DeregisterTaskDefinitionAsync(arn, cancellationToken).ConfigureAwait(false);
                _host.WriteVerbose($"Deregistered {AwsArn.TaskDefinitionName(arn)}");
                removed.Add(arn);
            }
        }

        return removed;
    }

    /// <summary>Every task definition a deployment of any service in the cluster runs.</summary>
    private async Task<HashSet<string>> InUseAsync(string cluster, CancellationToken cancellationToken)
    {
        var names = await _ecs.ListServiceNamesAsync(cluster, cancellationToken).ConfigureAwait(false);
        var services = await EcsServices.DescribeAsync(_ecs, names.Select(n => (cluster, n)), cancellationToken).ConfigureAwait(false);
        return services.Values
            .SelectMany(s => (s["deployments"] as JsonArray ?? []).OfType<JsonObject>().Select(d => (string?)d["taskDefinition"]).Append((string?)s["taskDefinition"]))
            .OfType<string>().ToHashSet(StringComparer.Ordinal);
    }
}
