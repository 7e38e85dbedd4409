using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Logs;
using Cruddur.Core.Tasks;
using Cruddur.Core.Tests.Aws;

namespace Cruddur.Core.Tests.Logs;

/// <summary>
/// Get-CruddurLog over several sources at once: the service's two tasks and a one-off task Invoke-CruddurTask ran from it,
/// each with the app logging to the service's group and the xray sidecar to its own group (two queries, each answered in
/// time order as FilterLogEvents does). Their lines interleave in time; the reader must hand them over in time order.
/// </summary>
public sealed class LogReaderTests
{
    private const string Definition = "arn:aws:ecs:us-east-1:123456789012:task-definition/backend-flask:3";
    private const string AppGroup = "/cruddur/backend-flask";
    private const string XrayGroup = "/cruddur/xray";

    [Fact]
    public async Task Lines_of_several_tasks_and_a_one_off_task_in_two_log_groups_come_in_time_order()
    {
        var logs = new GroupLogs();
        logs.Put(AppGroup, "backend-flask/backend-flask/task1", 1_000, "task1 started");
        logs.Put(XrayGroup, "xray/xray/task2", 1_500, "task2 xray up");
        logs.Put(AppGroup, "backend-flask/backend-flask/oneoff", 2_000, "migration started");
        logs.Put(XrayGroup, "xray/xray/task1", 2_500, "task1 xray segment");
        logs.Put(AppGroup, "backend-flask/backend-flask/task2", 3_000, "task2 GET /api/activities/home");
        logs.Put(XrayGroup, "xray/xray/oneoff", 3_500, "oneoff xray up");
        logs.Put(AppGroup, "backend-flask/backend-flask/oneoff", 4_000, "migration done");
        logs.Put(XrayGroup, "xray/xray/task2", 4_500, "task2 xray segment");
        var lines = new List<LogEvent>();

        await new LogReader(new Service(), logs, new RecordingHost(), "us-east-1")
            .ReadAsync(new LogRequest("cruddur", ["backend-flask"]), lines.Add, CancellationToken.None);

        Assert.Equal(
            ["task1 started", "task2 xray up", "migration started", "task1 xray segment", "task2 GET /api/activities/home", "oneoff xray up", "migration done", "task2 xray segment"],
            lines.Select(l => l.Message));
        Assert.Equal([1_000L, 1_500, 2_000, 2_500, 3_000, 3_500, 4_000, 4_500], lines.Select(l => l.Time.ToUnixTimeMilliseconds()));
        Assert.Equal(["task1", "task2", "oneoff", "task1", "task2", "oneoff", "oneoff", "task2"], lines.Select(l => l.TaskId));
        Assert.Equal([false, false, true, false, false, true, true, false], lines.Select(l => l.OneOff));
        Assert.Equal(2, logs.Queries); // one per group: the order across them is the reader's to make
    }

    /// <summary>Log groups in memory; a query answers its streams' events in time order, as FilterLogEvents does.</summary>
    private sealed class GroupLogs : ILogEventSource
    {
        private readonly List<(string Group, FilteredLogEvent Event)> _events = [];

        public int Queries { get; private set; }

        public void Put(string group, string stream, long timestamp, string message) =>
            _events.Add((group, new FilteredLogEvent(stream, _events.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.FromUnixTimeMilliseconds(timestamp), message)));

        public async IAsyncEnumerable<FilteredLogEvent> FilterAsync(string region, LogEventQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Queries++;
            foreach (var (_, e) in _events.Where(x => x.Group == query.Group && query.Streams.Contains(x.Event.LogStream) && x.Event.Timestamp >= (query.StartTime ?? DateTimeOffset.MinValue)).OrderBy(x => x.Event.Timestamp))
            {
                await Task.Yield();
                yield return e;
            }
        }
    }

    /// <summary>The service backend-flask with two running tasks, and a one-off task (a migration) Invoke-CruddurTask ran from it.</summary>
    private sealed class Service : ScriptedEcsClient
    {
        public override Task<IReadOnlyList<EcsService>> DescribeServicesAsync(string cluster, IReadOnlyList<string> names, CancellationToken cancellationToken) =>
            Answered([new JsonObject
            {
                ["serviceName"] = "backend-flask", ["status"] = "ACTIVE", ["taskDefinition"] = Definition,
                ["serviceArn"] = "arn:aws:ecs:us-east-1:123456789012:service/cruddur/backend-flask",
            }]);

        public override Task<IReadOnlyList<string>> ListTaskArnsAsync(EcsTaskQuery query, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>(query.DesiredStatus != "RUNNING" ? []
                : query.StartedBy == EcsTasks.OneOffStartedBy ? [Arn("oneoff")]
                : query.ServiceName == "backend-flask" ? [Arn("task1"), Arn("task2")] : []);

        public override Task<IReadOnlyList<EcsTask>> DescribeTasksAsync(string cluster, IReadOnlyList<string> tasks, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<EcsTask>>(tasks.Select(t => EcsClient.Task(new JsonObject
            {
                ["taskArn"] = t, ["taskDefinitionArn"] = Definition, ["lastStatus"] = "RUNNING", ["createdAt"] = 0.5,
            })).ToList());

        public override Task<EcsTaskDefinition> DescribeTaskDefinitionAsync(string reference, CancellationToken cancellationToken) =>
            Defined(new JsonObject
            {
                ["taskDefinitionArn"] = Definition, ["family"] = "backend-flask", ["revision"] = 3,
                ["containerDefinitions"] = new JsonArray(Container("xray", XrayGroup), Container("backend-flask", AppGroup)),
            });

        private static string Arn(string id) => $"arn:aws:ecs:us-east-1:123456789012:task/cruddur/{id}";

        private static JsonObject Container(string name, string group) => new()
        {
            ["name"] = name, ["essential"] = true,
            ["logConfiguration"] = new JsonObject
            {
                ["logDriver"] = "awslogs",
                ["options"] = new JsonObject { ["awslogs-group"] = group, ["awslogs-region"] = "us-east-1", ["awslogs-stream-prefix"] = name },
            },
        };
    }
}
