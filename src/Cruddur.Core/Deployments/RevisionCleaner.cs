using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments;

/// <summary>
/// Deregisters old revisions of a task definition family, never one that a service still uses in any cluster of the
/// account and region (a family is not tied to one cluster: staging and production often share it). Tasks started
/// alone (RunTask) keep running after their revision is deregistered, so they are not checked.
/// </summary>
internal sealed class RevisionCleaner
{
    private readonly IEcsClient _ecs;
    private readonly IOperationHost _host;

    public RevisionCleaner(IEcsClient ecs, IOperationHost host)
    {
        _ecs = ecs;
        _host = host;
    }

    /// <summary>Keeps the newest <paramref name="keep"/> revisions of <paramref name="taskDefinitionArn"/>'s family; returns what was deregistered.</summary>
    public async Task<IReadOnlyList<string>> KeepNewestAsync(string taskDefinitionArn, int keep, CancellationToken cancellationToken)
    {
        var old = (await _ecs.ListActiveRevisionsAsync(AwsArn.Family(taskDefinitionArn), cancellationToken).ConfigureAwait(false)).Skip(keep).ToList();
        if (old.Count == 0)
        {
            return [];
        }

        var inUse = await InUseAsync(cancellationToken).ConfigureAwait(false);
        var removed = new List<string>();
        foreach (var arn in old)
        {
            if (inUse.TryGetValue(arn, out var user))
            {
                _host.WriteVerbose($"Keeping {AwsArn.TaskDefinitionName(arn)}: the service {user} still uses it.");
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

    /// <summary>Every task definition a deployment of any service in any cluster runs, with one cluster/service using it.</summary>
    private async Task<Dictionary<string, string>> InUseAsync(CancellationToken cancellationToken)
    {
        var inUse = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var cluster in await _ecs.ListClusterNamesAsync(cancellationToken).ConfigureAwait(false))
        {
            var names = await _ecs.ListServiceNamesAsync(cluster, cancellationToken).ConfigureAwait(false);
            var services = await EcsServices.DescribeAsync(_ecs, names.Select(n => (cluster, n)), cancellationToken).ConfigureAwait(false);
            foreach (var ((_, name), s) in services)
            {
                foreach (var arn in s.Deployments.Select(d => d.TaskDefinition).Append(s.TaskDefinition).OfType<string>())
                {
                    inUse.TryAdd(arn, $"{cluster}/{name}");
                }
            }
        }

        return inUse;
    }
}
