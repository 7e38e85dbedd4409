using Cruddur.Core.Aws;
using Cruddur.Core.Hosting;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;

namespace Cruddur.Core.Exec;

/// <summary>Which task and container to open a session in. <see cref="Task"/> is an ARN or a bare task id.</summary>
public sealed record ExecRequest(string Cluster, string? Service, string? Task, string? Container);

/// <summary>The task and container a session goes to, as DescribeTasks returned them.</summary>
public sealed record ExecTarget
{
    internal ExecTarget(string cluster, string? service, EcsTask task, string container)
    {
        Cluster = cluster;
        Service = service;
        Task = task;
        Container = container;
    }

    public string Cluster { get; }

    public string? Service { get; }

    /// <summary>The task as DescribeTasks returned it (internal: the ECS records stay inside Core).</summary>
    internal EcsTask Task { get; }

    public string Container { get; }

    public string TaskArn => Task.Arn;

    public string TaskId => Task.Id;
}

/// <summary>An ExecuteCommand session (holds the token: never print it) and the plugin's target parts.</summary>
internal sealed record ExecSession(ExecuteCommandSession Session, string ClusterName, string TaskId, string RuntimeId)
{
    public string SessionId => Session.SessionId ?? string.Empty;

    /// <summary>The data channel's websocket URL.</summary>
    public Uri StreamUrl => Uri.TryCreate(Session.StreamUrl, UriKind.Absolute, out var url) ? url
        : throw new CruddurException(ErrorIds.ExecSessionMissing, ErrorKind.InvalidData, "ECS ExecuteCommand returned a session without a valid streamUrl. Try again.");

    /// <summary>The single-use token that opens the data channel; it goes only into the channel's first frame.</summary>
    internal string Token => Session.TokenValue ?? string.Empty;

    /// <summary>The Session Manager target, as the AWS CLI names it for the plugin: ecs:&lt;cluster&gt;_&lt;task id&gt;_&lt;runtime id&gt;.</summary>
    public string Target => $"ecs:{ClusterName}_{TaskId}_{RuntimeId}";
}

/// <summary>
/// ECS Exec without the AWS CLI: picks the task and container, gathers what the prerequisite checks need, and opens the
/// ExecuteCommand session that session-manager-plugin then carries.
/// </summary>
internal sealed class EcsExec
{
    /// <summary>
    /// Runs bash where the image has it, else sh: the backend image (python) has bash, the frontend's nginx alpine only sh.
    /// The agent splits the command like a shell does, so the script is one single-quoted argument of sh -c.
    /// </summary>
    public const string DefaultShellCommand = "/bin/sh -c 'if [ -x /bin/bash ]; then exec /bin/bash; else exec /bin/sh; fi'";

    private readonly IEcsClient _ecs;
    private readonly IIamClient _iam;
    private readonly IOperationHost _host;

    public EcsExec(IEcsClient ecs, IIamClient iam, IOperationHost host)
    {
        _ecs = ecs;
        _iam = iam;
        _host = host;
    }

    /// <summary>The task (given, or the newest RUNNING one of the service) and the container (given, else the service's name).</summary>
    public async Task<ExecTarget> ResolveAsync(ExecRequest request, CancellationToken cancellationToken)
    {
        EcsTask task;
        if (request.Task is not null)
        {
            var found = await DescribeTasksAsync(request.Cluster, [request.Task], cancellationToken).ConfigureAwait(false);
            task = found.FirstOrDefault() ?? throw new CruddurException(ErrorIds.ExecTaskNotFound, ErrorKind.ObjectNotFound,
                $"Task '{request.Task}' was not found in cluster {request.Cluster}. Pass a task ARN or id from Get-CruddurService, or -Service alone to pick its newest running task.",
                target: request.Task);
        }
        else if (request.Service is not null)
        {
            task = await NewestRunningTaskAsync(request.Cluster, request.Service, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            throw new CruddurException(ErrorIds.ExecTargetMissing, ErrorKind.InvalidArgument,
                "Say which task to connect to: a service (its newest running task) or a task.");
        }

        var service = request.Service ?? ServiceOfGroup(task.Group);
        return new ExecTarget(request.Cluster, service, task, ChooseContainer(task, request.Container, service));
    }

    /// <summary>The container to open: the one asked for, else the one named like the service, else the task's only container.</summary>
    public static string ChooseContainer(EcsTask task, string? container, string? service)
    {
        var names = task.Containers.Select(c => c.Name).OfType<string>().ToList();
        if (container is not null)
        {
            return names.Contains(container, StringComparer.Ordinal) ? container : throw new CruddurException(ErrorIds.TaskContainerNotFound, ErrorKind.ObjectNotFound,
                $"Task {task.Id} has no container '{container}'. Its containers: {string.Join(", ", names)}.",
                target: container);
        }

        if (service is not null && names.Contains(service, StringComparer.Ordinal))
        {
            return service;
        }

        return names.Count == 1 ? names[0] : throw new CruddurException(ErrorIds.ExecContainerAmbiguous, ErrorKind.InvalidArgument,
            $"Task {task.Id} has {names.Count} containers ({string.Join(", ", names)}) and none is named after the service.",
            target: task.Id);
    }

    /// <summary>Everything the prerequisite checks look at: the task definition, the service setting and the task role's policies.</summary>
    public async Task<ExecFacts> GatherFactsAsync(ExecTarget target, SessionManagerPluginInfo plugin, CancellationToken cancellationToken)
    {
        var definition = await CallAsync(target.Cluster, () => _ecs.DescribeTaskDefinitionAsync(target.Task.TaskDefinitionArn ?? string.Empty, cancellationToken)).ConfigureAwait(false);

        bool? serviceExec = null;
        if (target.Service is not null && !target.Task.EnableExecuteCommand)
        {
            var services = await CallAsync(target.Cluster, () => _ecs.DescribeServicesAsync(target.Cluster, [target.Service], cancellationToken)).ConfigureAwait(false);
            serviceExec = services.Select(s => (bool?)s.EnableExecuteCommand).FirstOrDefault();
        }

        var roleArn = target.Task.OverrideTaskRoleArn ?? definition?.TaskRoleArn;
        var role = roleArn is null ? new TaskRoleFacts(null, false, []) : await RoleReader.ReadAsync(_iam, _host, roleArn, cancellationToken).ConfigureAwait(false);
        return new ExecFacts(plugin, target.Task, target.Container, definition, target.Service, serviceExec, role);
    }

    /// <summary>ECS ExecuteCommand (interactive is the only mode ECS accepts), then the container's runtimeId from DescribeTasks, as the AWS CLI does.</summary>
    public async Task<ExecSession> StartSessionAsync(ExecTarget target, string command, CancellationToken cancellationToken)
    {
        EcsExecSession response;
        try
        {
            response = await CallAsync(target.Cluster, () => _ecs.ExecuteCommandAsync(target.Cluster, target.TaskArn, target.Container, command, cancellationToken)).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.Condition == AwsCondition.ExecuteCommandUnavailable)
        {
            throw new CruddurException(ErrorIds.ExecNotEnabled, ErrorKind.InvalidOperation,
                $"ECS refused the session: {e.ServiceMessage} Run Connect-CruddurTask -Check for what is missing.", e, target.TaskArn);
        }

        var clusterName = AwsArn.LastSegment(response.ClusterArn ?? target.Cluster);
        var taskId = AwsArn.LastSegment(response.TaskArn ?? target.TaskArn);
        var containerName = response.ContainerName ?? target.Container;
        var task = (await DescribeTasksAsync(clusterName, [taskId], cancellationToken).ConfigureAwait(false)).FirstOrDefault()
            ?? throw new CruddurException(ErrorIds.ExecTaskNotFound, ErrorKind.ObjectNotFound, $"Task {taskId} disappeared while the session was being opened. Connect again.", target: taskId);
        var runtimeId = task.Containers.Where(c => c.Name == containerName).Select(c => c.RuntimeId).FirstOrDefault()
            ?? throw new CruddurException(ErrorIds.TaskContainerNotFound, ErrorKind.ObjectNotFound, $"Container {containerName} of task {taskId} has no runtimeId yet. Wait for it to start and connect again.", target: containerName);
        return new ExecSession(response.Session, clusterName, taskId, runtimeId);
    }

    private async Task<EcsTask> NewestRunningTaskAsync(string cluster, string service, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> arns;
        try
        {
            arns = await CallAsync(cluster, () => _ecs.ListTaskArnsAsync(new EcsTaskQuery(cluster, ServiceName: service, DesiredStatus: "RUNNING"), cancellationToken)).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.Condition == AwsCondition.ServiceNotFound)
        {
            throw new CruddurException(ErrorIds.ServiceNotFound, ErrorKind.ObjectNotFound,
                $"Service '{service}' was not found in cluster {cluster}. The seed's services are {SeedDefaults.BackendService} and {SeedDefaults.FrontendService} in cluster {SeedDefaults.Cluster}.", e, service);
        }

        var running = (await DescribeTasksAsync(cluster, arns, cancellationToken).ConfigureAwait(false)).Where(t => t.LastStatus == "RUNNING");
        return running.OrderByDescending(t => t.StartedAt ?? t.CreatedAt ?? DateTimeOffset.MinValue).FirstOrDefault()
            ?? throw new CruddurException(ErrorIds.ExecNoRunningTask, ErrorKind.ObjectNotFound,
                arns.Count == 0
                    ? $"Service {service} in cluster {cluster} has no running task. Start one with Deploy-CruddurService (desired count > 0), or look at its events for why tasks stop."
                    : $"Service {service} in cluster {cluster} has {arns.Count} task(s), none RUNNING yet. Wait until they start, then connect again.",
                target: service);
    }

    private async Task<IReadOnlyList<EcsTask>> DescribeTasksAsync(string cluster, IEnumerable<string> tasks, CancellationToken cancellationToken)
    {
        try
        {
            return await CallAsync(cluster, () => _ecs.DescribeTasksAsync(cluster, tasks.ToList(), cancellationToken)).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.Condition == AwsCondition.Invalid)
        {
            // A malformed task id: ECS rejects it instead of reporting it missing.
            _host.WriteVerbose($"DescribeTasks: {e.ServiceMessage}");
            return [];
        }
    }

    /// <summary>One ECS call; a missing cluster becomes ServiceClusterNotFound whichever call finds out.</summary>
    private async Task<T> CallAsync<T>(string cluster, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.Condition == AwsCondition.ClusterNotFound)
        {
            throw await EcsServices.ClusterNotFoundAsync(_ecs, cluster, region: null, e, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static string? ServiceOfGroup(string? group) =>
        group is not null && group.StartsWith("service:", StringComparison.Ordinal) ? group["service:".Length..] : null;
}
