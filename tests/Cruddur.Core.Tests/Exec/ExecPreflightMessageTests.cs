using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Exec;

namespace Cruddur.Core.Tests.Exec;

/// <summary>What each -Check row tells the user: the facts found (task, container, version, role) and the fix it names.</summary>
public sealed class ExecPreflightMessageTests
{
    private const string TaskId = "0123456789abcdef0123456789abcdef";
    private const string RoleArn = "arn:aws:iam::123456789012:role/cruddur/CruddurTaskRole";
    private static readonly SessionManagerPluginInfo Installed = new("/usr/local/bin/session-manager-plugin", "1.2.707.0", "install it");

    private static EcsTask Task(string json) => EcsClient.Task((JsonObject)JsonNode.Parse(json)!);

    private static EcsTask TaskWith(string extra = "") =>
        Task($$"""{"taskArn":"arn:aws:ecs:us-east-1:123456789012:task/cruddur/{{TaskId}}"{{extra}}}""");

    private static EcsContainerDefinition Container(string json) => EcsClient.ContainerDefinition((JsonObject)JsonNode.Parse(json)!);

    [Fact]
    public void ThePluginRowNamesItsVersionPathAndHowItKnowsTheEnvironmentForm()
    {
        var pass = ExecPreflight.Plugin(Installed);
        Assert.Contains("1.2.707.0", pass.Detail, StringComparison.Ordinal);
        Assert.Contains("/usr/local/bin/session-manager-plugin", pass.Detail, StringComparison.Ordinal);
        Assert.EndsWith("at /usr/local/bin/session-manager-plugin.", pass.Detail, StringComparison.Ordinal);

        var probed = ExecPreflight.Plugin(Installed with { Version = "1.2.0.0", EnvironmentSession = true });
        Assert.Equal(ExecCheckStatus.Pass, probed.Status);
        Assert.Contains("probe", probed.Detail, StringComparison.Ordinal);

        var old = ExecPreflight.Plugin(Installed with { Version = "1.2.463.0" });
        Assert.Contains("/usr/local/bin/session-manager-plugin", old.Detail, StringComparison.Ordinal);
        Assert.Contains("1.2.497.0", old.Detail, StringComparison.Ordinal);
        Assert.StartsWith("Upgrade the plugin", old.Fix, StringComparison.Ordinal);
        Assert.Contains("install it", old.Fix, StringComparison.Ordinal);

        Assert.Contains("not on PATH", ExecPreflight.Plugin(new SessionManagerPluginInfo(null, null, "x")).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePluginRowOnlyInformsWhenTheSessionGoesWithoutIt()
    {
        var facts = new ExecFacts(new SessionManagerPluginInfo(null, null, "apt install it"), TaskWith(), "backend-flask", null, null, null, new TaskRoleFacts(null, false, []));

        var row = ExecPreflight.Evaluate(facts, pluginRequired: false)[0];

        Assert.Equal(ExecPreflight.PluginCheck, row.Check);
        Assert.Equal(ExecCheckStatus.Info, row.Status);
        Assert.Contains("-UsePlugin", row.Detail, StringComparison.Ordinal);
        Assert.Contains("not on PATH", row.Detail, StringComparison.Ordinal);
        Assert.Equal(ExecCheckStatus.Fail, ExecPreflight.Evaluate(facts)[0].Status);
    }

    [Fact]
    public void EvaluateChecksTheNamedContainersDefinition()
    {
        var definition = EcsClient.TaskDefinition((JsonObject)JsonNode.Parse("""{"containerDefinitions":[{"name":"xray"},{"name":"backend-flask","readonlyRootFilesystem":true,"linuxParameters":{"initProcessEnabled":true},"environment":[{"name":"AWS_SESSION_TOKEN"}]}]}""")!);
        var facts = new ExecFacts(Installed, TaskWith(""","lastStatus":"RUNNING" """), "backend-flask", definition, null, null, new TaskRoleFacts(null, false, []));

        var checks = ExecPreflight.Evaluate(facts).ToDictionary(c => c.Check);

        Assert.Equal(ExecCheckStatus.Fail, checks[ExecPreflight.ReadonlyRootCheck].Status);
        Assert.Equal(ExecCheckStatus.Pass, checks[ExecPreflight.InitProcessCheck].Status);
        Assert.Equal(ExecCheckStatus.Warn, checks[ExecPreflight.CredentialsCheck].Status);
        Assert.Equal(ExecCheckStatus.Pass, checks[ExecPreflight.TaskRunningCheck].Status);
        Assert.Equal(ExecCheckStatus.Fail, checks[ExecPreflight.ExecEnabledCheck].Status);
        Assert.Equal(ExecCheckStatus.Fail, checks[ExecPreflight.AgentCheck].Status);
        Assert.Equal(ExecCheckStatus.Fail, checks[ExecPreflight.TaskRoleCheck].Status);
        Assert.Equal(ExecCheckStatus.Pass, checks[ExecPreflight.PlatformVersionCheck].Status);
    }

    [Fact]
    public void TheTaskRowNamesTheTaskAndItsStatuses()
    {
        var running = ExecPreflight.TaskRunning(TaskWith(""","lastStatus":"RUNNING" """));
        Assert.Contains(TaskId, running.Detail, StringComparison.Ordinal);

        var stopping = ExecPreflight.TaskRunning(TaskWith(""","lastStatus":"DEACTIVATING","desiredStatus":"STOPPED" """));
        Assert.Contains(TaskId, stopping.Detail, StringComparison.Ordinal);
        Assert.Contains("DEACTIVATING (desired STOPPED)", stopping.Detail, StringComparison.Ordinal);
        Assert.Contains("-TaskArn", stopping.Fix, StringComparison.Ordinal);

        var unknown = ExecPreflight.TaskRunning(TaskWith());
        Assert.Equal(ExecCheckStatus.Fail, unknown.Status);
        Assert.Contains("UNKNOWN (desired UNKNOWN)", unknown.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ThePlatformRowNamesTheVersionAndTheFix()
    {
        var ec2 = ExecPreflight.PlatformVersion(TaskWith(""","launchType":"EC2","platformVersion":"1.0.0" """));
        Assert.Equal(ExecCheckStatus.Pass, ec2.Status);
        Assert.Contains("EC2", ec2.Detail, StringComparison.Ordinal);

        // No launch type (a capacity provider's task) is judged as Fargate.
        Assert.Equal(ExecCheckStatus.Fail, ExecPreflight.PlatformVersion(TaskWith(""","platformVersion":"1.3.0" """)).Status);

        var windows = ExecPreflight.PlatformVersion(TaskWith(""","launchType":"FARGATE","platformFamily":"WINDOWS_SERVER_2019_FULL","platformVersion":"1.0.0" """));
        Assert.Equal(ExecCheckStatus.Pass, windows.Status);
        Assert.Contains("1.0.0", windows.Detail, StringComparison.Ordinal);

        var linux = ExecPreflight.PlatformVersion(TaskWith(""","launchType":"FARGATE","platformFamily":"Linux","platformVersion":"1.3.0" """));
        Assert.Equal(ExecCheckStatus.Fail, linux.Status);
        Assert.Contains("1.3.0", linux.Detail, StringComparison.Ordinal);
        Assert.Contains("\"platformVersion\": \"LATEST\"", linux.Fix, StringComparison.Ordinal);
        Assert.Contains("Deploy-CruddurService", linux.Fix, StringComparison.Ordinal);

        var none = ExecPreflight.PlatformVersion(TaskWith(""","launchType":"FARGATE" """));
        Assert.Equal(ExecCheckStatus.Pass, none.Status);
        Assert.Contains("LATEST", none.Detail, StringComparison.Ordinal);

        var current = ExecPreflight.PlatformVersion(TaskWith(""","launchType":"FARGATE","platformVersion":"1.4.0" """));
        Assert.Contains("1.4.0", current.Detail, StringComparison.Ordinal);

        var odd = ExecPreflight.PlatformVersion(TaskWith(""","platformVersion":"v2" """));
        Assert.Contains("'v2'", odd.Detail, StringComparison.Ordinal);
        Assert.Contains("\"platformVersion\": \"LATEST\"", odd.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void TheExecRowSaysWhereToTurnExecOn()
    {
        var pass = ExecPreflight.ExecEnabled(TaskWith(""","enableExecuteCommand":true"""), "backend-flask", false);
        Assert.Equal(ExecCheckStatus.Pass, pass.Status);
        Assert.Contains(TaskId, pass.Detail, StringComparison.Ordinal);

        var predates = ExecPreflight.ExecEnabled(TaskWith(), "backend-flask", true);
        Assert.Contains("Service backend-flask", predates.Detail, StringComparison.Ordinal);
        Assert.Contains(TaskId, predates.Detail, StringComparison.Ordinal);

        var service = ExecPreflight.ExecEnabled(TaskWith(""","enableExecuteCommand":false"""), "backend-flask", null);
        Assert.Equal(ExecCheckStatus.Fail, service.Status);
        Assert.Contains("service backend-flask does not turn it on", service.Detail, StringComparison.Ordinal);
        Assert.Contains(TaskId, service.Detail, StringComparison.Ordinal);
        Assert.Contains("aws/ecs/service-backend-flask.json", service.Fix, StringComparison.Ordinal);
        Assert.Contains("--service backend-flask --enable-execute-command", service.Fix, StringComparison.Ordinal);

        var standalone = ExecPreflight.ExecEnabled(TaskWith(), null, null);
        Assert.Equal(ExecCheckStatus.Fail, standalone.Status);
        Assert.Contains("the task does not turn it on", standalone.Detail, StringComparison.Ordinal);
        Assert.Contains("run-task --enable-execute-command", standalone.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void TheAgentRowNamesTheContainerAndWhyTheAgentStopped()
    {
        EcsTask WithAgent(string agent) => TaskWith($$""","containers":[{"name":"xray"},{"name":"backend-flask","managedAgents":[{"name":"Other","lastStatus":"RUNNING"},{{agent}}]}]""");

        var running = ExecPreflight.Agent(WithAgent("""{"name":"ExecuteCommandAgent","lastStatus":"RUNNING"}"""), "backend-flask");
        Assert.Equal(ExecCheckStatus.Pass, running.Status);
        Assert.Contains("container backend-flask", running.Detail, StringComparison.Ordinal);

        var pending = ExecPreflight.Agent(WithAgent("""{"name":"ExecuteCommandAgent","lastStatus":"PENDING"}"""), "backend-flask");
        Assert.Contains("container backend-flask", pending.Detail, StringComparison.Ordinal);
        Assert.Contains("Wait", pending.Fix, StringComparison.Ordinal);

        var stopped = ExecPreflight.Agent(WithAgent("""{"name":"ExecuteCommandAgent","lastStatus":"STOPPED","reason":"no route to ssmmessages"}"""), "backend-flask");
        Assert.Equal(ExecCheckStatus.Fail, stopped.Status);
        Assert.Contains("STOPPED in container backend-flask (no route to ssmmessages)", stopped.Detail, StringComparison.Ordinal);
        Assert.Contains("Deploy-CruddurService", stopped.Fix, StringComparison.Ordinal);

        var unknown = ExecPreflight.Agent(WithAgent("""{"name":"ExecuteCommandAgent","reason":""}"""), "backend-flask");
        Assert.Equal(ExecCheckStatus.Fail, unknown.Status);
        Assert.EndsWith("UNKNOWN in container backend-flask.", unknown.Detail, StringComparison.Ordinal);

        // Only the ExecuteCommandAgent counts, and only in the container asked about.
        var otherOnly = ExecPreflight.Agent(TaskWith(""","containers":[{"name":"backend-flask","managedAgents":[{"name":"Other","lastStatus":"RUNNING"}]}]"""), "backend-flask");
        Assert.Equal(ExecCheckStatus.Fail, otherOnly.Status);
        Assert.Contains("Container backend-flask has no ExecuteCommandAgent", otherOnly.Detail, StringComparison.Ordinal);
        Assert.Contains("enableExecuteCommand", otherOnly.Fix, StringComparison.Ordinal);
        Assert.Equal(ExecCheckStatus.Fail, ExecPreflight.Agent(WithAgent("""{"name":"ExecuteCommandAgent","lastStatus":"RUNNING"}"""), "xray").Status);
    }

    [Fact]
    public void TheRoleRowNamesTheRoleItsPoliciesAndTheFix()
    {
        const string Full = """{"Statement":[{"Effect":"Allow","Action":"ssmmessages:*","Resource":"*"}]}""";
        var pass = ExecPreflight.TaskRole(new TaskRoleFacts(RoleArn, true, [new RolePolicy("SSMAccessPolicy", Full), new RolePolicy("Logs", "{}")]));
        Assert.Equal(ExecCheckStatus.Pass, pass.Status);
        Assert.Contains("CruddurTaskRole", pass.Detail, StringComparison.Ordinal);
        Assert.Contains("SSMAccessPolicy, Logs", pass.Detail, StringComparison.Ordinal);

        var empty = ExecPreflight.TaskRole(new TaskRoleFacts("arn:aws:iam::123456789012:role/MyRole", true, []));
        Assert.Equal(ExecCheckStatus.Fail, empty.Status);
        Assert.Contains("Task role MyRole does not allow ssmmessages:CreateControlChannel", empty.Detail, StringComparison.Ordinal);
        Assert.Contains("policies read: none", empty.Detail, StringComparison.Ordinal);
        Assert.Contains("--role-name MyRole", empty.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain("CruddurTaskRole", empty.Fix, StringComparison.Ordinal);

        var some = ExecPreflight.TaskRole(new TaskRoleFacts(RoleArn, true, [new RolePolicy("Logs", "{}"), new RolePolicy("S3", "{}")]));
        Assert.Contains("policies read: Logs, S3", some.Detail, StringComparison.Ordinal);

        var none = ExecPreflight.TaskRole(new TaskRoleFacts(null, false, []));
        Assert.Contains("\"taskRoleArn\"", none.Fix, StringComparison.Ordinal);
        Assert.Contains("put-role-policy", none.Fix, StringComparison.Ordinal);
        const string SeedPolicyFix = "Give the task role the seed's SSMAccessPolicy: aws iam put-role-policy --role-name CruddurTaskRole --policy-name SSMAccessPolicy --policy-document file://aws/policies/task/task-execution-policy.json (Allow ssmmessages:CreateControlChannel, CreateDataChannel, OpenControlChannel, OpenDataChannel on \"*\").";
        Assert.Equal("Set \"taskRoleArn\": \"arn:aws:iam::<account>:role/CruddurTaskRole\" in the task definition, register it and deploy. " + SeedPolicyFix, none.Fix);

        var absent = ExecPreflight.TaskRole(new TaskRoleFacts("arn:aws:iam::123456789012:role/MyRole", false, []));
        Assert.Contains("arn:aws:iam::123456789012:role/MyRole", absent.Detail, StringComparison.Ordinal);
        Assert.Contains("create-role --role-name MyRole", absent.Fix, StringComparison.Ordinal);
        Assert.Contains("put-role-policy", absent.Fix, StringComparison.Ordinal);
        Assert.Equal("Create it: aws iam create-role --role-name MyRole --assume-role-policy-document file://aws/policies/task/task-assume-execution-role.json; then " + SeedPolicyFix, absent.Fix);
        Assert.EndsWith(SeedPolicyFix.Replace("CruddurTaskRole", "MyRole", StringComparison.Ordinal), empty.Fix, StringComparison.Ordinal);

        var unreadable = ExecPreflight.TaskRole(new TaskRoleFacts(RoleArn, true, [], "AccessDenied: no iam:GetRole"));
        Assert.Contains("CruddurTaskRole: AccessDenied: no iam:GetRole", unreadable.Detail, StringComparison.Ordinal);
        Assert.Contains("iam:GetRole", unreadable.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void TheContainerDefinitionRowsNameTheContainerAndTheSetting()
    {
        Assert.Equal(ExecCheckStatus.Pass, ExecPreflight.ReadonlyRoot(null, "backend-flask").Status);
        var writable = ExecPreflight.ReadonlyRoot(Container("""{"readonlyRootFilesystem":false}"""), "backend-flask");
        Assert.Equal(ExecCheckStatus.Pass, writable.Status);
        Assert.Contains("backend-flask", writable.Detail, StringComparison.Ordinal);
        var readOnly = ExecPreflight.ReadonlyRoot(Container("""{"readonlyRootFilesystem":true}"""), "backend-flask");
        Assert.Contains("Container backend-flask", readOnly.Detail, StringComparison.Ordinal);
        Assert.Contains("\"readonlyRootFilesystem\": true", readOnly.Fix, StringComparison.Ordinal);
        Assert.Contains("container backend-flask", readOnly.Fix, StringComparison.Ordinal);

        var init = ExecPreflight.InitProcess(Container("""{"linuxParameters":{"initProcessEnabled":true}}"""), "backend-flask");
        Assert.Contains("backend-flask", init.Detail, StringComparison.Ordinal);
        var off = ExecPreflight.InitProcess(Container("""{"linuxParameters":{"initProcessEnabled":false}}"""), "backend-flask");
        Assert.Equal(ExecCheckStatus.Warn, off.Status);
        Assert.Contains("Container backend-flask", off.Detail, StringComparison.Ordinal);
        Assert.Contains("\"linuxParameters\": {\"initProcessEnabled\": true}", off.Fix, StringComparison.Ordinal);
        Assert.Contains("container backend-flask", off.Fix, StringComparison.Ordinal);
        Assert.Equal(ExecCheckStatus.Warn, ExecPreflight.InitProcess(null, "backend-flask").Status);

        var clean = ExecPreflight.Credentials(null, "backend-flask");
        Assert.Equal(ExecCheckStatus.Pass, clean.Status);
        Assert.Contains("backend-flask", clean.Detail, StringComparison.Ordinal);
        var keys = ExecPreflight.Credentials(Container("""{"environment":[{"name":"AWS_SESSION_TOKEN"},{"value":"x"}],"secrets":[{"name":"AWS_SESSION_TOKEN"},{"name":"aws_access_key_id"}]}"""), "backend-flask");
        Assert.Equal(ExecCheckStatus.Warn, keys.Status);
        Assert.Contains("Container backend-flask sets AWS_SESSION_TOKEN:", keys.Detail, StringComparison.Ordinal);
        Assert.Contains("task role", keys.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void ACheckCarriesItsFixOnlyWhenSomethingIsToBeDone()
    {
        Assert.Null(ExecCheck.Pass("A", "ok").Fix);
        Assert.Null(ExecCheck.Info("A", "fyi").Fix);
        Assert.Equal(ExecCheckStatus.Info, ExecCheck.Info("A", "fyi").Status);
        Assert.Equal(("A", ExecCheckStatus.Warn, "d", "f"), (ExecCheck.Warn("A", "d", "f") is var w ? (w.Check, w.Status, w.Detail, w.Fix) : default));
    }
}
