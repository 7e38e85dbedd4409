using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;
using Cruddur.Core.Logs;
using Cruddur.Core.Tasks;
using Cruddur.Core.Tests.Aws;

namespace Cruddur.Core.Tests.Tasks;

/// <summary>
/// Which container's exit code decides a one-off task: the seed's backend runs an xray sidecar beside the app, both essential,
/// the sidecar listed first. When the app exits, ECS stops the task and the sidecar ends with its own code.
/// </summary>
public sealed class TaskRunnerTests
{
    private const string Arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/backend-flask:3";
    private const string TaskArn = "arn:aws:ecs:us-east-1:123456789012:task/cruddur/0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData(0, 143, true)] // the migration succeeded; xray was stopped with SIGTERM
    [InlineData(7, 0, false)] // the migration failed; xray stopped cleanly
    public async Task TheAppContainersExitCodeDecides_NotTheSidecars(int app, int xray, bool succeeds)
    {
        var ecs = new SeedBackend(app, xray);

        var result = await Run(ecs, new OneOffTask("cruddur", "backend-flask") { Command = ["./bin/migrate"] });

        Assert.Equal("backend-flask", result.Container);
        Assert.Equal(app, result.ExitCode);
        Assert.Equal("backend-flask", ecs.OverriddenContainer); // the command went to the app, not to xray
        var error = TaskRunner.ErrorFor(result);
        Assert.Equal(succeeds, error is null);
        if (!succeeds)
        {
            Assert.Equal(ErrorIds.TaskFailed, error!.ErrorId);
            Assert.Contains("container backend-flask exited with code 7", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WithoutAContainerNamedLikeTheServiceTheFirstEssentialOneDecides_NotANonEssentialSidecar()
    {
        var ecs = new SeedBackend(app: 3, xray: 0, xrayEssential: false) { AppName = "app" };

        var result = await Run(ecs, new OneOffTask("cruddur", "backend-flask"));

        Assert.Equal("app", result.Container);
        Assert.Equal(3, result.ExitCode);
        Assert.Equal(ErrorIds.TaskFailed, TaskRunner.ErrorFor(result)!.ErrorId);
    }

    [Theory]
    [InlineData(null, false, "keeps running in cruddur. Follow it with: Get-CruddurLog")] // nobody to ask: the default
    [InlineData(0, false, "keeps running in cruddur")]
    [InlineData(1, true, "Stopped the one-off task 0123456789abcdef0123456789abcdef in cruddur.")]
    public async Task ACtrlCWhileWaitingAsksWhetherToStopTheTask_AndSaysWhatBecameOfIt(int? answer, bool stopped, string told)
    {
        var ecs = new SeedBackend(app: 0, xray: 0) { Running = true };
        var host = new RecordingHost { AfterStopAnswer = answer };
        using var stop = new CancellationTokenSource();
        var clock = new WatchClock(() => DateTimeOffset.UnixEpoch, (_, token) =>
        {
            stop.Cancel(); // Ctrl+C during the first wait between polls
            return Task.FromCanceled(token);
        });

        var e = await Assert.ThrowsAsync<OperationStoppedException>(() =>
            new TaskRunner(ecs, new NoLogs(), host, "us-east-1", clock).RunAsync(new OneOffTask("cruddur", "backend-flask") { Command = ["sleep", "300"] }, stop.Token));

        Assert.Contains(told, e.Message, StringComparison.Ordinal);
        Assert.Equal(stopped ? TaskArn : null, ecs.StoppedTask);
        Assert.Contains("Stop the one-off task? Task 0123456789abcdef0123456789abcdef of backend-flask is RUNNING.", host.AskedAfterStop);
    }

    private static async Task<TaskResult> Run(IEcsClient ecs, OneOffTask task)
    {
        var clock = new WatchClock(() => DateTimeOffset.UnixEpoch, (_, _) => Task.CompletedTask);
        var result = await new TaskRunner(ecs, new NoLogs(), new RecordingHost(), "us-east-1", clock).RunAsync(task, CancellationToken.None);
        return Assert.IsType<TaskResult>(result);
    }

    private sealed class SeedBackend(int app, int xray, bool xrayEssential = true) : ScriptedEcsClient
    {
        public string AppName { get; init; } = "backend-flask";

        public string? OverriddenContainer { get; private set; }

        /// <summary>The task runs on until stopped.</summary>
        public bool Running { get; init; }

        public string? StoppedTask { get; private set; }

        public override Task StopTaskAsync(string cluster, string task, string reason, CancellationToken cancellationToken)
        {
            StoppedTask = task;
            return Task.CompletedTask;
        }

        public override Task<IReadOnlyList<EcsService>> DescribeServicesAsync(string cluster, IReadOnlyList<string> names, CancellationToken cancellationToken) =>
            Answered([new JsonObject
            {
                ["serviceName"] = "backend-flask", ["status"] = "ACTIVE", ["taskDefinition"] = Arn, ["launchType"] = "FARGATE",
                ["serviceArn"] = "arn:aws:ecs:us-east-1:123456789012:service/cruddur/backend-flask",
            }]);

        public override Task<EcsTaskDefinition> DescribeTaskDefinitionAsync(string reference, CancellationToken cancellationToken) =>
            Defined(new JsonObject
            {
                ["taskDefinitionArn"] = Arn, ["family"] = "backend-flask", ["revision"] = 3,
                ["containerDefinitions"] = new JsonArray(
                    new JsonObject { ["name"] = "xray", ["image"] = "public.ecr.aws/xray/aws-xray-daemon", ["essential"] = xrayEssential },
                    new JsonObject { ["name"] = AppName, ["image"] = "backend-flask:3", ["essential"] = true }),
            });

        public override Task<(IReadOnlyList<EcsTask> Tasks, IReadOnlyList<string> Failures)> RunTaskAsync(JsonObject request, CancellationToken cancellationToken)
        {
            OverriddenContainer = (string?)request["overrides"]?["containerOverrides"]?[0]?["name"];
            return Task.FromResult<(IReadOnlyList<EcsTask>, IReadOnlyList<string>)>(([EcsClient.Task(TaskJson("PROVISIONING", null, null))], []));
        }

        public override Task<IReadOnlyList<EcsTask>> DescribeTasksAsync(string cluster, IReadOnlyList<string> tasks, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<EcsTask>>([EcsClient.Task(Running ? TaskJson("RUNNING", null, null) : TaskJson("STOPPED", xray, app))]);

        private JsonObject TaskJson(string status, int? xrayExit, int? appExit) => new()
        {
            ["taskArn"] = TaskArn, ["taskDefinitionArn"] = Arn, ["lastStatus"] = status, ["createdAt"] = 1_700_000_000.0,
            ["startedAt"] = status == "STOPPED" ? 1_700_000_001.0 : null, ["stoppedAt"] = status == "STOPPED" ? 1_700_000_009.0 : null,
            ["stoppedReason"] = status == "STOPPED" ? "Essential container in task exited" : null,
            // The sidecar first, as ECS lists the containers in definition order.
            ["containers"] = new JsonArray(
                new JsonObject { ["name"] = "xray", ["lastStatus"] = status, ["exitCode"] = xrayExit },
                new JsonObject { ["name"] = AppName, ["lastStatus"] = status, ["exitCode"] = appExit }),
        };
    }

    private sealed class NoLogs : ILogEventSource
    {
        public async IAsyncEnumerable<FilteredLogEvent> FilterAsync(string region, LogEventQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask;
            yield break;
        }
    }
}
