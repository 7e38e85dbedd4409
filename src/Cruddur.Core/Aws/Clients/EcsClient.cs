using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Cruddur.Core.Aws.Protocols;
using Cruddur.Core.Hosting;
using static Cruddur.Core.Aws.AwsJson;

namespace Cruddur.Core.Aws.Clients;

/// <summary>An ECS cluster: ARN, status and its Service Connect default namespace.</summary>
internal sealed record EcsCluster(string Arn, string Status, string? ServiceConnectNamespace);

/// <summary>What an UpdateService sends beside the task definition: the user's deploymentConfiguration and loadBalancers (null: left as they are).</summary>
internal sealed record ServiceChanges(JsonObject? DeploymentConfiguration, JsonArray? LoadBalancers);

/// <summary>Which tasks ListTasks returns. <see cref="FirstPageOnly"/>: one page of at most 100 (for a sample, not a census).</summary>
internal sealed record EcsTaskQuery(string Cluster, string? ServiceName = null, string? StartedBy = null, string? DesiredStatus = null, bool FirstPageOnly = false);

/// <summary>
/// The session of an ExecuteCommand answer (ECS's Session: sessionId, streamUrl, tokenValue), read here once.
/// <see cref="TokenValue"/> opens the data channel, once: <see cref="ToString"/> and JSON serialization leave it out, and it
/// goes only into the channel's first frame or, through <see cref="ToEcsJson"/>, into session-manager-plugin's environment.
/// </summary>
internal sealed record ExecuteCommandSession(string? SessionId, string? StreamUrl, [property: JsonIgnore] string? TokenValue)
{
    internal static ExecuteCommandSession Read(JsonObject session) =>
        new(OptionalText(session, "sessionId"), OptionalText(session, "streamUrl"), OptionalText(session, "tokenValue"));

    /// <summary>The session as ECS gave it, token included, which is what session-manager-plugin reads (the AWS CLI passes it as is).</summary>
    internal string ToEcsJson()
    {
        var json = new JsonObject();
        foreach (var (name, value) in new[] { ("sessionId", SessionId), ("streamUrl", StreamUrl), ("tokenValue", TokenValue) }.Where(f => f.Item2 is not null))
        {
            json[name] = value;
        }

        return json.ToJsonString();
    }

    /// <summary>The session id only: never the token.</summary>
    public override string ToString() => $"ExecuteCommand session {SessionId}";
}

/// <summary>An ExecuteCommand answer: the session (holds the token: never print it) and where it goes.</summary>
internal sealed record EcsExecSession(ExecuteCommandSession Session, string? ClusterArn, string? TaskArn, string? ContainerName);

/// <summary>
/// Amazon ECS as the module uses it. What ECS answers comes back as records (<see cref="EcsService"/>, <see cref="EcsTask"/>,
/// <see cref="EcsTaskDefinition"/>, <see cref="EcsServiceDeployment"/>): ECS's JSON is read here, once. The user's definitions
/// go in as they are.
/// </summary>
internal interface IEcsClient
{
    Task<IReadOnlyList<string>> ListClusterNamesAsync(CancellationToken cancellationToken);

    /// <summary>The cluster as DescribeClusters reports it (also INACTIVE ones), or null.</summary>
    Task<EcsCluster?> DescribeClusterAsync(string name, CancellationToken cancellationToken);

    Task<EcsCluster> CreateClusterAsync(string name, string? serviceConnectNamespace, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> ListServiceNamesAsync(string cluster, CancellationToken cancellationToken);

    /// <summary>The services found among <paramref name="names"/> (any status; one call per 10 names).</summary>
    Task<IReadOnlyList<EcsService>> DescribeServicesAsync(string cluster, IReadOnlyList<string> names, CancellationToken cancellationToken);

    /// <summary>CreateService with the user's service definition; returns the service.</summary>
    Task<EcsService> CreateServiceAsync(JsonObject definition, CancellationToken cancellationToken);

    /// <summary>Points the service at a task definition and starts a new deployment; returns the service.</summary>
    Task<EcsService> UpdateServiceAsync(string cluster, string service, string taskDefinitionArn, ServiceChanges? changes, CancellationToken cancellationToken);

    /// <summary>DescribeServiceDeployments, 20 ARNs per call; unknown ARNs are left out.</summary>
    Task<IReadOnlyList<EcsServiceDeployment>> DescribeServiceDeploymentsAsync(IReadOnlyList<string> arns, CancellationToken cancellationToken);

    /// <summary>DescribeServiceRevisions, 20 ARNs per call: each revision's task definition ARN, by revision ARN.</summary>
    Task<IReadOnlyDictionary<string, string>> DescribeServiceRevisionsAsync(IReadOnlyList<string> arns, CancellationToken cancellationToken);

    /// <summary>StopServiceDeployment with stopType ROLLBACK.</summary>
    Task StopServiceDeploymentAsync(string serviceDeploymentArn, CancellationToken cancellationToken);

    /// <summary>ContinueServiceDeployment: a PAUSE hook's CONTINUE or ROLLBACK.</summary>
    Task ContinueServiceDeploymentAsync(string serviceDeploymentArn, string hookId, bool rollback, CancellationToken cancellationToken);

    /// <summary>The task definition (an ARN, family:revision or family for its newest); ECS answers ClientException when there is none.</summary>
    Task<EcsTaskDefinition> DescribeTaskDefinitionAsync(string reference, CancellationToken cancellationToken);

    /// <summary>Registers the user's task definition; returns the new revision's ARN.</summary>
    Task<string> RegisterTaskDefinitionAsync(JsonObject definition, CancellationToken cancellationToken);

    /// <summary>The ARNs of the family's ACTIVE revisions, newest first.</summary>
    Task<IReadOnlyList<string>> ListActiveRevisionsAsync(string family, CancellationToken cancellationToken);

    Task DeregisterTaskDefinitionAsync(string arn, CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> ListTaskArnsAsync(EcsTaskQuery query, CancellationToken cancellationToken);

    /// <summary>Sets one tag on a resource (a task definition revision, say).</summary>
    Task TagResourceAsync(string arn, string key, string value, CancellationToken cancellationToken);

    /// <summary>The tags of a resource.</summary>
    Task<IReadOnlyDictionary<string, string>> ListTagsAsync(string arn, CancellationToken cancellationToken);

    /// <summary>The tasks found among <paramref name="tasks"/> (ARNs or ids; one call per 100).</summary>
    Task<IReadOnlyList<EcsTask>> DescribeTasksAsync(string cluster, IReadOnlyList<string> tasks, CancellationToken cancellationToken);

    /// <summary>An interactive ExecuteCommand session (the only mode ECS accepts).</summary>
    Task<EcsExecSession> ExecuteCommandAsync(string cluster, string task, string container, string command, CancellationToken cancellationToken);

    /// <summary>RunTask with the caller's request; returns the started tasks and ECS's failures ("arn: reason detail").</summary>
    Task<(IReadOnlyList<EcsTask> Tasks, IReadOnlyList<string> Failures)> RunTaskAsync(JsonObject request, CancellationToken cancellationToken);

    Task StopTaskAsync(string cluster, string task, string reason, CancellationToken cancellationToken);
}

/// <summary><see cref="IEcsClient"/> over AWS JSON 1.1.</summary>
internal sealed partial class EcsClient : IEcsClient
{
    /// <summary>DescribeServices takes at most 10 names per call.</summary>
    public const int DescribeServicesBatch = 10;

    internal static readonly (string, AwsJsonType)[] ServiceShape =
    [
        ("serviceName", AwsJsonType.Text), ("status", AwsJsonType.Text), ("taskDefinition", AwsJsonType.Text),
        ("desiredCount", AwsJsonType.Number), ("runningCount", AwsJsonType.Number), ("pendingCount", AwsJsonType.Number),
        ("enableExecuteCommand", AwsJsonType.Bool), ("currentServiceDeployment", AwsJsonType.Text),
        ("deployments[].id", AwsJsonType.Text), ("deployments[].status", AwsJsonType.Text), ("deployments[].taskDefinition", AwsJsonType.Text),
        ("deployments[].rolloutState", AwsJsonType.Text), ("deployments[].rolloutStateReason", AwsJsonType.Text),
        ("deployments[].desiredCount", AwsJsonType.Number), ("deployments[].runningCount", AwsJsonType.Number),
        ("deployments[].pendingCount", AwsJsonType.Number), ("deployments[].failedTasks", AwsJsonType.Number), ("deployments[].createdAt", AwsJsonType.Time),
        ("events[].id", AwsJsonType.Text), ("events[].message", AwsJsonType.Text), ("events[].createdAt", AwsJsonType.Time),
        ("launchType", AwsJsonType.Text), ("platformVersion", AwsJsonType.Text), ("loadBalancers", AwsJsonType.Array),
        ("networkConfiguration", AwsJsonType.Object), ("deploymentConfiguration", AwsJsonType.Object), ("capacityProviderStrategy", AwsJsonType.Array),
    ];

    internal static readonly (string, AwsJsonType)[] TaskShape =
    [
        ("taskArn", AwsJsonType.Text), ("taskDefinitionArn", AwsJsonType.Text), ("lastStatus", AwsJsonType.Text), ("desiredStatus", AwsJsonType.Text),
        ("healthStatus", AwsJsonType.Text), ("group", AwsJsonType.Text), ("platformVersion", AwsJsonType.Text), ("launchType", AwsJsonType.Text),
        ("enableExecuteCommand", AwsJsonType.Bool), ("stoppedReason", AwsJsonType.Text), ("startedAt", AwsJsonType.Time), ("createdAt", AwsJsonType.Time),
        ("stopCode", AwsJsonType.Text), ("stoppedAt", AwsJsonType.Time),
        ("overrides.taskRoleArn", AwsJsonType.Text),
        ("containers[].name", AwsJsonType.Text), ("containers[].image", AwsJsonType.Text), ("containers[].lastStatus", AwsJsonType.Text),
        ("containers[].healthStatus", AwsJsonType.Text), ("containers[].exitCode", AwsJsonType.Number), ("containers[].reason", AwsJsonType.Text),
        ("containers[].runtimeId", AwsJsonType.Text),
        ("containers[].managedAgents[].name", AwsJsonType.Text), ("containers[].managedAgents[].lastStatus", AwsJsonType.Text),
        ("containers[].managedAgents[].reason", AwsJsonType.Text),
    ];

    internal static readonly (string, AwsJsonType)[] TaskDefinitionShape =
    [
        ("taskDefinitionArn", AwsJsonType.Text), ("family", AwsJsonType.Text), ("taskRoleArn", AwsJsonType.Text),
        ("containerDefinitions[].name", AwsJsonType.Text), ("containerDefinitions[].image", AwsJsonType.Text),
        ("containerDefinitions[].environment", AwsJsonType.Array), ("containerDefinitions[].secrets", AwsJsonType.Array),
        ("containerDefinitions[].readonlyRootFilesystem", AwsJsonType.Bool), ("containerDefinitions[].linuxParameters", AwsJsonType.Object),
        ("containerDefinitions[].logConfiguration", AwsJsonType.Object),
    ];

    private readonly JsonProtocol _api;

    public EcsClient(AwsContext context, IOperationHost host) => _api = new JsonProtocol(context, AwsService.Ecs, host);

    public Task<IReadOnlyList<string>> ListClusterNamesAsync(CancellationToken cancellationToken) =>
        ListNamesAsync("ListClusters", new JsonObject(), "clusterArns", cancellationToken);

    public Task<EcsCluster?> DescribeClusterAsync(string name, CancellationToken cancellationToken) =>
        _api.CallAsync("DescribeClusters", new JsonObject { ["clusters"] = new JsonArray(name) }, idempotent: true,
            r => Objects(r, "clusters").Select(Cluster).FirstOrDefault(c => c.Status == "ACTIVE") ?? Objects(r, "clusters").Select(Cluster).FirstOrDefault(),
            cancellationToken);

    public Task<EcsCluster> CreateClusterAsync(string name, string? serviceConnectNamespace, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["clusterName"] = name };
        if (serviceConnectNamespace is not null)
        {
            request["serviceConnectDefaults"] = new JsonObject { ["namespace"] = serviceConnectNamespace };
        }

        return _api.CallAsync("CreateCluster", request, idempotent: false, r => Cluster(OptionalObject(r, "cluster") ?? throw new FormatException("'cluster' is missing")), cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListServiceNamesAsync(string cluster, CancellationToken cancellationToken) =>
        ListNamesAsync("ListServices", new JsonObject { ["cluster"] = cluster }, "serviceArns", cancellationToken);

    public async Task<IReadOnlyList<EcsService>> DescribeServicesAsync(string cluster, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var found = new List<EcsService>();
        foreach (var batch in names.Chunk(DescribeServicesBatch))
        {
            var request = new JsonObject { ["cluster"] = cluster, ["services"] = new JsonArray(batch.Select(n => (JsonNode)n).ToArray()) };
            found.AddRange(await _api.CallAsync("DescribeServices", request, idempotent: true, ReadServices, cancellationToken).ConfigureAwait(false));
        }

        return found;
    }

    public Task<EcsService> CreateServiceAsync(JsonObject definition, CancellationToken cancellationToken) =>
        _api.CallAsync("CreateService", definition, idempotent: false, ReadService, cancellationToken);

    public Task<EcsService> UpdateServiceAsync(string cluster, string service, string taskDefinitionArn, ServiceChanges? changes, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["cluster"] = cluster, ["service"] = service, ["taskDefinition"] = taskDefinitionArn, ["forceNewDeployment"] = true };
        if (changes?.DeploymentConfiguration is { } configuration)
        {
            request["deploymentConfiguration"] = configuration.DeepClone();
        }

        if (changes?.LoadBalancers is { } loadBalancers)
        {
            request["loadBalancers"] = loadBalancers.DeepClone();
        }

        return _api.CallAsync("UpdateService", request, idempotent: false, ReadService, cancellationToken);
    }

    public Task<EcsTaskDefinition> DescribeTaskDefinitionAsync(string reference, CancellationToken cancellationToken) =>
        _api.CallAsync("DescribeTaskDefinition", new JsonObject { ["taskDefinition"] = reference }, idempotent: true,
            r => TaskDefinition(OptionalObject(r, "taskDefinition") ?? throw new FormatException("'taskDefinition' is missing")), cancellationToken);

    // Not idempotent: a 5xx does not say whether the revision was registered, and a retry could register two.
    public Task<string> RegisterTaskDefinitionAsync(JsonObject definition, CancellationToken cancellationToken) =>
        _api.CallAsync("RegisterTaskDefinition", definition, idempotent: false, r => Text(OptionalObject(r, "taskDefinition"), "taskDefinitionArn"), cancellationToken);

    public async Task<IReadOnlyList<string>> ListActiveRevisionsAsync(string family, CancellationToken cancellationToken)
    {
        // familyPrefix also matches longer families (backend-flask-worker for backend-flask): keep the exact family only.
        var request = new JsonObject { ["familyPrefix"] = family, ["status"] = "ACTIVE", ["sort"] = "DESC" };
        var arns = await AwsPaginator.AllAsync(token => ListPageAsync("ListTaskDefinitions", request, "taskDefinitionArns", token, cancellationToken), "ECS ListTaskDefinitions").ConfigureAwait(false);
        return arns.Where(a => AwsArn.Family(a) == family).OrderByDescending(AwsArn.Revision).ToList();
    }

    // Not idempotent by the rule for mutations; a repeat of a done deregistration would fail anyway.
    public Task DeregisterTaskDefinitionAsync(string arn, CancellationToken cancellationToken) =>
        _api.CallAsync("DeregisterTaskDefinition", new JsonObject { ["taskDefinition"] = arn }, idempotent: false, cancellationToken);

    // Setting the same tag again changes nothing: safe to repeat.
    public Task TagResourceAsync(string arn, string key, string value, CancellationToken cancellationToken) =>
        _api.CallAsync("TagResource", new JsonObject { ["resourceArn"] = arn, ["tags"] = new JsonArray(new JsonObject { ["key"] = key, ["value"] = value }) },
            idempotent: true, cancellationToken);

    public Task<IReadOnlyDictionary<string, string>> ListTagsAsync(string arn, CancellationToken cancellationToken) =>
        _api.CallAsync("ListTagsForResource", new JsonObject { ["resourceArn"] = arn }, idempotent: true,
            r => (IReadOnlyDictionary<string, string>)Objects(r, "tags").Where(t => OptionalText(t, "key") is not null)
                .GroupBy(t => OptionalText(t, "key")!).ToDictionary(g => g.Key, g => OptionalText(g.Last(), "value") ?? string.Empty),
            cancellationToken);

    public async Task<IReadOnlyList<string>> ListTaskArnsAsync(EcsTaskQuery query, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["cluster"] = query.Cluster };
        Put(request, "serviceName", query.ServiceName);
        Put(request, "startedBy", query.StartedBy);
        Put(request, "desiredStatus", query.DesiredStatus);
        if (query.FirstPageOnly)
        {
            request["maxResults"] = 100;
            return (await ListPageAsync("ListTasks", request, "taskArns", null, cancellationToken).ConfigureAwait(false)).Items;
        }

        return await AwsPaginator.AllAsync(token => ListPageAsync("ListTasks", request, "taskArns", token, cancellationToken), "ECS ListTasks").ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<EcsTask>> DescribeTasksAsync(string cluster, IReadOnlyList<string> tasks, CancellationToken cancellationToken)
    {
        var found = new List<EcsTask>();
        foreach (var batch in tasks.Chunk(100))
        {
            var request = new JsonObject { ["cluster"] = cluster, ["tasks"] = new JsonArray(batch.Select(t => (JsonNode)t).ToArray()) };
            found.AddRange(await _api.CallAsync("DescribeTasks", request, idempotent: true,
                r => Objects(r, "tasks").Select(Task).ToList(), cancellationToken).ConfigureAwait(false));
        }

        return found;
    }

    public Task<EcsExecSession> ExecuteCommandAsync(string cluster, string task, string container, string command, CancellationToken cancellationToken) =>
        _api.CallAsync("ExecuteCommand", new JsonObject
        {
            ["cluster"] = cluster,
            ["task"] = task,
            ["container"] = container,
            ["command"] = command,
            ["interactive"] = true,
        }, idempotent: false, r => new EcsExecSession(
            ExecuteCommandSession.Read(OptionalObject(r, "session") ?? throw new CruddurException(ErrorIds.ExecSessionMissing, ErrorKind.InvalidData, "ECS ExecuteCommand returned no session. Try again.")),
            OptionalText(r, "clusterArn"), OptionalText(r, "taskArn"), OptionalText(r, "containerName")), cancellationToken);

    // Not idempotent: a repeat after a 5xx could start a second one-off task.
    public Task<(IReadOnlyList<EcsTask> Tasks, IReadOnlyList<string> Failures)> RunTaskAsync(JsonObject request, CancellationToken cancellationToken) =>
        _api.CallAsync("RunTask", request, idempotent: false, r => (
            (IReadOnlyList<EcsTask>)Objects(r, "tasks").Select(Task).ToList(),
            (IReadOnlyList<string>)Objects(r, "failures").Select(f => $"{OptionalText(f, "arn")}: {OptionalText(f, "reason")} {OptionalText(f, "detail")}".Trim()).ToList()),
            cancellationToken);

    // Idempotent: stopping a stopping task changes nothing.
    public Task StopTaskAsync(string cluster, string task, string reason, CancellationToken cancellationToken) =>
        _api.CallAsync("StopTask", new JsonObject { ["cluster"] = cluster, ["task"] = task, ["reason"] = reason }, idempotent: true, cancellationToken);

    private static EcsCluster Cluster(JsonObject c) =>
        new(Text(c, "clusterArn"), OptionalText(c, "status") ?? "ACTIVE", OptionalText(OptionalObject(c, "serviceConnectDefaults"), "namespace"));

    private static void Put(JsonObject request, string name, string? value)
    {
        if (value is not null)
        {
            request[name] = value;
        }
    }

    private async Task<IReadOnlyList<string>> ListNamesAsync(string operation, JsonObject request, string field, CancellationToken cancellationToken) =>
        (await AwsPaginator.AllAsync(token => ListPageAsync(operation, request, field, token, cancellationToken), "ECS " + operation).ConfigureAwait(false))
        .Select(AwsArn.LastSegment).ToList();

    private Task<AwsPage<string>> ListPageAsync(string operation, JsonObject request, string field, string? token, CancellationToken cancellationToken)
    {
        var page = (JsonObject)request.DeepClone();
        Put(page, "nextToken", token);
        return _api.CallAsync(operation, page, idempotent: true, r => new AwsPage<string>(Texts(r, field), OptionalText(r, "nextToken")), cancellationToken);
    }
}
