using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments;

/// <summary>
/// Deregisters old revisions of a task definition family, never one that a service still uses in any cluster of the
/// account and region (a family is not tied to one cluster: staging and production often share it). Tasks started
/// alone (RunTask) keep running after their revision is deregistered, so they are not checked.
/// </summary>
public sealed class RevisionCleaner
{
    private readonly IAwsJsonApi _ecs;
    private readonly IOperationHost _host;

    public RevisionCleaner(IAwsJsonApi ecs, IOperationHost host)
    {
        _ecs = ecs;
        _host = host;
    }

    /// <summary>The family's ACTIVE revisions, newest first.</summary>
    public static async Task<IReadOnlyList<string>> ActiveRevisionsAsync(IAwsJsonApi ecs, string family, CancellationToken cancellationToken)
    {
        var arns = new List<string>();
        string? next = null;
        do
        {
            var request = new JsonObject { ["familyPrefix"] = family, ["status"] = "ACTIVE", ["sort"] = "DESC" };
            if (next is not null)
            {
                request["nextToken"] = next;
            }

            var page = await ecs.InvokeAsync("ListTaskDefinitions", request, cancellationToken).ConfigureAwait(false);
            arns.AddRange((page["taskDefinitionArns"] as JsonArray ?? []).Select(a => a!.GetValue<string>())
                .Where(a => TaskDefinitions.ShortName(a).Split(':')[0] == family));
            next = (string?)page["nextToken"];
        }
        while (next is not null);
        return arns.OrderByDescending(TaskDefinitions.RevisionOf).ToList();
    }

    /// <summary>Keeps the newest <paramref name="keep"/> revisions of <paramref name="taskDefinitionArn"/>'s family; returns what was deregistered.</summary>
    public async Task<IReadOnlyList<string>> KeepNewestAsync(string taskDefinitionArn, int keep, CancellationToken cancellationToken)
    {
        var family = TaskDefinitions.ShortName(taskDefinitionArn).Split(':')[0];
        var old = (await ActiveRevisionsAsync(_ecs, family, cancellationToken).ConfigureAwait(false)).Skip(keep).ToList();
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
                _host.WriteVerbose($"Keeping {TaskDefinitions.ShortName(arn)}: the service {user} still uses it.");
                continue;
            }

            if (_host.ShouldProcess(arn, "Deregister task definition revision"))
            {
                await _ecs.InvokeAsync("DeregisterTaskDefinition", new JsonObject { ["taskDefinition"] = arn }, cancellationToken).ConfigureAwait(false);
                _host.WriteVerbose($"Deregistered {TaskDefinitions.ShortName(arn)}");
                removed.Add(arn);
            }
        }

        return removed;
    }

    /// <summary>Every task definition a deployment of any service in any cluster runs, with one cluster/service using it.</summary>
    private async Task<Dictionary<string, string>> InUseAsync(CancellationToken cancellationToken)
    {
        var inUse = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var cluster in await EcsServices.ListClustersAsync(_ecs, cancellationToken).ConfigureAwait(false))
        {
            var names = await EcsServices.ListAsync(_ecs, cluster, cancellationToken).ConfigureAwait(false);
            var services = await EcsServices.DescribeAsync(_ecs, names.Select(n => (cluster, n)), cancellationToken).ConfigureAwait(false);
            foreach (var ((_, name), s) in services)
            {
                foreach (var arn in (s["deployments"] as JsonArray ?? []).OfType<JsonObject>().Select(d => (string?)d["taskDefinition"]).Append((string?)s["taskDefinition"]).OfType<string>())
                {
                    inUse.TryAdd(arn, $"{cluster}/{name}");
                }
            }
        }

        return inUse;
    }
}
