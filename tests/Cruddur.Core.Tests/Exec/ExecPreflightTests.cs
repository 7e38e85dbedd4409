using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Exec;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Exec;

public sealed class ExecPreflightTests
{
    private const string TaskArn = "arn:aws:ecs:us-east-1:123456789012:task/cruddur/0123456789abcdef0123456789abcdef";
    private const string SsmPolicy = """{"Statement":[{"Effect":"Allow","Action":["ssmmessages:CreateDataChannel","ssmmessages:OpenDataChannel","ssmmessages:OpenControlChannel","ssmmessages:CreateControlChannel"],"Resource":"*"}]}""";

    private static EcsTask Task(string lastStatus = "RUNNING", bool exec = true, string agent = "RUNNING", string platform = "1.4.0", string launchType = "FARGATE")
    {
        JsonObject Container(string name)
        {
            var c = new JsonObject { ["name"] = name, ["runtimeId"] = name + "-1", ["lastStatus"] = lastStatus };
            if (exec)
            {
                c["managedAgents"] = new JsonArray(new JsonObject { ["name"] = "ExecuteCommandAgent", ["lastStatus"] = agent });
            }

            return c;
        }

        return EcsClient.Task(new JsonObject
        {
            ["taskArn"] = TaskArn,
            ["lastStatus"] = lastStatus,
            ["desiredStatus"] = "RUNNING",
            ["enableExecuteCommand"] = exec,
            ["launchType"] = launchType,
            ["platformVersion"] = platform,
            ["group"] = "service:backend-flask",
            ["containers"] = new JsonArray(Container("xray"), Container("backend-flask")),
        });
    }

    private static EcsTaskDefinition Definition(string extra = "") => EcsClient.TaskDefinition((JsonObject)JsonNode.Parse($$"""
        {"family":"backend-flask","taskRoleArn":"arn:aws:iam::123456789012:role/CruddurTaskRole",
         "containerDefinitions":[{"name":"xray","readonlyRootFilesystem":true},{"name":"backend-flask"{{extra}}}]}
        """)!);

    private static readonly SessionManagerPluginInfo Installed = new("/usr/local/bin/session-manager-plugin", "1.2.707.0", "install it");

    [Fact]
    public void AHealthySeedTaskPassesEverythingButTheInitProcessWarning()
    {
        var facts = new ExecFacts(Installed, Task(), "backend-flask", Definition(), "backend-flask", null,
            new TaskRoleFacts("arn:aws:iam::123456789012:role/CruddurTaskRole", true, [new RolePolicy("SSMAccessPolicy", SsmPolicy)]));

        var checks = ExecPreflight.Evaluate(facts);

        Assert.Equal(
            ["SessionManagerPlugin", "TaskRunning", "PlatformVersion", "ExecuteCommandEnabled", "ExecuteCommandAgent", "TaskRole", "ReadonlyRootFilesystem", "InitProcessEnabled", "ContainerAwsCredentials"],
            checks.Select(c => c.Check));
        Assert.All(checks.Where(c => c.Check != "InitProcessEnabled"), c => Assert.Equal(ExecCheckStatus.Pass, c.Status));
        Assert.Equal(ExecCheckStatus.Warn, checks.Single(c => c.Check == "InitProcessEnabled").Status);
    }

    [Fact]
    public void Plugin()
    {
        Assert.Equal(ExecCheckStatus.Pass, ExecPreflight.Plugin(Installed).Status);
        var missing = ExecPreflight.Plugin(new SessionManagerPluginInfo(null, null, "sudo dpkg -i session-manager-plugin.deb"));
        Assert.Equal(ExecCheckStatus.Fail, missing.Status);
        Assert.Equal("sudo dpkg -i session-manager-plugin.deb", missing.Fix);
        var old = ExecPreflight.Plugin(Installed with { Version = "1.2.463.0" });
        Assert.Equal(ExecCheckStatus.Fail, old.Status);
        Assert.Contains("1.2.463.0", old.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TaskRunning()
    {
        Assert.Equal(ExecCheckStatus.Pass, ExecPreflight.TaskRunning(Task()).Status);
        var stopped = ExecPreflight.TaskRunning(Task(lastStatus: "STOPPED"));
        Assert.Equal(ExecCheckStatus.Fail, stopped.Status);
        Assert.Contains("STOPPED", stopped.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.4.0", "FARGATE", ExecCheckStatus.Pass)]
    [InlineData("1.10.0", "FARGATE", ExecCheckStatus.Pass)]
    [InlineData("LATEST", "FARGATE", ExecCheckStatus.Pass)]
    [InlineData("1.3.0", "FARGATE", ExecCheckStatus.Fail)]
    [InlineData("1.3.0", "EC2", ExecCheckStatus.Pass)]
    [InlineData("banana", "FARGATE", ExecCheckStatus.Warn)]
    public void PlatformVersion(string version, string launchType, ExecCheckStatus expected) =>
        Assert.Equal(expected, ExecPreflight.PlatformVersion(Task(platform: version, launchType: launchType)).Status);

    [Fact]
    public void ExecEnabled()
    {
        Assert.Equal(ExecCheckStatus.Pass, ExecPreflight.ExecEnabled(Task(), "backend-flask", null).Status);

        var predates = ExecPreflight.ExecEnabled(Task(exec: false), "backend-flask", true);
        Assert.Equal(ExecCheckStatus.Fail, predates.Status);
        Assert.Contains("predates", predates.Detail, StringComparison.Ordinal);
        Assert.Contains("Deploy-CruddurService -Service backend-flask", predates.Fix, StringComparison.Ordinal);

        var off = ExecPreflight.ExecEnabled(Task(exec: false), "backend-flask", false);
        Assert.Equal(ExecCheckStatus.Fail, off.Status);
        Assert.Contains("\"enableExecuteCommand\": true", off.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Agent()
    {
        Assert.Equal(ExecCheckStatus.Pass, ExecPreflight.Agent(Task(), "backend-flask").Status);
        Assert.Contains("PENDING", ExecPreflight.Agent(Task(agent: "PENDING"), "backend-flask").Detail, StringComparison.Ordinal);
        Assert.Equal(ExecCheckStatus.Fail, ExecPreflight.Agent(Task(agent: "PENDING"), "backend-flask").Status);
        Assert.Equal(ExecCheckStatus.Fail, ExecPreflight.Agent(Task(agent: "STOPPED"), "backend-flask").Status);
        Assert.Equal(ExecCheckStatus.Fail, ExecPreflight.Agent(Task(exec: false), "backend-flask").Status);
    }

    [Fact]
    public void TaskRole()
    {
        const string Arn = "arn:aws:iam::123456789012:role/cruddur/CruddurTaskRole";
        Assert.Equal(ExecCheckStatus.Pass, ExecPreflight.TaskRole(new TaskRoleFacts(Arn, true, [new RolePolicy("SSMAccessPolicy", SsmPolicy)])).Status);

        var none = ExecPreflight.TaskRole(new TaskRoleFacts(null, false, []));
        Assert.Equal(ExecCheckStatus.Fail, none.Status);
        Assert.Contains("taskRoleArn", none.Detail, StringComparison.Ordinal);

        var absent = ExecPreflight.TaskRole(new TaskRoleFacts(Arn, false, []));
        Assert.Equal(ExecCheckStatus.Fail, absent.Status);
        Assert.Contains("does not exist", absent.Detail, StringComparison.Ordinal);

        var partial = ExecPreflight.TaskRole(new TaskRoleFacts(Arn, true, [new RolePolicy("Half", """{"Statement":{"Effect":"Allow","Action":"ssmmessages:Create*","Resource":"*"}}""")]));
        Assert.Equal(ExecCheckStatus.Fail, partial.Status);
        Assert.Contains("ssmmessages:OpenControlChannel, ssmmessages:OpenDataChannel", partial.Detail, StringComparison.Ordinal);
        Assert.Contains("--role-name CruddurTaskRole", partial.Fix, StringComparison.Ordinal);

        Assert.Equal(ExecCheckStatus.Warn, ExecPreflight.TaskRole(new TaskRoleFacts(Arn, true, [], "AccessDenied: no")).Status);
    }

    [Fact]
    public void ReadonlyRoot()
    {
        Assert.Equal(ExecCheckStatus.Pass, ExecPreflight.ReadonlyRoot(ExecPreflight.ContainerDefinition(Definition(), "backend-flask"), "backend-flask").Status);
        Assert.Equal(ExecCheckStatus.Fail, ExecPreflight.ReadonlyRoot(ExecPreflight.ContainerDefinition(Definition(), "xray"), "xray").Status);
    }

    [Fact]
    public void InitProcess()
    {
        var on = ExecPreflight.ContainerDefinition(Definition(""","linuxParameters":{"initProcessEnabled":true}"""), "backend-flask");
        Assert.Equal(ExecCheckStatus.Pass, ExecPreflight.InitProcess(on, "backend-flask").Status);
        Assert.Equal(ExecCheckStatus.Warn, ExecPreflight.InitProcess(ExecPreflight.ContainerDefinition(Definition(), "backend-flask"), "backend-flask").Status);
    }

    [Fact]
    public void Credentials()
    {
        Assert.Equal(ExecCheckStatus.Pass, ExecPreflight.Credentials(ExecPreflight.ContainerDefinition(Definition(""","environment":[{"name":"AWS_DEFAULT_REGION","value":"eu-west-2"}]"""), "backend-flask"), "backend-flask").Status);

        // The seed's backend task definition passes its keys as secrets.
        var seed = ExecPreflight.ContainerDefinition(Definition(""","secrets":[{"name":"AWS_ACCESS_KEY_ID","valueFrom":"arn:x"},{"name":"AWS_SECRET_ACCESS_KEY","valueFrom":"arn:y"}]"""), "backend-flask");
        var warn = ExecPreflight.Credentials(seed, "backend-flask");
        Assert.Equal(ExecCheckStatus.Warn, warn.Status);
        Assert.Contains("AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY", warn.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void ContainerChoice()
    {
        var task = Task();
        Assert.Equal("backend-flask", EcsExec.ChooseContainer(task, null, "backend-flask"));
        Assert.Equal("xray", EcsExec.ChooseContainer(task, "xray", "backend-flask"));
        var notFound = Assert.Throws<CruddurException>(() => EcsExec.ChooseContainer(task, "nginx", "backend-flask"));
        Assert.Equal(("TaskContainerNotFound", ErrorKind.ObjectNotFound, "nginx"), (notFound.ErrorId, notFound.Kind, notFound.Target));
        Assert.Contains("'nginx'", notFound.Message, StringComparison.Ordinal);
        Assert.Contains("xray, backend-flask", notFound.Message, StringComparison.Ordinal);
        Assert.EndsWith("Its containers: xray, backend-flask.", notFound.Message, StringComparison.Ordinal);
        var ambiguous = Assert.Throws<CruddurException>(() => EcsExec.ChooseContainer(task, null, "other"));
        Assert.Equal("ExecContainerAmbiguous", ambiguous.ErrorId);
        Assert.Contains("xray, backend-flask", ambiguous.Message, StringComparison.Ordinal);

        var single = EcsClient.Task(new JsonObject { ["taskArn"] = TaskArn, ["containers"] = new JsonArray(new JsonObject { ["name"] = "frontend-react-js" }) });
        Assert.Equal("frontend-react-js", EcsExec.ChooseContainer(single, null, null));
    }
}
