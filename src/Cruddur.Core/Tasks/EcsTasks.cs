using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tasks;

/// <summary>A service's tasks and task definitions as logs and one-off tasks need them, with their errors.</summary>
internal static class EcsTasks
{
    /// <summary>The ACTIVE service, or ServiceNotFound.</summary>
    public static async Task<EcsService> ServiceAsync(IEcsClient ecs, string cluster, string service, CancellationToken cancellationToken)
    {
        var found = await EcsServices.DescribeAsync(ecs, [(cluster, service)], cancellationToken).ConfigureAwait(false);
        return found.GetValueOrDefault((cluster, service)) ?? throw new CruddurException(ErrorIds.ServiceNotFound, ErrorKind.ObjectNotFound,
            $"The service '{service}' does not exist in the cluster '{cluster}'. Check the service and cluster names; Get-CruddurService -Cluster {cluster} lists its services.", target: service);
    }

    /// <summary>The service's tasks that run or stopped recently (ECS keeps stopped ones for about an hour), oldest first.</summary>
    public static async Task<IReadOnlyList<EcsTask>> OfServiceAsync(IEcsClient ecs, string cluster, string service, CancellationToken cancellationToken)
    {
        var arns = new List<string>();
        foreach (var status in new[] { "RUNNING", "STOPPED" })
        {
            arns.AddRange(await ecs.ListTaskArnsAsync(new EcsTaskQuery(cluster, ServiceName: service, DesiredStatus: status), cancellationToken).ConfigureAwait(false));
        }

        return arns.Count == 0 ? [] : (await ecs.DescribeTasksAsync(cluster, arns.Distinct(StringComparer.Ordinal).ToList(), cancellationToken).ConfigureAwait(false))
            .OrderBy(t => t.CreatedAt).ToList();
    }

    /// <summary>What Invoke-CruddurTask's RunTask says started a task: how its one-off tasks are told from a service's.</summary>
    public const string OneOffStartedBy = "Invoke-CruddurTask";

    /// <summary>The one-off tasks Invoke-CruddurTask ran in the cluster that run or stopped recently, oldest first.</summary>
    public static async Task<IReadOnlyList<EcsTask>> OneOffAsync(IEcsClient ecs, string cluster, CancellationToken cancellationToken)
    {
        var arns = new List<string>();
        foreach (var status in new[] { "RUNNING", "STOPPED" })
        {
            arns.AddRange(await ecs.ListTaskArnsAsync(new EcsTaskQuery(cluster, StartedBy: OneOffStartedBy, DesiredStatus: status), cancellationToken).ConfigureAwait(false));
        }

        return arns.Count == 0 ? [] : (await ecs.DescribeTasksAsync(cluster, arns.Distinct(StringComparer.Ordinal).ToList(), cancellationToken).ConfigureAwait(false))
            .OrderBy(t => t.CreatedAt).ToList();
    }

    /// <summary>A task definition by family, family:revision or ARN; TaskDefinitionNotFound when ECS does not know it.</summary>
    public static async Task<EcsTaskDefinition> TaskDefinitionAsync(IEcsClient ecs, string reference, CancellationToken cancellationToken)
    {
        try
        {
            return await ecs.DescribeTaskDefinitionAsync(reference, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.Condition == AwsCondition.NotFound)
        {
            throw new CruddurException(ErrorIds.TaskDefinitionNotFound, ErrorKind.ObjectNotFound,
                $"The task definition '{reference}' is not registered ({e.ServiceMessage}). Name a registered one (family, family:revision or ARN), or leave it out to use the service's.", e, reference);
        }
    }
}
