using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Exec;
using Cruddur.Core.Hosting;
using Cruddur.Core.Tests.Aws;

namespace Cruddur.Core.Tests.Exec;

/// <summary>How failed -Check rows become the one error Connect-CruddurTask stops with, and what a failed command reports.</summary>
public sealed class TaskConnectorTests
{
    private const string TaskArn = "arn:aws:ecs:us-east-1:123456789012:task/cruddur/0123456789abcdef0123456789abcdef";

    private static ExecPlan Plan(params ExecCheck[] checks) =>
        new(new ExecTarget("cruddur", "backend-flask", EcsClient.Task(new JsonObject { ["taskArn"] = TaskArn }), "backend-flask"),
            new SessionManagerPluginInfo(null, null, "install it"), checks);

    [Fact]
    public void PassingWarningAndInformingChecksDoNotStopTheConnect()
    {
        Assert.Null(TaskConnector.PreflightFailure(Plan(
            ExecCheck.Pass(ExecPreflight.TaskRunningCheck, "ok"),
            ExecCheck.Warn(ExecPreflight.InitProcessCheck, "no init", "add it"),
            ExecCheck.Info(ExecPreflight.PluginCheck, "not needed"))));
    }

    [Theory]
    [InlineData(ExecPreflight.PluginCheck, ErrorIds.ExecPluginNotFound, ErrorKind.NotInstalled)]
    [InlineData(ExecPreflight.TaskRunningCheck, ErrorIds.ExecTaskNotRunning, ErrorKind.InvalidOperation)]
    [InlineData(ExecPreflight.ExecEnabledCheck, ErrorIds.ExecNotEnabled, ErrorKind.InvalidOperation)]
    [InlineData(ExecPreflight.AgentCheck, ErrorIds.ExecNotEnabled, ErrorKind.InvalidOperation)]
    [InlineData(ExecPreflight.TaskRoleCheck, ErrorIds.ExecPreflightFailed, ErrorKind.InvalidOperation)]
    [InlineData(ExecPreflight.ReadonlyRootCheck, ErrorIds.ExecPreflightFailed, ErrorKind.InvalidOperation)]
    public void TheFirstFailureGivesTheErrorIdAndEveryFailureIsNamedWithItsFix(string firstFailed, string errorId, ErrorKind kind)
    {
        var e = TaskConnector.PreflightFailure(Plan(
            ExecCheck.Pass(ExecPreflight.PlatformVersionCheck, "fine"),
            ExecCheck.Fail(firstFailed, "first is broken.", "fix the first"),
            ExecCheck.Warn(ExecPreflight.InitProcessCheck, "no init", "add an init"),
            ExecCheck.Fail(ExecPreflight.CredentialsCheck, "second is broken.", "fix the second")))!;

        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(kind, e.Kind);
        Assert.Equal(TaskArn, e.Target);
        Assert.Contains("container backend-flask of task 0123456789abcdef0123456789abcdef", e.Message, StringComparison.Ordinal);
        Assert.Contains($"[{firstFailed}] first is broken. Fix: fix the first", e.Message, StringComparison.Ordinal);
        Assert.Contains("Fix: fix the first [ContainerAwsCredentials] second is broken. Fix: fix the second", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("fine", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("add an init", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFailedCommandNamesTheCommandItsCodeAndWhereItRan()
    {
        var result = new ExecResult("0123456789abcdef0123456789abcdef", "backend-flask", "flask db upgrade", 2, ["boom"], TimeSpan.FromSeconds(1));

        var e = new ExecCommandFailedException(result);

        Assert.Equal(ErrorIds.ExecCommandFailed, e.ErrorId);
        Assert.Equal(ErrorKind.InvalidOperation, e.Kind);
        Assert.Equal(2, e.ExitCode);
        Assert.Same(result, e.Target);
        Assert.Contains("'flask db upgrade' exited with code 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("container backend-flask of task 0123456789abcdef0123456789abcdef", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// -UsePlugin against ECS answered by a scripted endpoint: ExecuteCommand gives a session with a token, DescribeTasks the
    /// container's runtimeId; a stand-in plugin records its arguments and environment, and exits with <paramref name="exitCode"/>.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static async Task<(int ExitCode, string[] Arguments, string Session, string ExecuteCommandBody)> RunPluginAsync(AwsSettings settings, IReadOnlyDictionary<string, string?> environment, string? command, int exitCode = 0)
    {
        await using var ecs = await EcsAsync(new Uri("wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/ecs-execute-command-7"));
        var dir = Directory.CreateTempSubdirectory("smp-").FullName;
        try
        {
            var plugin = SessionManagerPluginTests.FakePlugin(dir, $"""
                for a in "$@"; do printf '%s\n' "$a"; done > '{dir}/arguments'
                printf '%s' "$AWS_SSM_START_SESSION_RESPONSE" > '{dir}/session'
                exit {exitCode}
                """);
            var connector = new TaskConnector(new AwsContext(settings with { Region = "us-east-1", EndpointUrl = ecs.Url }, environment), new RecordingHost());
            var target = new ExecTarget("cruddur", "backend-flask", EcsClient.Task(new JsonObject { ["taskArn"] = TaskArn }), "backend-flask");

            var code = await connector.RunPluginAsync(target, new SessionManagerPluginInfo(plugin, "1.2.707.0", "install it"), command, CancellationToken.None);

            var body = ecs.Requests.Single(r => r.Operation == "ExecuteCommand").Body;
            return (code, File.ReadAllLines(Path.Combine(dir, "arguments")), File.ReadAllText(Path.Combine(dir, "session")), body);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>ECS for one session: ExecuteCommand gives a session (with a token) on <paramref name="streamUrl"/>, DescribeTasks the runtimeId.</summary>
    private static Task<ScriptedEndpoint> EcsAsync(Uri streamUrl) => ScriptedEndpoint.StartAsync((context, operation, _) => ScriptedEndpoint.Write(context, 200, operation switch
    {
        "ExecuteCommand" => $$$"""{"clusterArn":"arn:aws:ecs:us-east-1:123456789012:cluster/cruddur","containerName":"backend-flask","taskArn":"{{{TaskArn}}}","interactive":true,"session":{"sessionId":"ecs-execute-command-7","streamUrl":"{{{streamUrl}}}","tokenValue":"SECRET-TOKEN"}}""",
        _ => $$$"""{"tasks":[{"taskArn":"{{{TaskArn}}}","lastStatus":"RUNNING","containers":[{"name":"backend-flask","runtimeId":"0123456789abcdef0123456789abcdef-1"}]}],"failures":[]}""",
    }));

    [Fact]
    public async Task TheAgentsClosingTextIsInTheMissingExitCodeError()
    {
        await using var agent = await ScriptedAgent.StartAsync();
        await using var ecs = await EcsAsync(agent.StreamUrl);
        var connector = new TaskConnector(new AwsContext(WithKeys with { Region = "us-east-1", EndpointUrl = ecs.Url }, new Dictionary<string, string?>()), new RecordingHost());
        var target = new ExecTarget("cruddur", "backend-flask", EcsClient.Task(new JsonObject { ["taskArn"] = TaskArn }), "backend-flask");
        var shown = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = connector.RunCommandAsync(target, "flask db upgrade", line => shown.TrySetResult(line), CancellationToken.None);
        await agent.AcceptAsync();
        await agent.HandshakeAsync(ScriptedAgent.SessionType("InteractiveCommands"));
        await agent.SendStreamAsync(PayloadType.Output, "upgrading\r\n"u8.ToArray());
        Assert.Equal("upgrading", await shown.Task.WaitAsync(TimeSpan.FromSeconds(10))); // the session is open and running

        await agent.SendChannelClosedAsync("Session terminated by an administrator.");

        var e = await Assert.ThrowsAsync<CruddurException>(() => running);
        Assert.Equal(ErrorIds.ExecExitCodeMissing, e.ErrorId);
        Assert.Contains("The session ended (Session terminated by an administrator.) before 'flask db upgrade' reported its exit code", e.Message, StringComparison.Ordinal);
    }

    private static readonly AwsSettings WithKeys = new() { Keys = new AwsKeys("AKIDEXAMPLE", "secret") };

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task ThePluginStartsAsTheAwsCliStartsItWithTheTokenOnlyInItsEnvironment()
    {
        var (code, arguments, session, executed) = await RunPluginAsync(WithKeys, new Dictionary<string, string?>(), command: null, exitCode: 42);

        Assert.Equal(42, code);
        Assert.Equal(6, arguments.Length);
        Assert.Equal(["AWS_SSM_START_SESSION_RESPONSE", "us-east-1", "StartSession", ""], arguments[..4]);
        Assert.Equal("""{"Target":"ecs:cruddur_0123456789abcdef0123456789abcdef_0123456789abcdef0123456789abcdef-1"}""", arguments[4]);
        Assert.StartsWith("http://127.0.0.1:", arguments[5], StringComparison.Ordinal);
        Assert.DoesNotContain(arguments, a => a.Contains("SECRET-TOKEN", StringComparison.Ordinal));
        Assert.Equal("SECRET-TOKEN", (string?)JsonNode.Parse(session)!["tokenValue"]);
        // No -Command: the shell, bash where the image has it.
        Assert.Equal(EcsExec.DefaultShellCommand, (string?)JsonNode.Parse(executed)!["command"]);
    }

    [Theory]
    [InlineData("cli", null, "env", "cli")]
    [InlineData(null, "stored", "env", "stored")]
    [InlineData(null, null, "env", "env")]
    [InlineData(null, null, " ", "")]
    [InlineData(null, null, null, "")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task ThePluginGetsTheProfileTheModuleUses(string? profileName, string? storedProfileName, string? awsProfile, string passed)
    {
        var settings = WithKeys with { ProfileName = profileName, StoredProfileName = storedProfileName };

        var (_, arguments, _, executed) = await RunPluginAsync(settings, new Dictionary<string, string?> { ["AWS_PROFILE"] = awsProfile }, "flask db upgrade");

        Assert.Equal(passed, arguments[3]);
        Assert.Equal("flask db upgrade", (string?)JsonNode.Parse(executed)!["command"]);
    }
}
