using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Deployments;

/// <summary>An ECS service as Get-CruddurService shows it: counts, deployments, last events and running tasks.</summary>
public sealed class ServiceStatus
{
    public required string Cluster { get; init; }

    public required string Service { get; init; }

    public required string Status { get; init; }

    public required string TaskDefinitionArn { get; init; }

    public int Revision => AwsArn.Revision(TaskDefinitionArn);

    public int DesiredCount { get; init; }

    public int RunningCount { get; init; }

    public int PendingCount { get; init; }

    /// <summary>The PRIMARY deployment's rollout state.</summary>
    public string? RolloutState => Deployments.FirstOrDefault(d => d.Status == "PRIMARY")?.RolloutState;

    public IReadOnlyList<ServiceDeployment> Deployments { get; init; } = [];

    /// <summary>The newest events, newest first.</summary>
    public IReadOnlyList<ServiceEvent> Events { get; init; } = [];

    public IReadOnlyList<ServiceTask> Tasks { get; init; } = [];
}

public sealed record ServiceDeployment(string Id, string Status, string TaskDefinitionArn, string? RolloutState, string? RolloutStateReason,
    int DesiredCount, int RunningCount, int PendingCount, int FailedTasks, DateTimeOffset? CreatedAt)
{
    // What Format-List shows for an item of ServiceStatus.Deployments.
    public override string ToString() => $"{Status} {AwsArn.TaskDefinitionName(TaskDefinitionArn)} {RolloutState} {RunningCount}/{DesiredCount}";
}

public sealed record ServiceEvent(DateTimeOffset? CreatedAt, string Message)
{
    public override string ToString() => $"{CreatedAt:u} {Message}";
}

/// <summary>A task of a service; Connect-CruddurTask binds Cluster, Service and TaskArn from it.</summary>
public sealed record ServiceTask(string Cluster, string Service, string TaskArn, string TaskDefinitionArn, string LastStatus,
    string? HealthStatus, DateTimeOffset? StartedAt, IReadOnlyList<TaskContainer> Containers)
{
    public string TaskId => AwsArn.LastSegment(TaskArn);

    public override string ToString() => $"{TaskId} {LastStatus} {AwsArn.TaskDefinitionName(TaskDefinitionArn)}";
}

public sealed record TaskContainer(string Name, string? Image, string? LastStatus, string? HealthStatus, int? ExitCode)
{
    public override string ToString() => Name;
}

/// <summary>Reads <see cref="ServiceStatus"/> objects.</summary>
public sealed class ServiceStatusReader
{
    private readonly IEcsClient _ecs;

    internal ServiceStatusReader(IEcsClient ecs) => _ecs = ecs;

    /// <summary>The region the ECS client talks to, for messages.</summary>
    internal string? Region { get; init; }

    /// <summary>
    /// The services named (all of the cluster's when none; * and ? match as in PowerShell, and a pattern that matches nothing
    /// is no error); a plain name that does not exist is reported through <paramref name="missing"/>.
    /// </summary>
    public async Task<IReadOnlyList<ServiceStatus>> GetAsync(string cluster, IReadOnlyList<string> services, int eventCount, Action<CruddurException> missing, CancellationToken cancellationToken)
    {
        await EcsServices.RequireClustersAsync(_ecs, [cluster], Region, cancellationToken).ConfigureAwait(false);
        var all = services.Count == 0 || services.Any(EcsServices.IsPattern) ? await _ecs.ListServiceNamesAsync(cluster, cancellationToken).ConfigureAwait(false) : [];
        var names = services.Count == 0 ? all : services.SelectMany(s => EcsServices.IsPattern(s) ? EcsServices.Matching(s, all) : Enumerable.Repeat(s, 1))
            .Distinct(StringComparer.Ordinal).ToList();
        var found = await EcsServices.DescribeAsync(_ecs, names.Select(n => (cluster, n)), cancellationToken).ConfigureAwait(false);
        var result = new List<ServiceStatus>();
        foreach (var name in names)
        {
            if (!found.TryGetValue((cluster, name), out var s))
            {
                missing(new CruddurException(ErrorIds.ServiceNotFound, ErrorKind.ObjectNotFound,
                    $"The service '{name}' does not exist in the cluster '{cluster}'. Get-CruddurService -Cluster {cluster} lists its services.", target: name));
                continue;
            }

            result.Add(new ServiceStatus
            {
                Cluster = cluster,
                Service = name,
                Status = s.Status ?? "UNKNOWN",
                TaskDefinitionArn = s.TaskDefinition ?? string.Empty,
                DesiredCount = s.DesiredCount,
                RunningCount = s.RunningCount,
                PendingCount = s.PendingCount,
                Deployments = s.Deployments.Select(d => new ServiceDeployment(
                    d.Id ?? string.Empty, d.Status ?? string.Empty, d.TaskDefinition ?? string.Empty, d.RolloutState, d.RolloutStateReason,
                    d.DesiredCount, d.RunningCount, d.PendingCount, d.FailedTasks, d.CreatedAt)).ToList(),
                Events = s.Events.Take(eventCount).Select(e => new ServiceEvent(e.CreatedAt, e.Message ?? string.Empty)).ToList(),
                Tasks = await TasksAsync(cluster, name, cancellationToken).ConfigureAwait(false),
            });
        }

        return result;
    }

    private async Task<IReadOnlyList<ServiceTask>> TasksAsync(string cluster, string service, CancellationToken cancellationToken)
    {
        var arns = await _ecs.ListTaskArnsAsync(new EcsTaskQuery(cluster, ServiceName: service), cancellationToken).ConfigureAwait(false);
        var tasks = (await _ecs.DescribeTasksAsync(cluster, arns, cancellationToken).ConfigureAwait(false)).Select(t => new ServiceTask(
            cluster, service, t.Arn, t.TaskDefinitionArn ?? string.Empty, t.LastStatus ?? "UNKNOWN", t.HealthStatus, t.StartedAt,
            t.Containers.Select(c => new TaskContainer(c.Name ?? string.Empty, c.Image, c.LastStatus, c.HealthStatus, c.ExitCode)).ToList())).ToList();
        return tasks;
    }
}
