using System.Text.Json.Nodes;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Tests.Aws;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;

namespace Cruddur.Core.Tests.Deployments;

/// <summary>The watch loop against scripted DescribeServices answers and a fake clock: no sleeping.</summary>
public class DeploymentWatcherTests
{
    /// <summary>
    /// DescribeServices answers by call number, read the way the real client reads an answer; ListTasks (the stability
    /// window's look) answers the cluster's stopped tasks, and DescribeTasks says which deployment started each: a task
    /// named "ecs-svc/x/..." was started by ecs-svc/x, any other by ours.
    /// </summary>
    private sealed class ScriptedEcs(Func<JsonObject, int, JsonObject> describe, Func<int, string[]>? stopped = null) : ScriptedEcsClient
    {
        public List<JsonObject> Requests { get; } = [];

        public List<EcsTaskQuery> ListTasksRequests { get; } = [];

        public List<string> DescribedTasks { get; } = [];

        public override Task<IReadOnlyList<string>> ListTaskArnsAsync(EcsTaskQuery query, CancellationToken cancellationToken)
        {
            Assert.NotNull(stopped);
            ListTasksRequests.Add(query);
            return Task.FromResult<IReadOnlyList<string>>(stopped(ListTasksRequests.Count));
        }

        public override Task<IReadOnlyList<EcsTask>> DescribeTasksAsync(string cluster, IReadOnlyList<string> tasks, CancellationToken cancellationToken)
        {
            DescribedTasks.AddRange(tasks);
            return Task.FromResult<IReadOnlyList<EcsTask>>(tasks.Select(t => EcsClient.Task(new JsonObject
            {
                ["taskArn"] = t, ["lastStatus"] = "STOPPED", ["desiredStatus"] = "STOPPED",
                ["startedBy"] = t.StartsWith("ecs-svc/", StringComparison.Ordinal) ? string.Join('/', t.Split('/')[..2]) : "ecs-svc/ours",
            })).ToList());
        }

        public override Task<IReadOnlyList<EcsService>> DescribeServicesAsync(string cluster, IReadOnlyList<string> names, CancellationToken cancellationToken)
        {
            var request = new JsonObject { ["cluster"] = cluster, ["services"] = new JsonArray(names.Select(n => (JsonNode)n).ToArray()) };
            Requests.Add(request);
            return Task.FromResult(EcsClient.ReadServices(describe(request, Requests.Count)));
        }
    }

    private sealed class FakeTime
    {
        public DateTimeOffset Now { get; private set; } = DateTimeOffset.UnixEpoch;

        public List<TimeSpan> Delays { get; } = [];

        public WatchClock Clock => new(() => Now, (d, _) =>
        {
            Delays.Add(d);
            Now += d;
            return Task.CompletedTask;
        });
    }

    private static Deployment Ours(string service = "backend-flask") => new()
    {
        Cluster = "cruddur",
        Service = service,
        TaskDefinitionArn = $"arn:aws:ecs:us-east-1:1:task-definition/{service}:2",
        DeploymentId = "ecs-svc/ours",
    };

    private static JsonObject Dep(string id, string status, string? rollout, int desired = 1, int running = 0, string? reason = null, int failed = 0)
    {
        var d = new JsonObject { ["id"] = id, ["status"] = status, ["desiredCount"] = desired, ["runningCount"] = running, ["pendingCount"] = desired - running, ["failedTasks"] = failed, ["taskDefinition"] = $"td/x:{(id == "ecs-svc/ours" ? 2 : 1)}" };
        if (rollout is not null)
        {
            d["rolloutState"] = rollout;
            d["rolloutStateReason"] = reason ?? $"ECS deployment {id} {rollout}";
        }

        return d;
    }

    private static JsonObject Svc(string name, params JsonObject[] deployments) => Svc(name, [], deployments);

    private static JsonObject Svc(string name, string[] events, params JsonObject[] deployments) => new()
    {
        ["serviceName"] = name,
        ["status"] = "ACTIVE",
        ["deployments"] = new JsonArray(deployments),
        // Each event's time is ECS's: epoch seconds, one second apart by name (e1 at 2027-01-15 08:00:01Z).
        ["events"] = new JsonArray(events.Select(m => (JsonNode)new JsonObject { ["id"] = m, ["message"] = m, ["createdAt"] = 1_800_000_000.0 + (m.StartsWith('e') ? int.Parse(m[1..]) : 0) }).ToArray()),
    };

    private static JsonObject Answer(params JsonObject[] services) => new() { ["services"] = new JsonArray(services), ["failures"] = new JsonArray() };

    private static async Task<(ServiceWatch Watch, RecordingHost Host, FakeTime Time, ScriptedEcs Ecs)> Watch(Func<int, JsonObject> answers, TimeSpan? timeout = null,
        TimeSpan stableFor = default, Func<int, string[]>? stopped = null)
    {
        var ecs = new ScriptedEcs((_, n) => answers(n), stopped);
        var host = new RecordingHost();
        var time = new FakeTime();
        var watch = new ServiceWatch(Ours(), 1) { StableFor = stableFor };
        await new DeploymentWatcher(ecs, host, time.Clock).WatchAsync([watch], timeout ?? TimeSpan.FromMinutes(15), CancellationToken.None);
        return (watch, host, time, ecs);
    }

    [Fact]
    public async Task SucceedsWhenOurDeploymentIsPrimaryAndCompleted()
    {
        var (w, host, _, ecs) = await Watch(n => n < 3
            ? Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", "IN_PROGRESS"), Dep("ecs-svc/old", "ACTIVE", "COMPLETED", running: 1)))
            : Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", "COMPLETED", running: 1))));

        Assert.Equal(WatchState.Succeeded, w.State);
        Assert.Equal(3, ecs.Requests.Count);
        Assert.Equal(1, w.Deployment.RunningCount);
        Assert.True(host.Progress.Last().Completed);
        Assert.All(host.Progress, p => Assert.Equal(1, p.Id));
    }

    [Fact]
    public async Task ARollbackByTheCircuitBreakerIsAFailureNeverASuccess()
    {
        // The service ends up stable and COMPLETED - on the old revision. Judged by deployment id, that is our failure.
        var (w, _, _, _) = await Watch(n => n switch
        {
            1 => Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", "IN_PROGRESS", failed: 2))),
            2 => Answer(Svc("backend-flask",
                Dep("ecs-svc/rb", "PRIMARY", "IN_PROGRESS", reason: "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/old."),
                Dep("ecs-svc/ours", "ACTIVE", "FAILED", reason: "ECS deployment circuit breaker: tasks failed to start."))),
            _ => Answer(Svc("backend-flask", Dep("ecs-svc/rb", "PRIMARY", "COMPLETED", running: 1))),
        });

        Assert.Equal(WatchState.RolledBackByEcs, w.State);
        Assert.Contains("tasks failed to start", w.Reason);
        Assert.Contains("rolling back", w.Reason);
    }

    [Fact]
    public async Task AfterCompletedTheStabilityWindowRunsItsCourseShowingTheTimeLeftThenSucceeds()
    {
        // A task that stopped during the rollout (ECS replaced it) is the baseline, not a failure of the window.
        var (w, host, time, ecs) = await Watch(_ => Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", "COMPLETED", running: 1))),
            stableFor: TimeSpan.FromSeconds(30), stopped: _ => ["task/replaced-during-rollout"]);

        Assert.Equal(WatchState.Succeeded, w.State);
        Assert.Equal(TimeSpan.FromSeconds(30), time.Now - DateTimeOffset.UnixEpoch);
        Assert.All(ecs.ListTasksRequests, r =>
        {
            Assert.Null(r.StartedBy); // the cluster's stopped tasks, asked once for every service in its window
            Assert.Equal("STOPPED", r.DesiredStatus);
        });
        Assert.Equal(["task/replaced-during-rollout"], ecs.DescribedTasks); // described once, when first seen
        Assert.Contains(host.Progress, p => p.Status == "COMPLETED, stability window: 1/1 running, 30 s left");
        Assert.Contains(host.Progress, p => !p.Completed && p.Status.StartsWith("COMPLETED, stability window", StringComparison.Ordinal) && !p.Status.Contains(" 30 s left", StringComparison.Ordinal));
        Assert.True(host.Progress.Last().Completed);
    }

    [Fact]
    public async Task ATaskOfOursStoppingInTheStabilityWindowFailsTheDeploymentThoughEcsStillSaysCompleted()
    {
        var (w, _, time, _) = await Watch(_ => Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", "COMPLETED", running: 1))),
            stableFor: TimeSpan.FromSeconds(30), stopped: n => n < 4 ? [] : ["task/crashed"]);

        Assert.Equal(WatchState.Failed, w.State);
        Assert.Equal("COMPLETED", w.Deployment.RolloutState);
        Assert.Matches(@"^a task of the deployment stopped within [\d.]+ s of its completion \(stability window 30 s\)$", w.Reason);
        Assert.True(time.Now - DateTimeOffset.UnixEpoch < TimeSpan.FromSeconds(30), "failed as soon as it was seen, not at the end of the window");
    }

    [Fact]
    public async Task TheTimeoutBoundsTheRolloutNotTheStabilityWindow()
    {
        // A window (30 s) longer than the timeout (10 s) still runs to its end: the timeout is for the rollout.
        var (w, _, time, _) = await Watch(_ => Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", "COMPLETED", running: 1))),
            timeout: TimeSpan.FromSeconds(10), stableFor: TimeSpan.FromSeconds(30), stopped: _ => []);

        Assert.Equal(WatchState.Succeeded, w.State);
        Assert.Equal(TimeSpan.FromSeconds(30), time.Now - DateTimeOffset.UnixEpoch);
    }

    [Fact]
    public async Task FailsWhenOurDeploymentFailsWithoutRollback()
    {
        var (w, _, _, _) = await Watch(_ => Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", "FAILED", reason: "ECS deployment circuit breaker: tasks failed to start."))));

        Assert.Equal(WatchState.Failed, w.State);
        Assert.Equal("ECS deployment circuit breaker: tasks failed to start.", w.Reason);
    }

    [Fact]
    public async Task WithoutRolloutStateTheOnlyDeploymentWithAllTasksRunningSucceeds()
    {
        var (w, _, _, ecs) = await Watch(n => n < 2
            ? Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", null, desired: 2, running: 2), Dep("ecs-svc/old", "ACTIVE", null, running: 1)))
            : Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", null, desired: 2, running: 2))));

        Assert.Equal(WatchState.Succeeded, w.State);
        Assert.Equal(2, ecs.Requests.Count);
    }

    [Fact]
    public async Task AnotherDeploymentReplacingOursIsAFailure()
    {
        var (w, _, _, _) = await Watch(_ => Answer(Svc("backend-flask", Dep("ecs-svc/someone", "PRIMARY", "IN_PROGRESS"), Dep("ecs-svc/ours", "ACTIVE", "IN_PROGRESS"))));

        Assert.Equal(WatchState.Failed, w.State);
        Assert.Contains("replaced", w.Reason);
    }

    [Fact]
    public async Task AnotherDeploymentReplacingOursIsNamedInTheReason()
    {
        var (w, _, _, _) = await Watch(_ => Answer(Svc("backend-flask", Dep("ecs-svc/someone", "PRIMARY", "IN_PROGRESS"))));

        Assert.Equal(WatchState.Failed, w.State);
        Assert.Equal("another deployment (ecs-svc/someone, x:1) replaced this one before it completed", w.Reason);
    }

    [Fact]
    public async Task OursFailedAndNoLongerPrimaryIsARollbackByEcsWithBothReasons()
    {
        var (w, _, _, _) = await Watch(_ => Answer(Svc("backend-flask",
            Dep("ecs-svc/old", "PRIMARY", "IN_PROGRESS", reason: "back to the last good one."),
            Dep("ecs-svc/ours", "ACTIVE", "FAILED", reason: "tasks failed to start."))));

        Assert.Equal(WatchState.RolledBackByEcs, w.State);
        Assert.Equal("FAILED", w.Deployment.RolloutState);
        Assert.Equal("tasks failed to start. ECS rolled the service back: back to the last good one.", w.Reason);
    }

    [Theory]
    [InlineData("DRAINING")]
    [InlineData("INACTIVE")]
    public async Task AServiceBeingDeletedFailsTheDeployment(string status)
    {
        var (w, _, _, _) = await Watch(_ =>
        {
            var service = Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", "COMPLETED", running: 1));
            service["status"] = status;
            return Answer(service);
        });

        Assert.Equal(WatchState.Failed, w.State);
        Assert.Equal($"the service is {status} (it is being deleted)", w.Reason);
    }

    [Fact]
    public async Task AServiceThatDisappearsFailsTheDeployment()
    {
        var (w, _, _, _) = await Watch(n => n < 2 ? Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", "IN_PROGRESS"))) : Answer());

        Assert.Equal(WatchState.Failed, w.State);
        Assert.Equal("the service no longer exists", w.Reason);
    }

    [Fact]
    public async Task TheDeploymentCarriesOurCountsAndTheProgressShowsThem()
    {
        var (w, host, _, _) = await Watch(n => n < 2
            ? Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", "IN_PROGRESS", desired: 4, running: 1, failed: 2), Dep("ecs-svc/old", "ACTIVE", "COMPLETED", desired: 9, running: 9)))
            : Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", "COMPLETED", desired: 4, running: 4))));

        Assert.Equal((4, 4, 0, 0), (w.Deployment.DesiredCount, w.Deployment.RunningCount, w.Deployment.PendingCount, w.Deployment.FailedTasks));
        var first = host.Progress.First();
        Assert.Equal(("Deploying cruddur/backend-flask (backend-flask:2)", "IN_PROGRESS: 1/4 running, 3 pending, 2 failed", 25), (first.Activity, first.Status, first.PercentComplete));
        Assert.Contains(host.Progress, p => p.Status == "Succeeded: 4/4 running, 0 pending, 0 failed" && p.PercentComplete == 100);
    }

    [Fact]
    public async Task ASucceededDeploymentOfNoTasksIsComplete()
    {
        var (_, host, _, _) = await Watch(_ => Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", "COMPLETED", desired: 0))));

        Assert.Equal(100, host.Progress.Last().PercentComplete);
    }

    [Fact]
    public async Task TasksStoppedBeforeTheWindowDoNotCountButEachNewOneDoes()
    {
        var (w, _, _, ecs) = await Watch(_ => Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", "COMPLETED", running: 1))),
            stableFor: TimeSpan.FromSeconds(30), stopped: n => n < 3 ? ["task/replaced"] : ["task/replaced", "task/a", "task/b"]);

        Assert.Equal(WatchState.Failed, w.State);
        Assert.StartsWith("2 tasks of the deployment stopped within ", w.Reason, StringComparison.Ordinal);
        Assert.All(ecs.ListTasksRequests, q => Assert.Equal(("cruddur", null, "STOPPED"), (q.Cluster, q.StartedBy, q.DesiredStatus)));

        var (quiet, _, _, _) = await Watch(_ => Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", "COMPLETED", running: 1))),
            stableFor: TimeSpan.FromSeconds(30), stopped: _ => ["task/replaced"]);
        Assert.Equal(WatchState.Succeeded, quiet.State);
    }

    [Fact]
    public async Task ManyServicesInTheirWindowCostOneListTasksPerClusterAndRound_AndOnlyTheirOwnStoppedTasksCount()
    {
        // 50 services of two clusters in their stability window together; a task of another deployment stops in the
        // window (not ours to fail), then one of backend-7's.
        string Id(string service) => service == "backend-7" ? "ecs-svc/seven" : "ecs-svc/ours-" + service;
        var watches = Enumerable.Range(0, 50).Select(i => new ServiceWatch(new Deployment
        {
            Cluster = i % 2 == 0 ? "cruddur" : "other",
            Service = $"backend-{i}",
            TaskDefinitionArn = $"arn:aws:ecs:us-east-1:1:task-definition/backend-{i}:2",
            DeploymentId = Id($"backend-{i}"),
        }, 1) { StableFor = TimeSpan.FromSeconds(30) }).ToArray();

        var ecs = new ScriptedEcs(
            (request, _) => Answer(((JsonArray)request["services"]!).Select(s => Svc((string)s!, Dep(Id((string)s!), "PRIMARY", "COMPLETED", running: 1))).ToArray()),
            n => n <= 4 ? ["ecs-svc/old/a"] : n <= 8 ? ["ecs-svc/old/a", "ecs-svc/else/b"] : ["ecs-svc/old/a", "ecs-svc/else/b", "ecs-svc/seven/c"]);
        var time = new FakeTime();
        var host = new RecordingHost();

        await new DeploymentWatcher(ecs, host, time.Clock).WatchAsync(watches, TimeSpan.FromMinutes(15), CancellationToken.None);

        // One bar for the release, with counts per state; not fifty.
        Assert.All(host.Progress, p => Assert.Equal(DeploymentWatcher.ReleaseProgressId, p.Id));
        Assert.Equal("Deploying 50 services in 2 clusters", host.Progress.First().Activity);
        Assert.Equal("50 stabilizing", host.Progress.First().Status);
        Assert.Contains(host.Progress, p => p.Status == "49 stabilizing, 1 needs attention");
        Assert.Equal(("49 done, 1 needs attention", 100, true), (host.Progress.Last().Status, host.Progress.Last().PercentComplete, host.Progress.Last().Completed));
        Assert.Equal(WatchState.Failed, watches[7].State);
        Assert.StartsWith("a task of the deployment stopped within ", watches[7].Reason, StringComparison.Ordinal);
        Assert.All(watches.Where((_, i) => i != 7), w => Assert.Equal(WatchState.Succeeded, w.State));
        // Each round: DescribeServices in batches of 10 (3 per cluster of 25), one ListTasks per cluster, not one per service.
        Assert.Equal(ecs.Requests.Count / 3, ecs.ListTasksRequests.Count);
        Assert.Equal(2, ecs.ListTasksRequests.Select(q => q.Cluster).Distinct().Count());
        Assert.Equal(ecs.DescribedTasks.Distinct().Count(), ecs.DescribedTasks.Count); // a stopped task is described once
    }

    [Fact]
    public void AReleaseOfAFewServicesKeepsABarEach_AndOfMoreOneBarWithCountsPerState()
    {
        ServiceWatch Watch(int i, WatchState state)
        {
            var w = new ServiceWatch(Ours($"s{i}"), i + 1);
            typeof(ServiceWatch).GetProperty(nameof(ServiceWatch.State))!.SetValue(w, state);
            return w;
        }

        var many = new[] { WatchState.InProgress, WatchState.InProgress, WatchState.Stabilizing, WatchState.Paused, WatchState.Succeeded, WatchState.TimedOut, WatchState.Failed }
            .Select((s, i) => Watch(i, s)).ToList();

        var bar = DeploymentWatcher.ReleaseProgress(many);

        Assert.Equal(("Deploying 7 services", "2 rolling, 1 stabilizing, 1 paused, 1 done, 2 need attention", 57), (bar.Activity, bar.Status, bar.PercentComplete));
        Assert.Equal(5, DeploymentWatcher.ServiceBarsUpTo);
    }

    [Fact]
    public async Task TimesOutAfterTheTimeoutWithoutOvershooting()
    {
        var (w, _, time, _) = await Watch(_ => Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", "IN_PROGRESS", failed: 7))), TimeSpan.FromSeconds(30));

        Assert.Equal(WatchState.TimedOut, w.State);
        Assert.Equal(TimeSpan.FromSeconds(30), time.Now - DateTimeOffset.UnixEpoch);
        Assert.Contains("7 failed tasks", w.Reason);
    }

    [Fact]
    public async Task BacksOffWhileNothingChangesAndIsQuickAgainAfterAChange()
    {
        var (_, _, time, _) = await Watch(n => n switch
        {
            < 6 => Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", "IN_PROGRESS"))),
            6 => Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", "IN_PROGRESS", running: 1))),
            _ => Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", "COMPLETED", running: 1))),
        });

        Assert.Equal(
            new[] { 0.25, 0.5, 1, 2, 4, 0.25 },
            time.Delays.Select(d => d.TotalSeconds));
    }

    [Fact]
    public async Task ShowsEachNewEventOnceOldestFirstAndNotTheOnesFromBefore()
    {
        var ecs = new ScriptedEcs((_, n) => n switch
        {
            1 => Answer(Svc("backend-flask", ["e2", "e1", "old"], Dep("ecs-svc/ours", "PRIMARY", "IN_PROGRESS"))),
            _ => Answer(Svc("backend-flask", ["e3", "e2", "e1", "old"], Dep("ecs-svc/ours", "PRIMARY", "COMPLETED", running: 1))),
        });
        var host = new RecordingHost();
        var watch = new ServiceWatch(Ours(), 1, ["old"]);

        await new DeploymentWatcher(ecs, host, new FakeTime().Clock).WatchAsync([watch], TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(["2027-01-15 08:00:01Z cruddur/backend-flask: e1", "2027-01-15 08:00:02Z cruddur/backend-flask: e2", "2027-01-15 08:00:03Z cruddur/backend-flask: e3"], host.Information);
    }

    [Fact]
    public async Task DescribesTenServicesPerCallAndOnlyTheUnfinishedOnes()
    {
        var ecs = new ScriptedEcs((request, n) => Answer(((JsonArray)request["services"]!).Select(s => Svc((string)s!,
            Dep("ecs-svc/ours", "PRIMARY", n > 3 && (string)s! != "svc-0" ? "COMPLETED" : "IN_PROGRESS", running: 1))).ToArray()));
        var watches = Enumerable.Range(0, 25).Select(i => new ServiceWatch(Ours($"svc-{i}"), i + 1)).ToList();
        var time = new FakeTime();

        await new DeploymentWatcher(ecs, new RecordingHost(), time.Clock).WatchAsync(watches, TimeSpan.FromSeconds(2), CancellationToken.None);

        // ceil(25/10) = 3 calls per round while all are pending; then only the one still in progress is asked about.
        Assert.Equal([10, 10, 5, 10, 10, 5], ecs.Requests.Take(6).Select(r => ((JsonArray)r["services"]!).Count));
        Assert.Equal(WatchState.TimedOut, watches[0].State);
        Assert.All(watches.Skip(1), w => Assert.Equal(WatchState.Succeeded, w.State));
        Assert.All(ecs.Requests.Skip(6), r => Assert.Equal(["svc-0"], ((JsonArray)r["services"]!).Select(s => (string)s!)));
    }

    [Fact]
    public async Task StopsPromptlyWhenCancelled()
    {
        using var cts = new CancellationTokenSource();
        var ecs = new ScriptedEcs((_, n) =>
        {
            if (n == 2)
            {
                cts.Cancel();
            }

            return Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", "IN_PROGRESS")));
        });
        var host = new RecordingHost();
        var clock = new WatchClock(() => DateTimeOffset.UtcNow, Task.Delay);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new DeploymentWatcher(ecs, host, clock).WatchAsync([new ServiceWatch(Ours(), 1)], TimeSpan.FromMinutes(1), cts.Token));

        Assert.Equal(2, ecs.Requests.Count);
        Assert.True(host.Progress.Last().Completed);
    }

    [Fact]
    public async Task EventsTheServiceHadBeforeTheDeploymentAreNotShown()
    {
        var before = Svc("backend-flask", ["old2", "old1"], Dep("ecs-svc/old", "PRIMARY", "COMPLETED", running: 1));
        var ecs = new ScriptedEcs((_, _) => Answer(Svc("backend-flask", ["e1", "old2", "old1"], Dep("ecs-svc/ours", "PRIMARY", "COMPLETED", running: 1))));
        var host = new RecordingHost();

        await new DeploymentWatcher(ecs, host, new FakeTime().Clock).WatchAsync([new ServiceWatch(Ours(), 1, ServiceWatch.EventIds(EcsClient.Service(before)))], TimeSpan.FromMinutes(1), CancellationToken.None);

        Assert.Equal(["2027-01-15 08:00:01Z cruddur/backend-flask: e1"], host.Information);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AServiceWithoutOurDeploymentOrAnyPrimaryFailsTheWatch(bool listsDeployments)
    {
        var (w, _, _, _) = await Watch(_ =>
        {
            var service = Svc("backend-flask", Dep("ecs-svc/ours", "ACTIVE", "IN_PROGRESS"));
            if (!listsDeployments)
            {
                service.Remove("deployments");
            }

            return Answer(service);
        });

        Assert.Equal(WatchState.Failed, w.State);
        Assert.Contains("replaced this one", w.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ECircuitBreakerRollingBackBeforeOursHasAStateIsARollbackByEcs()
    {
        var (w, _, _, _) = await Watch(_ => Answer(Svc("backend-flask",
            Dep("ecs-svc/rb", "PRIMARY", "IN_PROGRESS", reason: "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/old."),
            Dep("ecs-svc/ours", "ACTIVE", null))));

        Assert.Equal((WatchState.RolledBackByEcs, "FAILED"), (w.State, w.Deployment.RolloutState));
        Assert.StartsWith("the deployment failed ECS rolled the service back: ", w.Reason, StringComparison.Ordinal);
        Assert.Contains("rolling back to deploymentId ecs-svc/old", w.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedDeploymentCarriesEcsRolloutStateAndSaysFailedWithoutAReason()
    {
        var (w, _, _, _) = await Watch(_ =>
        {
            var ours = Dep("ecs-svc/ours", "PRIMARY", "FAILED");
            ours.Remove("rolloutStateReason");
            return Answer(Svc("backend-flask", ours));
        });

        Assert.Equal((WatchState.Failed, "FAILED"), (w.State, w.Deployment.RolloutState));
        Assert.Contains("FAILED", w.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADeploymentOfNoTasksShowsNoProgressUntilItSucceeds()
    {
        var (_, host, _, _) = await Watch(n => Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", n < 2 ? "IN_PROGRESS" : "COMPLETED", desired: 0))));

        Assert.Equal((0, 100), (host.Progress.First().PercentComplete, host.Progress.Last().PercentComplete));
    }

    [Fact]
    public async Task StabilityWindowsBackOffAndWindowsEndingTogetherMakeTheNextLookQuick()
    {
        // a and b complete at once with a 1 s window; c stays in progress until the 3 s timeout.
        var watches = new[] { new ServiceWatch(Ours("a"), 1) { StableFor = TimeSpan.FromSeconds(1) }, new ServiceWatch(Ours("b"), 2) { StableFor = TimeSpan.FromSeconds(1) }, new ServiceWatch(Ours("c"), 3) };

        var (delays, host) = await DelaysOf(watches, (name, _) => Svc(name, Dep("ecs-svc/ours", "PRIMARY", name == "c" ? "IN_PROGRESS" : "COMPLETED", running: 1)), _ => []);

        Assert.Equal([0.25, 0.5, 0.25, 0.25, 0.5], delays.Take(5).Select(d => d.TotalSeconds));
        Assert.Contains(host.Progress, p => p.Status == "COMPLETED, stability window: 1/1 running, 0.8 s left");
        Assert.Equal((WatchState.Succeeded, WatchState.Succeeded, WatchState.TimedOut), (watches[0].State, watches[1].State, watches[2].State));
    }

    [Fact]
    public async Task ATaskStoppingInOneWindowMakesTheNextLookAtTheOthersQuick()
    {
        var watches = new[] { new ServiceWatch(Ours("a"), 1) { StableFor = TimeSpan.FromSeconds(10) }, new ServiceWatch(Ours("c"), 2) };

        var (delays, _) = await DelaysOf(watches, (name, _) => Svc(name, Dep("ecs-svc/ours", "PRIMARY", name == "c" ? "IN_PROGRESS" : "COMPLETED", running: 1)), n => n < 3 ? [] : ["task/crashed"]);

        Assert.Equal([0.25, 0.5, 0.25], delays.Take(3).Select(d => d.TotalSeconds));
        Assert.Equal(WatchState.Failed, watches[0].State);
    }

    [Fact]
    public async Task AChangeInAnyServiceOrOneDisappearingMakesTheNextLookQuick()
    {
        var watches = new[] { new ServiceWatch(Ours("c"), 1), new ServiceWatch(Ours("d"), 2) };

        var (delays, _) = await DelaysOf(watches, (name, n) => name == "d" && n >= 3 ? null : Svc(name, Dep("ecs-svc/ours", "PRIMARY", "IN_PROGRESS")), _ => []);

        Assert.Equal([0.25, 0.5, 0.25], delays.Take(3).Select(d => d.TotalSeconds));
        Assert.Equal("the service no longer exists", watches[1].Reason);
    }

    [Fact]
    public async Task WithoutRolloutStateTheProgressSaysInProgress()
    {
        var (_, host, _, _) = await Watch(n => Answer(Svc("backend-flask", Dep("ecs-svc/ours", "PRIMARY", null, desired: 2, running: n < 2 ? 1 : 2))));

        Assert.Equal("IN_PROGRESS: 1/2 running, 1 pending, 0 failed", host.Progress.First().Status);
    }

    /// <summary>Watches with a 3 s timeout; <paramref name="service"/> answers each asked-for service by call number (null: not found).</summary>
    private static async Task<(List<TimeSpan> Delays, RecordingHost Host)> DelaysOf(ServiceWatch[] watches, Func<string, int, JsonObject?> service, Func<int, string[]> stopped)
    {
        var ecs = new ScriptedEcs((request, n) => Answer(((JsonArray)request["services"]!).Select(s => service((string)s!, n)).OfType<JsonObject>().ToArray()), stopped);
        var (host, time) = (new RecordingHost(), new FakeTime());
        await new DeploymentWatcher(ecs, host, time.Clock).WatchAsync(watches, TimeSpan.FromSeconds(3), CancellationToken.None);
        return (time.Delays, host);
    }
}
