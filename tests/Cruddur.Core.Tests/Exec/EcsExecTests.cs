using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Exec;
using Cruddur.Core.Hosting;
using Cruddur.Core.Tests.Aws;

namespace Cruddur.Core.Tests.Exec;

/// <summary>Which task and container Connect-CruddurTask picks, what it gathers for -Check, and how it opens the session.</summary>
public sealed class EcsExecTests
{
    private const string Cluster = "cruddur";
    private const string OldArn = "arn:aws:ecs:us-east-1:123456789012:task/cruddur/00000000000000000000000000000old";
    private const string NewArn = "arn:aws:ecs:us-east-1:123456789012:task/cruddur/00000000000000000000000000000new";
    private const string RoleArn = "arn:aws:iam::123456789012:role/cruddur/CruddurTaskRole";
    private static readonly SessionManagerPluginInfo Plugin = new("/usr/local/bin/session-manager-plugin", "1.2.707.0", "install it");

    private static JsonObject Task(string arn, string status = "RUNNING", string? startedAt = "2026-01-01T10:00:00Z", string group = "service:backend-flask", bool? exec = true, params string[] containers)
    {
        var task = new JsonObject
        {
            ["taskArn"] = arn,
            ["lastStatus"] = status,
            ["group"] = group,
            ["taskDefinitionArn"] = "arn:aws:ecs:us-east-1:123456789012:task-definition/backend-flask:7",
            ["containers"] = new JsonArray((containers.Length == 0 ? ["backend-flask"] : containers)
                .Select(c => (JsonNode)new JsonObject { ["name"] = c, ["runtimeId"] = c + "-runtime" }).ToArray()),
        };
        if (startedAt is not null)
        {
            task["startedAt"] = startedAt;
        }

        if (exec is not null)
        {
            task["enableExecuteCommand"] = exec;
        }

        return task;
    }

    private static AwsServiceException Error(string code, string message = "no", int status = 400) => new("ECS", "Call", code, message, status);

    private sealed class Ecs : ScriptedEcsClient
    {
        public List<JsonObject> Tasks { get; } = [];

        public List<string> Calls { get; } = [];

        public Exception? ListError { get; set; }

        public Exception? DescribeError { get; set; }

        public Exception? ExecuteError { get; set; }

        public JsonObject? Definition { get; set; }

        public bool? ServiceExec { get; set; }

        /// <summary>False: DescribeServices finds no such service (ECS lists it under failures, not services).</summary>
        public bool ServiceFound { get; set; } = true;

        public EcsExecSession? Session { get; set; }

        public (string Cluster, string Task, string Container, string Command)? Executed { get; private set; }

        public override Task<IReadOnlyList<string>> ListTaskArnsAsync(EcsTaskQuery query, CancellationToken cancellationToken)
        {
            Calls.Add($"ListTaskArns {query.Cluster} {query.ServiceName} {query.DesiredStatus}");
            return ListError is not null ? throw ListError : System.Threading.Tasks.Task.FromResult<IReadOnlyList<string>>(Tasks.Select(t => (string)t["taskArn"]!).ToList());
        }

        public override Task<IReadOnlyList<EcsTask>> DescribeTasksAsync(string cluster, IReadOnlyList<string> tasks, CancellationToken cancellationToken)
        {
            Calls.Add($"DescribeTasks {cluster} {string.Join(",", tasks)}");
            if (DescribeError is not null)
            {
                throw DescribeError;
            }

            return System.Threading.Tasks.Task.FromResult<IReadOnlyList<EcsTask>>(
                Tasks.Where(t => tasks.Any(id => (string)t["taskArn"]! == id || ((string)t["taskArn"]!).EndsWith("/" + id, StringComparison.Ordinal))).Select(EcsClient.Task).ToList());
        }

        public override Task<IReadOnlyList<string>> ListClusterNamesAsync(CancellationToken cancellationToken) =>
            System.Threading.Tasks.Task.FromResult<IReadOnlyList<string>>(["arn:aws:ecs:us-east-1:123456789012:cluster/other"]);

        public override Task<EcsTaskDefinition> DescribeTaskDefinitionAsync(string reference, CancellationToken cancellationToken)
        {
            Calls.Add($"DescribeTaskDefinition {reference}");
            return Defined(Definition!);
        }

        public override Task<IReadOnlyList<EcsService>> DescribeServicesAsync(string cluster, IReadOnlyList<string> names, CancellationToken cancellationToken)
        {
            Calls.Add($"DescribeServices {cluster} {string.Join(",", names)}");
            return Answered(
                ServiceFound ? [new JsonObject { ["serviceName"] = names[0], ["enableExecuteCommand"] = ServiceExec }] : []);
        }

        public override Task<EcsExecSession> ExecuteCommandAsync(string cluster, string task, string container, string command, CancellationToken cancellationToken)
        {
            Executed = (cluster, task, container, command);
            return ExecuteError is not null ? throw ExecuteError : System.Threading.Tasks.Task.FromResult(Session!);
        }
    }

    /// <summary>IAM as a role with inline and managed policies; anything unscripted throws.</summary>
    private sealed class Iam : IIamClient
    {
        public bool RoleExists { get; set; } = true;

        public Dictionary<string, string?> Inline { get; } = [];

        public Dictionary<string, string?> Managed { get; } = [];

        public Exception? Error { get; set; }

        public List<string> RolesAsked { get; } = [];

        public Task<(string Arn, string TrustPolicy)?> GetRoleTrustAsync(string roleName, CancellationToken cancellationToken)
        {
            RolesAsked.Add(roleName);
            return Error is not null ? throw Error : System.Threading.Tasks.Task.FromResult<(string, string)?>(RoleExists ? (RoleArn, "{}") : null);
        }

        public Task<IReadOnlyList<string>> ListRolePolicyNamesAsync(string roleName, CancellationToken cancellationToken) =>
            System.Threading.Tasks.Task.FromResult<IReadOnlyList<string>>(Inline.Keys.ToList());

        public Task<IReadOnlyList<AttachedPolicy>> ListAttachedRolePoliciesAsync(string roleName, CancellationToken cancellationToken) =>
            System.Threading.Tasks.Task.FromResult<IReadOnlyList<AttachedPolicy>>(Managed.Keys.Select(arn => new AttachedPolicy(AwsArn.LastSegment(arn), arn)).ToList());

        public Task<string?> GetRolePolicyDocumentAsync(string roleName, string policyName, CancellationToken cancellationToken) => System.Threading.Tasks.Task.FromResult(Inline[policyName]);

        public Task<string?> GetManagedPolicyDocumentAsync(string policyArn, CancellationToken cancellationToken) => System.Threading.Tasks.Task.FromResult(Managed[policyArn]);

        public Task<string> CreateRoleAsync(string roleName, string trustPolicy, CancellationToken cancellationToken) => throw new Xunit.Sdk.XunitException("CreateRole");

        public Task UpdateAssumeRolePolicyAsync(string roleName, string trustPolicy, CancellationToken cancellationToken) => throw new Xunit.Sdk.XunitException("UpdateAssumeRolePolicy");

        public Task PutRolePolicyAsync(string roleName, string policyName, string policyDocument, CancellationToken cancellationToken) => throw new Xunit.Sdk.XunitException("PutRolePolicy");

        public Task AttachRolePolicyAsync(string roleName, string policyArn, CancellationToken cancellationToken) => throw new Xunit.Sdk.XunitException("AttachRolePolicy");
    }

    private readonly Ecs _ecs = new();
    private readonly Iam _iam = new();
    private readonly RecordingHost _host = new();

    private EcsExec Exec => new(_ecs, _iam, _host);

    private Task<ExecTarget> ResolveAsync(string? service = null, string? task = null, string? container = null) =>
        Exec.ResolveAsync(new ExecRequest(Cluster, service, task, container), CancellationToken.None);

    /// <summary>The error a user sees: its id and kind, the object it names, and the facts its message must carry.</summary>
    private static void AssertFailure(CruddurException e, string id, ErrorKind kind, object? target, params string[] facts)
    {
        Assert.Equal(id, e.ErrorId);
        Assert.Equal(kind, e.Kind);
        Assert.Equal(target, e.Target);
        Assert.All(facts, fact => Assert.Contains(fact, e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheServicesNewestRunningTaskIsPicked()
    {
        _ecs.Tasks.Add(Task(OldArn, startedAt: "2026-01-01T09:00:00Z"));
        _ecs.Tasks.Add(Task(NewArn, startedAt: "2026-01-01T11:00:00Z"));
        _ecs.Tasks.Add(Task(NewArn.Replace("new", "pnd"), status: "PENDING", startedAt: "2026-01-01T12:00:00Z"));

        var target = await ResolveAsync(service: "backend-flask");

        Assert.Equal(NewArn, target.TaskArn);
        Assert.Equal("backend-flask", target.Container);
        Assert.Equal("backend-flask", target.Service);
        Assert.Equal(Cluster, target.Cluster);
        Assert.Equal("ListTaskArns cruddur backend-flask RUNNING", _ecs.Calls[0]);
    }

    [Fact]
    public async Task ATaskNotYetStartedCountsByItsCreationTime()
    {
        var created = Task(NewArn, startedAt: null);
        created["createdAt"] = "2026-01-01T12:00:00Z";
        _ecs.Tasks.Add(Task(OldArn, startedAt: "2026-01-01T11:00:00Z"));
        _ecs.Tasks.Add(created);

        Assert.Equal(NewArn, (await ResolveAsync(service: "backend-flask")).TaskArn);
    }

    [Fact]
    public async Task TheNewestTaskIsTheLastStartedNotTheLastCreated()
    {
        var startedLast = Task(OldArn, startedAt: "2026-01-01T10:05:00Z");
        startedLast["createdAt"] = "2026-01-01T10:00:00Z";
        var createdLast = Task(NewArn, startedAt: "2026-01-01T10:02:00Z");
        createdLast["createdAt"] = "2026-01-01T10:01:00Z";
        _ecs.Tasks.Add(startedLast);
        _ecs.Tasks.Add(createdLast);

        Assert.Equal(OldArn, (await ResolveAsync(service: "backend-flask")).TaskArn);
    }

    [Fact]
    public async Task AServiceWithoutTasksSaysHowToStartOne()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => ResolveAsync(service: "backend-flask"));

        AssertFailure(e, ErrorIds.ExecNoRunningTask, ErrorKind.ObjectNotFound, "backend-flask", "no running task", "Deploy-CruddurService");
    }

    [Fact]
    public async Task AServiceWhoseTasksAreStillStartingSaysToWait()
    {
        _ecs.Tasks.Add(Task(OldArn, status: "PENDING"));
        _ecs.Tasks.Add(Task(NewArn, status: "PROVISIONING"));

        var e = await Assert.ThrowsAsync<CruddurException>(() => ResolveAsync(service: "backend-flask"));

        AssertFailure(e, ErrorIds.ExecNoRunningTask, ErrorKind.ObjectNotFound, "backend-flask", "2 task(s), none RUNNING");
    }

    [Fact]
    public async Task AnUnknownServiceNamesTheServiceAndCluster()
    {
        _ecs.ListError = Error("ServiceNotFoundException");

        var e = await Assert.ThrowsAsync<CruddurException>(() => ResolveAsync(service: "backend-flsk"));

        AssertFailure(e, ErrorIds.ServiceNotFound, ErrorKind.ObjectNotFound, "backend-flsk", "'backend-flsk'", "backend-flask and frontend-react-js");
    }

    [Fact]
    public async Task AnUnknownClusterBecomesServiceClusterNotFoundFromAnyCall()
    {
        _ecs.ListError = Error("ClusterNotFoundException");
        var listed = await Assert.ThrowsAsync<CruddurException>(() => ResolveAsync(service: "backend-flask"));
        AssertFailure(listed, ErrorIds.ServiceClusterNotFound, ErrorKind.ObjectNotFound, Cluster, "'cruddur'", "clusters here: other");

        _ecs.DescribeError = Error("ClusterNotFoundException");
        var described = await Assert.ThrowsAsync<CruddurException>(() => ResolveAsync(task: "abc"));
        Assert.Equal(ErrorIds.ServiceClusterNotFound, described.ErrorId);
    }

    [Fact]
    public async Task OtherServiceErrorsPassThroughUnchanged()
    {
        var denied = Error("AccessDeniedException");
        _ecs.ListError = denied;

        Assert.Same(denied, await Assert.ThrowsAsync<AwsServiceException>(() => ResolveAsync(service: "backend-flask")));

        _ecs.DescribeError = Error("ServerException", status: 500);
        Assert.Equal("ServerException", (await Assert.ThrowsAsync<AwsServiceException>(() => ResolveAsync(task: "abc"))).ErrorCode);
    }

    [Fact]
    public async Task AGivenTaskIdIsFoundAndItsServiceComesFromItsGroup()
    {
        _ecs.Tasks.Add(Task(NewArn, containers: ["xray", "backend-flask"]));

        var target = await ResolveAsync(task: "00000000000000000000000000000new");

        Assert.Equal(NewArn, target.TaskArn);
        Assert.Equal("00000000000000000000000000000new", target.TaskId);
        Assert.Equal("backend-flask", target.Service);
        Assert.Equal("backend-flask", target.Container);
        Assert.DoesNotContain(_ecs.Calls, c => c.StartsWith("ListTaskArns", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ATaskStartedOutsideAServiceHasNoService()
    {
        _ecs.Tasks.Add(Task(NewArn, group: "family:backend-flask", containers: ["backend-flask"]));

        var target = await ResolveAsync(task: NewArn);

        Assert.Null(target.Service);
        Assert.Equal("backend-flask", target.Container);
    }

    [Theory]
    [InlineData("family:backend-flask")] // run outside any service
    [InlineData("service:backend-flask-old")]
    public async Task AServiceGivenWithTheTaskWinsOverTheTasksGroup(string group)
    {
        _ecs.Tasks.Add(Task(NewArn, group: group, containers: ["xray", "backend-flask"]));

        var target = await ResolveAsync(service: "backend-flask", task: NewArn);

        Assert.Equal(("backend-flask", "backend-flask"), (target.Service, target.Container));
    }

    [Fact]
    public async Task AMissingOrMalformedTaskIsNotFound()
    {
        var missing = await Assert.ThrowsAsync<CruddurException>(() => ResolveAsync(task: "ffff"));
        AssertFailure(missing, ErrorIds.ExecTaskNotFound, ErrorKind.ObjectNotFound, "ffff", "'ffff'", "cluster cruddur");

        _ecs.DescribeError = Error("InvalidParameterException", "Invalid id");
        Assert.Equal(ErrorIds.ExecTaskNotFound, (await Assert.ThrowsAsync<CruddurException>(() => ResolveAsync(task: "not an id"))).ErrorId);
    }

    [Fact]
    public async Task NeitherServiceNorTaskSaysWhichToPass()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => ResolveAsync());

        AssertFailure(e, ErrorIds.ExecTargetMissing, ErrorKind.InvalidArgument, null, "a service (its newest running task) or a task");
        Assert.Empty(_ecs.Calls);
    }

    [Fact]
    public async Task TheFactsCarryTheDefinitionTheServiceSettingAndTheRolesPolicies()
    {
        _ecs.Tasks.Add(Task(NewArn, exec: false));
        _ecs.Definition = new JsonObject { ["taskRoleArn"] = RoleArn };
        _ecs.ServiceExec = true;
        _iam.Inline["SSMAccessPolicy"] = "{\"inline\":1}";
        _iam.Inline["Gone"] = null;
        _iam.Managed["arn:aws:iam::aws:policy/Managed"] = "{\"managed\":1}";
        _iam.Managed["arn:aws:iam::aws:policy/Unreadable"] = null;
        var target = await ResolveAsync(service: "backend-flask");

        var facts = await Exec.GatherFactsAsync(target, Plugin, CancellationToken.None);

        Assert.Contains("DescribeTaskDefinition arn:aws:ecs:us-east-1:123456789012:task-definition/backend-flask:7", _ecs.Calls);
        Assert.Contains("DescribeServices cruddur backend-flask", _ecs.Calls);
        Assert.True(facts.ServiceExecEnabled);
        Assert.Equal("backend-flask", facts.ServiceName);
        Assert.Equal("backend-flask", facts.ContainerName);
        Assert.Same(_ecs.Definition, facts.TaskDefinition?.Document);
        Assert.Equal(["CruddurTaskRole"], _iam.RolesAsked);
        Assert.Equal(RoleArn, facts.Role.RoleArn);
        Assert.True(facts.Role.Exists);
        Assert.Null(facts.Role.Error);
        Assert.Equal([("SSMAccessPolicy", "{\"inline\":1}"), ("Managed", "{\"managed\":1}")], facts.Role.Policies.Select(p => (p.Source, p.Document)));
    }

    [Fact]
    public async Task ATaskStartedWithExecNeedsNoServiceLookupAndAnOverrideRoleWins()
    {
        var task = Task(NewArn, exec: true);
        task["overrides"] = new JsonObject { ["taskRoleArn"] = "arn:aws:iam::123456789012:role/OverrideRole" };
        _ecs.Tasks.Add(task);
        _ecs.Definition = new JsonObject { ["taskRoleArn"] = RoleArn };
        _iam.RoleExists = false;

        var facts = await Exec.GatherFactsAsync(await ResolveAsync(service: "backend-flask"), Plugin, CancellationToken.None);

        Assert.DoesNotContain(_ecs.Calls, c => c.StartsWith("DescribeServices", StringComparison.Ordinal));
        Assert.Null(facts.ServiceExecEnabled);
        Assert.Equal(["OverrideRole"], _iam.RolesAsked);
        Assert.False(facts.Role.Exists);
        Assert.Equal("arn:aws:iam::123456789012:role/OverrideRole", facts.Role.RoleArn);
    }

    [Fact]
    public async Task ATaskOutsideAServiceWithoutARoleAsksNeitherServicesNorIam()
    {
        _ecs.Tasks.Add(Task(NewArn, group: "family:x", exec: false));
        _ecs.Definition = new JsonObject();

        var facts = await Exec.GatherFactsAsync(await ResolveAsync(task: NewArn), Plugin, CancellationToken.None);

        Assert.DoesNotContain(_ecs.Calls, c => c.StartsWith("DescribeServices", StringComparison.Ordinal));
        Assert.Empty(_iam.RolesAsked);
        Assert.Null(facts.Role.RoleArn);
        Assert.False(facts.Role.Exists);
        Assert.Equal(ExecCheckStatus.Fail, ExecPreflight.TaskRole(facts.Role).Status);
    }

    [Fact]
    public async Task AServiceECSDoesNotKnowLeavesItsExecSettingUnknown()
    {
        _ecs.Tasks.Add(Task(NewArn, exec: false));
        _ecs.Definition = new JsonObject();
        _ecs.ServiceFound = false;

        var facts = await Exec.GatherFactsAsync(await ResolveAsync(service: "backend-flsk", task: NewArn), Plugin, CancellationToken.None);

        Assert.Contains("DescribeServices cruddur backend-flsk", _ecs.Calls);
        Assert.Null(facts.ServiceExecEnabled);
        var check = ExecPreflight.ExecEnabled(facts.Task, facts.ServiceName, facts.ServiceExecEnabled);
        Assert.Equal(ExecCheckStatus.Fail, check.Status);
        Assert.Contains("service backend-flsk does not turn it on", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARoleThatCannotBeReadIsReportedNotThrown()
    {
        _ecs.Tasks.Add(Task(NewArn));
        _ecs.Definition = new JsonObject { ["taskRoleArn"] = RoleArn };
        _iam.Error = new AwsServiceException("IAM", "GetRole", "AccessDenied", "not allowed to iam:GetRole", 403);

        var facts = await Exec.GatherFactsAsync(await ResolveAsync(service: "backend-flask"), Plugin, CancellationToken.None);

        Assert.Equal("AccessDenied: not allowed to iam:GetRole", facts.Role.Error);
        Assert.True(facts.Role.Exists);
        Assert.Equal(ExecCheckStatus.Warn, ExecPreflight.TaskRole(facts.Role).Status);

        _iam.Error = new AwsServiceException("IAM", "GetRole", "ServiceFailure", "down", 500);
        await Assert.ThrowsAsync<AwsServiceException>(() => Exec.GatherFactsAsync(new ExecTarget(Cluster, "backend-flask", EcsClient.Task(_ecs.Tasks[0]), "backend-flask"), Plugin, CancellationToken.None));
    }

    [Fact]
    public async Task TheSessionTargetsTheContainersRuntimeId()
    {
        _ecs.Tasks.Add(Task(NewArn, containers: ["xray", "backend-flask"]));
        var session = new ExecuteCommandSession("s-1", "wss://ssmmessages/s-1", "secret");
        _ecs.Session = new EcsExecSession(session, "arn:aws:ecs:us-east-1:123456789012:cluster/cruddur", NewArn, "backend-flask");
        var target = await ResolveAsync(task: NewArn);

        var opened = await Exec.StartSessionAsync(target, "ls", CancellationToken.None);

        Assert.Equal((Cluster, NewArn, "backend-flask", "ls"), _ecs.Executed);
        Assert.Equal("ecs:cruddur_00000000000000000000000000000new_backend-flask-runtime", opened.Target);
        Assert.Equal("s-1", opened.SessionId);
        Assert.Equal(new Uri("wss://ssmmessages/s-1"), opened.StreamUrl);
        Assert.Equal("secret", opened.Token);
        Assert.Equal("DescribeTasks cruddur 00000000000000000000000000000new", _ecs.Calls[^1]);
    }

    [Fact]
    public async Task TheSessionShowsItsIdButNeverItsToken()
    {
        _ecs.Tasks.Add(Task(NewArn));
        var session = new ExecuteCommandSession("ecs-execute-command-7", "wss://ssmmessages/s-7", "SECRET-TOKEN");
        _ecs.Session = new EcsExecSession(session, null, NewArn, "backend-flask");

        var opened = await Exec.StartSessionAsync(await ResolveAsync(task: NewArn), "ls", CancellationToken.None);

        Assert.Equal("SECRET-TOKEN", opened.Token);
        foreach (var shown in new[] { session.ToString(), $"{_ecs.Session}", opened.ToString(), System.Text.Json.JsonSerializer.Serialize(session) })
        {
            Assert.Contains("ecs-execute-command-7", shown, StringComparison.Ordinal);
            Assert.DoesNotContain("SECRET-TOKEN", shown, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheSessionFallsBackToTheTargetWhenTheResponseLeavesPartsOut()
    {
        _ecs.Tasks.Add(Task(NewArn, containers: ["xray", "backend-flask"]));
        _ecs.Session = new EcsExecSession(new ExecuteCommandSession(null, null, null), null, null, null);
        var target = await ResolveAsync(task: NewArn, container: "xray");

        var opened = await Exec.StartSessionAsync(target, "ls", CancellationToken.None);

        Assert.Equal("ecs:cruddur_00000000000000000000000000000new_xray-runtime", opened.Target);
        Assert.Equal(string.Empty, opened.SessionId);
        Assert.Equal(string.Empty, opened.Token);
        AssertFailure(Assert.Throws<CruddurException>(() => opened.StreamUrl), ErrorIds.ExecSessionMissing, ErrorKind.InvalidData, null, "streamUrl", "Try again");
    }

    [Theory]
    [InlineData("InvalidParameterException")]
    [InlineData("TargetNotConnectedException")]
    public async Task ECSRefusingExecSaysToRunTheCheck(string code)
    {
        _ecs.Tasks.Add(Task(NewArn));
        _ecs.ExecuteError = new AwsServiceException("ECS", "ExecuteCommand", code, "The execute command failed because execute command was not enabled when the task was run.", 400);
        var target = await ResolveAsync(task: NewArn);

        var e = await Assert.ThrowsAsync<CruddurException>(() => Exec.StartSessionAsync(target, "ls", CancellationToken.None));

        AssertFailure(e, ErrorIds.ExecNotEnabled, ErrorKind.InvalidOperation, NewArn, "was not enabled when the task was run", "Connect-CruddurTask -Check");
    }

    [Fact]
    public async Task OtherExecuteCommandErrorsPassThrough()
    {
        _ecs.Tasks.Add(Task(NewArn));
        var target = await ResolveAsync(task: NewArn);

        _ecs.ExecuteError = Error("InvalidParameterException", "container name is wrong");
        Assert.Equal("InvalidParameterException", (await Assert.ThrowsAsync<AwsServiceException>(() => Exec.StartSessionAsync(target, "ls", CancellationToken.None))).ErrorCode);

        _ecs.ExecuteError = Error("AccessDeniedException", "execute command denied");
        Assert.Equal("AccessDeniedException", (await Assert.ThrowsAsync<AwsServiceException>(() => Exec.StartSessionAsync(target, "ls", CancellationToken.None))).ErrorCode);
    }

    [Fact]
    public async Task ATaskGoneOrAContainerWithoutRuntimeIdStopsTheSession()
    {
        var task = Task(NewArn);
        _ecs.Tasks.Add(task);
        _ecs.Session = new EcsExecSession(new ExecuteCommandSession(null, null, null), null, NewArn, "backend-flask");
        var target = await ResolveAsync(task: NewArn);

        task["containers"]![0]!.AsObject().Remove("runtimeId");
        var noRuntime = await Assert.ThrowsAsync<CruddurException>(() => Exec.StartSessionAsync(target, "ls", CancellationToken.None));
        AssertFailure(noRuntime, ErrorIds.TaskContainerNotFound, ErrorKind.ObjectNotFound, "backend-flask", "runtimeId", "Container backend-flask");

        _ecs.Tasks.Clear();
        var gone = await Assert.ThrowsAsync<CruddurException>(() => Exec.StartSessionAsync(target, "ls", CancellationToken.None));
        AssertFailure(gone, ErrorIds.ExecTaskNotFound, ErrorKind.ObjectNotFound, "00000000000000000000000000000new", "Connect again");
    }
}
