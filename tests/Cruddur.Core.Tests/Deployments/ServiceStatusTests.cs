using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;
using Cruddur.Core.Tests.Aws;

namespace Cruddur.Core.Tests.Deployments;

/// <summary>What Get-CruddurService shows: which services a name or pattern stands for, and each one's counts, deployments, events and tasks.</summary>
public sealed class ServiceStatusTests
{
    [Fact]
    public async Task AServiceShowsItsCountsDeploymentsNewestEventsAndTasks()
    {
        var ecs = new Cluster
        {
            ["backend-flask"] = JsonNode.Parse("""
                {
                  "serviceName": "backend-flask", "status": "ACTIVE", "taskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/backend-flask:7",
                  "desiredCount": 2, "runningCount": 1, "pendingCount": 1,
                  "deployments": [
                    { "id": "ecs-svc/7", "status": "PRIMARY", "taskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/backend-flask:7", "rolloutState": "IN_PROGRESS",
                      "rolloutStateReason": "ECS deployment ecs-svc/7 in progress.", "desiredCount": 2, "runningCount": 1, "pendingCount": 1, "failedTasks": 3, "createdAt": 1700000000 },
                    { "id": "ecs-svc/6", "status": "ACTIVE", "taskDefinition": "arn:aws:ecs:us-east-1:1:task-definition/backend-flask:6", "rolloutState": "COMPLETED" }
                  ],
                  "events": [ { "id": "e3", "createdAt": 1700000030, "message": "newest" }, { "id": "e2", "message": "older" }, { "id": "e1", "message": "oldest" } ]
                }
                """)!.AsObject(),
        };
        ecs.Tasks.Add(JsonNode.Parse("""
            { "taskArn": "arn:aws:ecs:us-east-1:1:task/cruddur/abc", "taskDefinitionArn": "arn:aws:ecs:us-east-1:1:task-definition/backend-flask:7",
              "lastStatus": "RUNNING", "healthStatus": "HEALTHY", "startedAt": 1700000010,
              "containers": [ { "name": "backend-flask", "image": "img@sha256:1", "lastStatus": "RUNNING", "healthStatus": "HEALTHY", "exitCode": null }, { "name": "init", "exitCode": 0 } ] }
            """)!.AsObject());

        var s = Assert.Single(await Read(ecs, ["backend-flask"], events: 2));

        Assert.Equal(("cruddur", "backend-flask", "ACTIVE", 7, 2, 1, 1), (s.Cluster, s.Service, s.Status, s.Revision, s.DesiredCount, s.RunningCount, s.PendingCount));
        Assert.Equal("IN_PROGRESS", s.RolloutState);
        Assert.Equal(
            new ServiceDeployment("ecs-svc/7", "PRIMARY", "arn:aws:ecs:us-east-1:1:task-definition/backend-flask:7", "IN_PROGRESS", "ECS deployment ecs-svc/7 in progress.", 2, 1, 1, 3, DateTimeOffset.FromUnixTimeSeconds(1700000000)),
            s.Deployments[0]);
        Assert.Equal("ACTIVE backend-flask:6 COMPLETED 0/0", s.Deployments[1].ToString());
        Assert.Equal([new ServiceEvent(DateTimeOffset.FromUnixTimeSeconds(1700000030), "newest"), new ServiceEvent(null, "older")], s.Events);
        Assert.Equal(["2023-11-14 22:13:50Z newest", " older"], s.Events.Select(e => e.ToString())); // as Format-List shows them
        var task = Assert.Single(s.Tasks);
        Assert.Equal(("cruddur", "backend-flask", "abc", "RUNNING", "HEALTHY", DateTimeOffset.FromUnixTimeSeconds(1700000010)), (task.Cluster, task.Service, task.TaskId, task.LastStatus, task.HealthStatus, task.StartedAt));
        Assert.Equal("abc RUNNING backend-flask:7", task.ToString());
        Assert.Equal([new TaskContainer("backend-flask", "img@sha256:1", "RUNNING", "HEALTHY", null), new TaskContainer("init", null, null, null, 0)], task.Containers);
    }

    [Fact]
    public async Task WhatECSLeavesOutShowsAsUnknownOrZero()
    {
        var ecs = new Cluster { ["bare"] = JsonNode.Parse("""{ "serviceName": "bare", "status": "ACTIVE", "deployments": [ { } ] }""")!.AsObject() };
        ecs.Tasks.Add(JsonNode.Parse("""{ "taskArn": "arn:aws:ecs:us-east-1:1:task/cruddur/t", "containers": [ { } ] }""")!.AsObject());

        var s = Assert.Single(await Read(ecs, ["bare"]));

        Assert.Equal((string.Empty, 0, 0, 0), (s.TaskDefinitionArn, s.DesiredCount, s.RunningCount, s.PendingCount));
        Assert.Null(s.RolloutState);
        Assert.Equal(new ServiceDeployment(string.Empty, string.Empty, string.Empty, null, null, 0, 0, 0, 0, null), Assert.Single(s.Deployments));
        Assert.Empty(s.Events);
        var task = Assert.Single(s.Tasks);
        Assert.Equal((string.Empty, "UNKNOWN", null, null), (task.TaskDefinitionArn, task.LastStatus, task.HealthStatus, task.StartedAt));
        Assert.Equal(new TaskContainer(string.Empty, null, null, null, null), Assert.Single(task.Containers));
    }

    [Fact]
    public async Task APlainNameThatDoesNotExistIsReportedAndTheOthersStillShown()
    {
        var ecs = new Cluster { ["backend-flask"] = Service("backend-flask") };
        var missing = new List<CruddurException>();

        var shown = await new ServiceStatusReader(ecs).GetAsync("cruddur", ["nope", "backend-flask"], 5, missing.Add, CancellationToken.None);

        Assert.Equal(["backend-flask"], shown.Select(s => s.Service));
        var e = Assert.Single(missing);
        Assert.Equal(("ServiceNotFound", ErrorKind.ObjectNotFound), (e.ErrorId, e.Kind));
        Assert.Contains("'nope'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Get-CruddurService -Cluster cruddur", e.Message, StringComparison.Ordinal);
        Assert.False(ecs.Listed); // plain names need no listing
    }

    [Fact]
    public async Task NoNameShowsEveryServiceAndAPatternTheOnesItMatchesOnce()
    {
        var ecs = new Cluster { ["backend-flask"] = Service("backend-flask"), ["frontend-react-js"] = Service("frontend-react-js"), ["xray"] = Service("xray") };
        var missing = new List<CruddurException>();

        Assert.Equal(["backend-flask", "frontend-react-js", "xray"], (await Read(ecs, [])).Select(s => s.Service));
        Assert.Equal(["backend-flask", "frontend-react-js"], (await Read(ecs, ["*end*", "backend-flask"])).Select(s => s.Service));
        Assert.Empty(await new ServiceStatusReader(ecs).GetAsync("cruddur", ["zz*"], 5, missing.Add, CancellationToken.None));
        Assert.Empty(missing); // a pattern that matches nothing is no error
    }

    [Fact]
    public async Task AMissingClusterNamesTheRegionAskedIn()
    {
        var e = await Assert.ThrowsAsync<CruddurException>(() => new ServiceStatusReader(new Cluster { Exists = false }) { Region = "eu-west-3" }
            .GetAsync("cruddur", [], 5, _ => { }, CancellationToken.None));

        Assert.Equal("ServiceClusterNotFound", e.ErrorId);
        Assert.Contains("eu-west-3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEventWithoutAMessageShowsAnEmptyOne()
    {
        var service = Service("bare");
        service["events"] = JsonNode.Parse("""[ { "id": "e1", "createdAt": 1800000000.0 } ]""");
        var ecs = new Cluster { ["bare"] = service };

        var s = Assert.Single(await Read(ecs, ["bare"]));

        Assert.Equal(string.Empty, Assert.Single(s.Events).Message);
    }

    [Fact]
    public async Task ATaskWithoutContainersShowsNone()
    {
        var ecs = new Cluster { ["bare"] = Service("bare") };
        ecs.Tasks.Add(JsonNode.Parse("""{ "taskArn": "arn:aws:ecs:us-east-1:1:task/cruddur/t", "lastStatus": "RUNNING" }""")!.AsObject());

        var s = Assert.Single(await Read(ecs, ["bare"]));

        Assert.Empty(Assert.Single(s.Tasks).Containers);
    }

    private static Task<IReadOnlyList<ServiceStatus>> Read(Cluster ecs, IReadOnlyList<string> names, int events = 5) =>
        new ServiceStatusReader(ecs).GetAsync("cruddur", names, events, e => throw e, CancellationToken.None);

    private static JsonObject Service(string name) => new() { ["serviceName"] = name, ["status"] = "ACTIVE", ["taskDefinition"] = $"arn:aws:ecs:us-east-1:1:task-definition/{name}:1" };

    /// <summary>The cluster 'cruddur' with its services; every service runs <see cref="Tasks"/>.</summary>
    private sealed class Cluster : ScriptedEcsClient
    {
        private readonly SortedDictionary<string, JsonObject> _services = new(StringComparer.Ordinal);

        public bool Exists { get; init; } = true;

        public bool Listed { get; private set; }

        public List<JsonObject> Tasks { get; } = [];

        public JsonObject this[string name]
        {
            get => _services[name];
            init => _services[name] = value;
        }

        public override Task<EcsCluster?> DescribeClusterAsync(string name, CancellationToken cancellationToken) =>
            Task.FromResult(Exists ? new EcsCluster($"arn:aws:ecs:us-east-1:1:cluster/{name}", "ACTIVE", null) : null);

        public override Task<IReadOnlyList<string>> ListClusterNamesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>([]);

        public override Task<IReadOnlyList<string>> ListServiceNamesAsync(string cluster, CancellationToken cancellationToken)
        {
            Listed = true;
            return Task.FromResult<IReadOnlyList<string>>(_services.Keys.ToList());
        }

        public override Task<IReadOnlyList<EcsService>> DescribeServicesAsync(string cluster, IReadOnlyList<string> names, CancellationToken cancellationToken)
        {
            Assert.Equal(names.Distinct().Count(), names.Count);
            return Answered(names.Where(_services.ContainsKey).Select(n => _services[n]).ToList());
        }

        public override Task<IReadOnlyList<string>> ListTaskArnsAsync(EcsTaskQuery query, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>(Tasks.Select(t => (string)t["taskArn"]!).ToList());

        public override Task<IReadOnlyList<EcsTask>> DescribeTasksAsync(string cluster, IReadOnlyList<string> tasks, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<EcsTask>>(Tasks.Where(t => tasks.Contains((string)t["taskArn"]!)).Select(EcsClient.Task).ToList());
    }
}
