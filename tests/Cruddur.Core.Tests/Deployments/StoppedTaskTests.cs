using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;
using Cruddur.Core.Logs;

namespace Cruddur.Core.Tests.Deployments;

/// <summary>What a failed deploy tells about each stopped task: newest first, the container that failed, and its last log lines.</summary>
public sealed class StoppedTaskTests
{
    [Fact]
    public async Task TasksComeNewestFirstEachWithTheContainerThatFailedAndItsLastLines()
    {
        JsonObject[] tasks =
        [
            Stopped("old", 100, null, Container("app", exit: 1)),
            Stopped("unhealthy", null, 300, Container("sidecar", reason: "x"), Container("web", health: "UNHEALTHY", exit: 143)),
            Stopped("crashed", 200, null, Container("sidecar", reason: "CannotPullContainerError"), Container("web", health: "UNHEALTHY"), Container("app", exit: 1)),
            Stopped("unpulled", 150, null, Container("init", exit: 0), Container("sidecar", reason: "CannotPullContainerError")),
            Stopped("clean", 50, null, Container("app", exit: 0), Container("web", exit: 143)),
        ];
        var logs = new Lines { ["p/app/crashed"] = Enumerable.Range(1, 25).Select(i => $"line {i}").ToList(), ["p/web/unhealthy"] = ["GET /health 500"] };
        var host = new RecordingHost();

        var stopped = await StoppedTask.ReadAsync(tasks.Select(EcsClient.Task).ToList(), Definition, logs, "us-east-1", host, CancellationToken.None);

        Assert.Equal(["unhealthy", "crashed", "unpulled", "old", "clean"], stopped.Select(t => t.TaskId));
        Assert.Equal(["web", "app", "sidecar", "app", null], stopped.Select(t => t.FailingContainer));
        Assert.Equal(Enumerable.Range(6, 20).Select(i => $"line {i}"), stopped[1].LogTail);
        Assert.Equal(["GET /health 500"], stopped[0].LogTail);
        Assert.Empty(stopped[2].LogTail); // the sidecar logs nowhere: said in verbose, no error
        Assert.Contains(host.Messages, m => m.StartsWith("VERBOSE: No log lines for task unpulled:", StringComparison.Ordinal));
        Assert.Equal(["us-east-1"], logs.Regions.Distinct());
        var crashed = stopped[1];
        Assert.Equal(("Essential container in task exited", "EssentialContainerExited", DateTimeOffset.FromUnixTimeSeconds(200)), (crashed.StoppedReason, crashed.StopCode, crashed.StoppedAt));
        Assert.Equal(new Dictionary<string, int?> { ["sidecar"] = null, ["web"] = null, ["app"] = 1 }, crashed.ExitCodes);
        Assert.Equal("task crashed: Essential container in task exited", crashed.ToString());
    }

    // app and web log to CloudWatch Logs (group cruddur, prefix p); the sidecar and init do not.
    private static Task<EcsTaskDefinition> Definition(string arn) => Task.FromResult(EcsClient.TaskDefinition(JsonNode.Parse("""
        {
          "family": "a", "revision": 2,
          "containerDefinitions": [
            { "name": "app", "logConfiguration": { "logDriver": "awslogs", "options": { "awslogs-group": "cruddur", "awslogs-stream-prefix": "p" } } },
            { "name": "web", "logConfiguration": { "logDriver": "awslogs", "options": { "awslogs-group": "cruddur", "awslogs-stream-prefix": "p" } } },
            { "name": "sidecar" }, { "name": "init" }
          ]
        }
        """)!.AsObject()));

    private static JsonObject Stopped(string id, double? stoppedAt, double? createdAt, params JsonObject[] containers) => new()
    {
        ["taskArn"] = $"arn:aws:ecs:us-east-1:1:task/cruddur/{id}",
        ["taskDefinitionArn"] = "arn:aws:ecs:us-east-1:1:task-definition/a:2",
        ["stoppedReason"] = "Essential container in task exited",
        ["stopCode"] = "EssentialContainerExited",
        ["stoppedAt"] = stoppedAt,
        ["createdAt"] = createdAt,
        ["containers"] = new JsonArray(containers),
    };

    private static JsonObject Container(string name, string? health = null, int? exit = null, string? reason = null) =>
        new() { ["name"] = name, ["healthStatus"] = health, ["exitCode"] = exit, ["reason"] = reason };

    /// <summary>Log lines per stream of the group cruddur; the regions asked in.</summary>
    internal sealed class Lines : Dictionary<string, List<string>>, ILogEventSource
    {
        public List<string> Regions { get; } = [];

        public async IAsyncEnumerable<FilteredLogEvent> FilterAsync(string region, LogEventQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Regions.Add(region);
            Assert.Equal("cruddur", query.Group);
            await Task.Yield();
            var i = 0;
            foreach (var stream in query.Streams)
            {
                foreach (var line in this.GetValueOrDefault(stream) ?? [])
                {
                    yield return new FilteredLogEvent(stream, $"{i}", DateTimeOffset.FromUnixTimeMilliseconds(1000 + i++), line);
                }
            }
        }
    }

    [Fact]
    public async Task TheLastToStopComesFirstWhateverOrderTheyStartedIn()
    {
        JsonObject[] tasks = [Stopped("started-last", 200, 150), Stopped("started-first", 300, 100)];

        var stopped = await StoppedTask.ReadAsync(tasks.Select(EcsClient.Task).ToList(), Definition, new Lines(), "us-east-1", new RecordingHost(), CancellationToken.None);

        Assert.Equal(["started-first", "started-last"], stopped.Select(t => t.TaskId));
    }

    [Fact]
    public async Task ATaskEcsListsWithoutContainersHasNoFailingContainer()
    {
        var task = Stopped("t", 200, 100);
        task.Remove("containers");

        var stopped = await StoppedTask.ReadAsync([EcsClient.Task(task)], Definition, new Lines(), "us-east-1", new RecordingHost(), CancellationToken.None);

        Assert.Null(Assert.Single(stopped).FailingContainer);
    }
}
