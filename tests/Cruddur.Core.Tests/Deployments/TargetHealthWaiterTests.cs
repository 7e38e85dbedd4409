using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;
using Cruddur.Core.Tests.Aws;

namespace Cruddur.Core.Tests.Deployments;

/// <summary>
/// The target-health check of a release of many services in two clusters: one loop, whose rounds cost ECS calls per
/// cluster (not per service), with each service's outcome as a check of its own would give it.
/// </summary>
public sealed class TargetHealthWaiterTests
{
    private const string Arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup";

    [Theory]
    [InlineData(30)]
    [InlineData(60)]
    public async Task ARoundCostsEcsCallsPerClusterWhateverTheNumberOfServices(int services)
    {
        var (ecs, elb, watches) = Release(services);
        elb.SetAll("initial");
        var clock = new Clock { OnDelay = () => elb.SetAll("healthy") };
        var host = new RecordingHost();

        await new TargetHealthWaiter(ecs, elb, host, clock.Watch).WaitAsync(watches, TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.All(watches, w => Assert.Equal(WatchState.Succeeded, w.State));
        Assert.Equal(TimeSpan.FromSeconds(1), clock.Waited); // two rounds
        // The same ECS calls for 30 services as for 60: the services described once per cluster, then per round one
        // ListTasks of each cluster's running tasks (every page), and each task described once.
        Assert.Equal(2, ecs.DescribeServicesCalls);
        Assert.Equal(["c1", "c2", "c1", "c2"], ecs.ListTasksCalls);
        Assert.Equal(["c1", "c2"], ecs.DescribeTasksCalls);
        Assert.Equal(ecs.TaskCount, ecs.Described.Count);
        Assert.Equal(ecs.TaskCount, ecs.Described.Distinct().Count());
        // ELB: each target group once a round; the last two services share one.
        Assert.Equal(2 * (services - 1), elb.Asked.Count);
        Assert.Equal(services - 1, elb.Asked.Distinct().Count());

        // One bar, the count of services waiting and the first target waited for.
        var bar = Assert.Single(host.Progress, p => !p.Completed);
        Assert.Equal((90, $"Waiting for healthy targets of {services} services"), (bar.Id, bar.Activity));
        Assert.Equal("c1/s0: task s0-0 (10.0.0.1) in target group tg0 is initial (Elb.RegistrationInProgress: Target registration is in progress)", bar.Status);
        Assert.True(host.Progress.Last().Completed);
    }

    [Fact]
    public async Task EachServiceEndsAsItsOwnCheckWouldEndIt()
    {
        var (ecs, elb, watches) = Release(30);
        elb.SetAll("healthy");
        elb.Set(3, "unhealthy", "Target.ResponseCodeMismatch", "Health checks failed with these codes: [500]"); // c1, behind the first page of tasks
        elb.Set(5, "initial");
        elb.Set(7, "initial");
        elb.Unregistered(7, 1); // one of s7's tasks is never registered
        elb.Set(9, "initial", task: 0);
        ecs.Starting(9, 1); // the other has no address yet
        elb.Set(25, "initial"); // c2
        var round = 1;
        var clock = new Clock
        {
            OnDelay = () =>
            {
                if (++round == 2)
                {
                    elb.Set(5, "draining", "Target.DeregistrationInProgress", "Target deregistration is in progress");
                    elb.Set(25, "healthy");
                    elb.Set(9, "healthy", task: 0);
                    ecs.Started(9, 1);
                    elb.Set(9, "unhealthy", "Target.Timeout", "Request timed out", task: 1);
                }
            },
        };

        await new TargetHealthWaiter(ecs, elb, new RecordingHost(), clock.Watch).WaitAsync(watches, TimeSpan.FromSeconds(3), CancellationToken.None);

        Assert.Equal(
            "the load balancer's targets are not healthy: task s3-0 (10.0.3.1) in target group tg3 is unhealthy: Target.ResponseCodeMismatch: Health checks failed with these codes: [500]; "
            + "task s3-1 (10.0.3.2) in target group tg3 is unhealthy: Target.ResponseCodeMismatch: Health checks failed with these codes: [500]",
            watches[3].Reason);
        Assert.Equal(1, elb.Asked.Count(g => g.EndsWith("/tg3/0", StringComparison.Ordinal))); // failed at once, not asked again
        Assert.StartsWith("the load balancer's targets are not healthy: task s5-0 (10.0.5.1) in target group tg5 is draining: Target.DeregistrationInProgress", watches[5].Reason, StringComparison.Ordinal);
        Assert.Equal(2, elb.Asked.Count(g => g.EndsWith("/tg5/0", StringComparison.Ordinal)));
        // Still missing or initial when the time is up (3 s, the fourth round): fails with every target waited for.
        Assert.Equal(
            "the load balancer's targets are not healthy: task s7-0 (10.0.7.1) in target group tg7 is initial (Elb.RegistrationInProgress: Target registration is in progress); "
            + "task s7-1 (10.0.7.2) in target group tg7 is not registered",
            watches[7].Reason);
        Assert.Equal(TimeSpan.FromSeconds(3), clock.Waited);
        Assert.Equal(4, elb.Asked.Count(g => g.EndsWith("/tg7/0", StringComparison.Ordinal)));
        // A task still starting is described again until it runs, then looked at.
        Assert.Equal("the load balancer's targets are not healthy: task s9-1 (10.0.9.2) in target group tg9 is unhealthy: Target.Timeout: Request timed out", watches[9].Reason);
        Assert.Equal(2, ecs.Described.Count(a => a.EndsWith("/s9-1", StringComparison.Ordinal)));
        Assert.Equal(1, ecs.Described.Count(a => a.EndsWith("/s9-0", StringComparison.Ordinal)));
        Assert.Equal(WatchState.Succeeded, watches[25].State);
        Assert.All(watches.Where((_, i) => i is not (3 or 5 or 7 or 9)), w => Assert.Equal(WatchState.Succeeded, w.State));
        Assert.All(new[] { 3, 5, 7, 9 }, i => Assert.Equal(WatchState.Failed, watches[i].State));
    }

    [Fact]
    public async Task WhileNothingChangesTheRoundsGrowApart_AndAChangeBringsThemCloseAgain()
    {
        var (ecs, elb, watches) = Release(30);
        elb.SetAll("initial");
        var clock = new Clock();
        clock.OnDelay = () =>
        {
            if (clock.Waited == TimeSpan.FromSeconds(12))
            {
                elb.Set(0, "healthy"); // one service done: a change
            }

            if (clock.Waited >= TimeSpan.FromSeconds(60))
            {
                elb.SetAll("healthy");
            }
        };

        await new TargetHealthWaiter(ecs, elb, new RecordingHost(), clock.Watch).WaitAsync(watches, TimeSpan.FromMinutes(15), CancellationToken.None);

        Assert.All(watches, w => Assert.Equal(WatchState.Succeeded, w.State));
        // Rounds at 0, 1, 3, 7 and 12 s (s0 healthy: a change), 13, 15, 19, then every 5 s up to 64 s: 17 rounds, not 65.
        Assert.Equal([1, 2, 4, 5, 1, 2, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5], clock.Delays.Select(d => (int)d.TotalSeconds));
        Assert.Equal(2 * 17, ecs.ListTasksCalls.Count);
        Assert.Equal((5 * 29) + (12 * 28), elb.Asked.Count); // s0's group is asked no more once it is healthy
    }

    [Fact]
    public async Task CtrlCStopsTheWaitAtOnce()
    {
        var (ecs, elb, watches) = Release(30);
        elb.SetAll("initial");
        using var stop = new CancellationTokenSource();
        var clock = new Clock { OnDelay = stop.Cancel, HonourCancellation = true };
        var host = new RecordingHost();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new TargetHealthWaiter(ecs, elb, host, clock.Watch).WaitAsync(watches, TimeSpan.FromMinutes(15), stop.Token));

        Assert.Equal(["c1", "c2"], ecs.ListTasksCalls); // nothing asked after the stop
        Assert.Equal(29, elb.Asked.Count);
        Assert.All(watches, w => Assert.Equal(WatchState.Succeeded, w.State)); // decided by nobody
        Assert.True(host.Progress.Last().Completed);
    }

    /// <summary>
    /// <paramref name="count"/> services that ECS called a success, two thirds in cluster c1 and the rest in c2, each with
    /// two running tasks of its deployment and a target group of its own (the last two share one). Each cluster also runs
    /// 80 tasks of other deployments and a one-off task, listed first: ours are past ListTasks' first page.
    /// </summary>
    private static (Fleet Ecs, Elb Elb, List<ServiceWatch> Watches) Release(int count)
    {
        var ecs = new Fleet();
        var elb = new Elb();
        var watches = new List<ServiceWatch>();
        foreach (var cluster in new[] { "c1", "c2" })
        {
            for (var n = 0; n < 80; n++)
            {
                ecs.Add(cluster, $"old-{n}", "ecs-svc/old", $"10.9.{n}.1");
            }

            ecs.Add(cluster, "one-off", null, "10.9.99.1");
        }

        for (var i = 0; i < count; i++)
        {
            var cluster = i < count * 2 / 3 ? "c1" : "c2";
            var group = $"{Arn}/tg{(i == count - 1 ? i - 1 : i)}/0";
            ecs.Services[(cluster, $"s{i}")] = group;
            for (var k = 0; k < 2; k++)
            {
                ecs.Add(cluster, $"s{i}-{k}", $"ecs-svc/{i}", $"10.0.{i}.{k + 1}");
                elb.Expect(group, $"10.0.{i}.{k + 1}");
            }

            var watch = new ServiceWatch(new Deployment { Cluster = cluster, Service = $"s{i}", TaskDefinitionArn = $"arn:aws:ecs:us-east-1:1:task-definition/s{i}:2", DeploymentId = $"ecs-svc/{i}" }, i + 1);
            watch.Observe(EcsClient.Service(JsonNode.Parse($$"""{ "serviceName": "s{{i}}", "status": "ACTIVE", "deployments": [ { "id": "ecs-svc/{{i}}", "status": "PRIMARY", "rolloutState": "COMPLETED" } ] }""")!.AsObject()));
            watches.Add(watch);
        }

        return (ecs, elb, watches);
    }

    /// <summary>A clock whose delays pass at once and are added up; <see cref="OnDelay"/> changes the world meanwhile.</summary>
    private sealed class Clock
    {
        private DateTimeOffset _now = DateTimeOffset.UnixEpoch;

        public Clock() => Watch = new WatchClock(() => _now, (delay, token) =>
        {
            _now += delay;
            Waited += delay;
            Delays.Add(delay);
            OnDelay?.Invoke();
            return HonourCancellation ? Task.FromCanceled(token) : Task.CompletedTask;
        });

        public WatchClock Watch { get; }

        public TimeSpan Waited { get; private set; }

        public List<TimeSpan> Delays { get; } = [];

        public Action? OnDelay { get; set; }

        /// <summary>The delay ends cancelled (a Ctrl+C during it), as Task.Delay does.</summary>
        public bool HonourCancellation { get; init; }
    }

    /// <summary>Clusters of tasks and the services' target groups, as ECS answers for them; counts every call.</summary>
    private sealed class Fleet : ScriptedEcsClient
    {
        private readonly Dictionary<string, List<JsonObject>> _tasks = [];

        public Dictionary<(string Cluster, string Service), string> Services { get; } = [];

        public int DescribeServicesCalls { get; private set; }

        public List<string> ListTasksCalls { get; } = [];

        public List<string> DescribeTasksCalls { get; } = [];

        public List<string> Described { get; } = [];

        public int TaskCount => _tasks.Values.Sum(t => t.Count);

        public void Add(string cluster, string id, string? startedBy, string ip)
        {
            var task = new JsonObject
            {
                ["taskArn"] = $"arn:aws:ecs:us-east-1:1:task/{cluster}/{id}",
                ["lastStatus"] = "RUNNING",
                ["desiredStatus"] = "RUNNING",
                ["attachments"] = new JsonArray(new JsonObject
                {
                    ["type"] = "ElasticNetworkInterface",
                    ["details"] = new JsonArray(new JsonObject { ["name"] = "privateIPv4Address", ["value"] = ip }),
                }),
            };
            if (startedBy is not null)
            {
                task["startedBy"] = startedBy;
            }

            (_tasks.TryGetValue(cluster, out var list) ? list : _tasks[cluster] = []).Add(task);
        }

        /// <summary>Task k of service i is PROVISIONING, without an address yet.</summary>
        public void Starting(int i, int k) => Change(i, k, t =>
        {
            t["lastStatus"] = "PROVISIONING";
            t["attachments"]![0]!["details"] = new JsonArray();
        });

        /// <summary>Task k of service i runs and has its address.</summary>
        public void Started(int i, int k) => Change(i, k, t =>
        {
            t["lastStatus"] = "RUNNING";
            t["attachments"]![0]!["details"] = new JsonArray(new JsonObject { ["name"] = "privateIPv4Address", ["value"] = $"10.0.{i}.{k + 1}" });
        });

        private void Change(int i, int k, Action<JsonObject> change) =>
            change(_tasks.Values.SelectMany(t => t).Single(t => ((string)t["taskArn"]!).EndsWith($"/s{i}-{k}", StringComparison.Ordinal)));

        public override Task<IReadOnlyList<EcsService>> DescribeServicesAsync(string cluster, IReadOnlyList<string> names, CancellationToken cancellationToken)
        {
            DescribeServicesCalls++;
            return Answered(names.Select(n => new JsonObject
            {
                ["serviceName"] = n,
                ["status"] = "ACTIVE",
                ["loadBalancers"] = new JsonArray(new JsonObject { ["targetGroupArn"] = Services[(cluster, n)], ["containerPort"] = 4567 }),
            }).ToList());
        }

        // As ECS: the cluster's tasks whose desired status is RUNNING; one page of 100 when only the first is asked for.
        public override Task<IReadOnlyList<string>> ListTaskArnsAsync(EcsTaskQuery query, CancellationToken cancellationToken)
        {
            Assert.Equal((null, null, "RUNNING"), (query.ServiceName, query.StartedBy, query.DesiredStatus));
            ListTasksCalls.Add(query.Cluster);
            var arns = _tasks[query.Cluster].Select(t => (string)t["taskArn"]!);
            return Task.FromResult<IReadOnlyList<string>>((query.FirstPageOnly ? arns.Take(100) : arns).ToList());
        }

        public override Task<IReadOnlyList<EcsTask>> DescribeTasksAsync(string cluster, IReadOnlyList<string> tasks, CancellationToken cancellationToken)
        {
            DescribeTasksCalls.Add(cluster);
            Described.AddRange(tasks);
            return Task.FromResult<IReadOnlyList<EcsTask>>(_tasks[cluster].Where(t => tasks.Contains((string)t["taskArn"]!)).Select(EcsClient.Task).ToList());
        }
    }

    /// <summary>Each target group's targets: the services' task addresses, in the state set; counts every call.</summary>
    private sealed class Elb : ScriptedElbv2Client
    {
        private readonly Dictionary<string, List<string>> _expected = [];
        private readonly Dictionary<string, (string State, string? Reason, string? Description)> _states = [];
        private readonly HashSet<string> _unregistered = [];

        public List<string> Asked { get; } = [];

        public void Expect(string group, string ip) => (_expected.TryGetValue(group, out var list) ? list : _expected[group] = []).Add(ip);

        public void SetAll(string state)
        {
            foreach (var ip in _expected.Values.SelectMany(l => l))
            {
                _states[ip] = State(state, null, null);
            }
        }

        /// <summary>Both tasks of service i, or only its task k.</summary>
        public void Set(int service, string state, string? reason = null, string? description = null, int? task = null)
        {
            foreach (var k in task is { } only ? [only] : new[] { 0, 1 })
            {
                _states[$"10.0.{service}.{k + 1}"] = State(state, reason, description);
            }
        }

        public void Unregistered(int service, int task) => _unregistered.Add($"10.0.{service}.{task + 1}");

        private static (string, string?, string?) State(string state, string? reason, string? description) =>
            state == "initial" ? (state, "Elb.RegistrationInProgress", "Target registration is in progress") : (state, reason, description);

        public override Task<IReadOnlyList<TargetHealth>> DescribeTargetHealthAsync(string targetGroupArn, CancellationToken cancellationToken)
        {
            Asked.Add(targetGroupArn);
            return Task.FromResult<IReadOnlyList<TargetHealth>>(_expected[targetGroupArn].Where(ip => !_unregistered.Contains(ip))
                .Select(ip => new TargetHealth(ip, 4567, _states[ip].State, _states[ip].Reason, _states[ip].Description)).ToList());
        }
    }
}
