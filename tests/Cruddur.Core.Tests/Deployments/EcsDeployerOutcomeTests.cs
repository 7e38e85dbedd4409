using System.Text.Json.Nodes;
using Cruddur.Core.Aws;
using Cruddur.Core.Aws.Clients;
using Cruddur.Core.Deployments;
using Cruddur.Core.Hosting;
using Cruddur.Core.Tests.Aws;

namespace Cruddur.Core.Tests.Deployments;

/// <summary>
/// How a deploy's outcome is decided from what ECS reports: success, our own rollback (and one that fails too), ECS's
/// circuit-breaker rollback, no rollback asked or possible, a timeout, and the revisions -KeepRevisions leaves.
/// </summary>
public sealed class EcsDeployerOutcomeTests
{
    [Fact]
    public async Task ACompletedRolloutSucceedsWithNoReasonsAndNoError()
    {
        var ecs = new RolloutEcs { Revisions = 3 };
        var host = new RecordingHost();

        var d = await DeployOneAsync(ecs, new DeployOptions(), host);

        Assert.Equal(DeploymentOutcome.Succeeded, d.Outcome);
        Assert.Equal(("a:4", "a:3"), (Name(d.TaskDefinitionArn), Name(d.PreviousTaskDefinitionArn!)));
        Assert.Empty(d.FailureReasons);
        Assert.Null(EcsDeployer.ErrorFor(d));
        Assert.Equal(["a:4"], ecs.Updates);
        Assert.Empty(ecs.Deregistered); // -KeepRevisions 0 keeps all
        Assert.Empty(host.Information); // no URL to tell
        Assert.Equal(0, ecs.StoppedTaskLooks); // a success has no stopped tasks to explain
        Assert.Equal($"{d.Cluster}/a a:4 Succeeded", d.ToString()); // what a Deployment nested in another object shows
    }

    [Fact]
    public async Task AFailedRolloutIsRolledBackToThePreviousRevisionAndSaysSo()
    {
        var ecs = new RolloutEcs { Failing = { Arn("a", 2) } };
        var host = new RecordingHost();

        var d = await DeployOneAsync(ecs, new DeployOptions(), host);

        Assert.Equal(DeploymentOutcome.RolledBack, d.Outcome);
        Assert.Equal(["a:2", "a:1"], ecs.Updates);
        Assert.Equal(["the circuit breaker tripped"], d.FailureReasons); // the rollback that worked adds no reason
        var error = EcsDeployer.ErrorFor(d)!;
        Assert.Equal("DeployFailed", error.ErrorId);
        Assert.Contains("failed (the service was rolled back to a:1)", error.Message, StringComparison.Ordinal);
        Assert.Contains("WARNING: cruddur/a: a:2 failed; rolling back to a:1.", host.Messages);
    }

    [Fact]
    public async Task ARollbackThatFailsTooIsReportedAsRollbackFailedNotRolledBack()
    {
        var ecs = new RolloutEcs { Failing = { Arn("a", 2), Arn("a", 1) } };

        var d = await DeployOneAsync(ecs, new DeployOptions());

        Assert.Equal(DeploymentOutcome.RollbackFailed, d.Outcome);
        Assert.Equal(["a:2", "a:1"], ecs.Updates);
        Assert.Equal(["the circuit breaker tripped", "rollback to a:1: the circuit breaker tripped"], d.FailureReasons);
        var error = EcsDeployer.ErrorFor(d)!;
        Assert.Equal("DeployFailed", error.ErrorId);
        Assert.Contains("failed (the rollback to a:1 failed too)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutRollbackAFailedRolloutStaysFailedAndNothingElseIsDeployed()
    {
        var ecs = new RolloutEcs { Failing = { Arn("a", 2) } };

        var d = await DeployOneAsync(ecs, new DeployOptions { Rollback = false });

        Assert.Equal(DeploymentOutcome.Failed, d.Outcome);
        Assert.Equal(["the circuit breaker tripped"], d.FailureReasons);
        Assert.Equal(["a:2"], ecs.Updates);
    }

    [Fact]
    public async Task ARollbackByTheCircuitBreakerIsNotRolledBackAgain()
    {
        var ecs = new RolloutEcs { Failing = { Arn("a", 2) }, CircuitBreakerRollsBack = true };

        var d = await DeployOneAsync(ecs, new DeployOptions());

        Assert.Equal(DeploymentOutcome.RolledBackByEcs, d.Outcome);
        Assert.Equal(["a:2"], ecs.Updates);
        Assert.Contains("failed (ECS rolled the service back to the previous deployment)", EcsDeployer.ErrorFor(d)!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARolloutThatNeverCompletesTimesOutAndIsRolledBack()
    {
        var ecs = new RolloutEcs { Stuck = { Arn("a", 2) } };
        var now = DateTimeOffset.UnixEpoch;
        var clock = new WatchClock(() => now, (delay, _) => { now += delay; return Task.CompletedTask; });

        var d = await DeployOneAsync(ecs, new DeployOptions { Timeout = TimeSpan.FromMinutes(1) }, clock: clock);

        Assert.Equal(DeploymentOutcome.RolledBack, d.Outcome);
        Assert.True(d.TimedOut);
        Assert.Equal(["a:2", "a:1"], ecs.Updates);
        Assert.StartsWith("the deployment did not complete within", d.FailureReasons[0], StringComparison.Ordinal);
        Assert.Equal("DeployTimedOut", EcsDeployer.ErrorFor(d)!.ErrorId);
    }

    [Fact]
    public async Task KeepRevisionsDeregistersOnlyAfterSuccessAndKeepsTheNewest()
    {
        var ecs = new RolloutEcs { Revisions = 3 };

        var d = await DeployOneAsync(ecs, new DeployOptions { KeepRevisions = 2 });

        Assert.Equal(DeploymentOutcome.Succeeded, d.Outcome);
        Assert.Equal(["a:4", "a:3"], ecs.ActiveRevisions.Select(Name));
        Assert.Equal(["a:2", "a:1"], ecs.Deregistered.Select(Name));

        var failing = new RolloutEcs { Revisions = 3, Failing = { Arn("a", 4) } };
        Assert.Equal(DeploymentOutcome.RolledBack, (await DeployOneAsync(failing, new DeployOptions { KeepRevisions = 1 })).Outcome);
        Assert.Empty(failing.Deregistered);
    }

    private static async Task<Deployment> DeployOneAsync(RolloutEcs ecs, DeployOptions options, RecordingHost? host = null, WatchClock? clock = null)
    {
        var result = await new EcsDeployer(ecs, host ?? new RecordingHost(), (_, _) => Task.FromResult<string?>(null),
                clock ?? new WatchClock(() => DateTimeOffset.UnixEpoch, (_, _) => Task.CompletedTask))
            .DeployAsync([new DeployTarget("cruddur", "a") { Image = "img:2" }], options, CancellationToken.None);
        Assert.Null(result.Failure);
        return Assert.Single(result.Deployments);
    }

    internal static string Arn(string family, int revision) => $"arn:aws:ecs:us-east-1:123456789012:task-definition/{family}:{revision}";

    internal static string Name(string arn) => arn[(arn.LastIndexOf('/') + 1)..];

    /// <summary>
    /// One service 'a' running revision <see cref="Revisions"/>; an update starts a deployment of that revision, which ECS
    /// reports COMPLETED at once, FAILED when the revision is in <see cref="Failing"/>, IN_PROGRESS when in <see cref="Stuck"/>.
    /// Optionally: the service does not exist until created (<see cref="Exists"/>), its deployments have stopped tasks,
    /// revisions carry tags or are deregistered or unknown, and some calls fail.
    /// </summary>
    internal sealed class RolloutEcs : ScriptedEcsClient
    {
        private string? _running;
        private int _deployments;

        public int Revisions { get; init; } = 1;

        /// <summary>The id of the deployment the last UpdateService started: what ECS puts in its tasks' startedBy.</summary>
        public string CurrentDeploymentId => $"ecs-svc/{_deployments}";

        public HashSet<string> Failing { get; } = [];

        public HashSet<string> Stuck { get; } = [];

        public bool CircuitBreakerRollsBack { get; init; }

        public List<string> Updates { get; } = [];

        public List<string> Deregistered { get; } = [];

        /// <summary>False: DescribeServices finds no service 'a' until CreateService made it.</summary>
        public bool Exists { get; set; } = true;

        public List<JsonObject> Created { get; } = [];

        public List<JsonObject> Registered { get; } = [];

        /// <summary>The stopped tasks of every deployment (DescribeTasks' shape); with <see cref="StoppedTasksFail"/> reading them fails.</summary>
        public List<JsonObject> StoppedTasks { get; } = [];

        public Exception? StoppedTasksFail { get; init; }

        /// <summary>How often the stopped tasks were listed.</summary>
        public int StoppedTaskLooks { get; private set; }

        /// <summary>The running tasks of every deployment (DescribeTasks' shape), for the target health check.</summary>
        public List<JsonObject> RunningTasks { get; } = [];

        /// <summary>"a:2 cruddur:completed-at" per TagResource; <see cref="TagsFail"/> makes TagResource fail.</summary>
        public List<string> Tagged { get; } = [];

        public bool TagsFail { get; init; }

        /// <summary>Tags by revision ARN, for ListTagsResource.</summary>
        public Dictionary<string, Dictionary<string, string>> Tags { get; } = [];

        /// <summary>Revisions DescribeTaskDefinition reports INACTIVE; references it does not know (ClientException).</summary>
        public HashSet<string> Inactive { get; } = [];

        public HashSet<string> Unknown { get; } = [];

        /// <summary>The target groups the service is registered in (loadBalancers); none of its tasks has an IP to check.</summary>
        public List<string> TargetGroups { get; } = [];

        /// <summary>From this many updates on, DescribeServices answers something unreadable (0: never).</summary>
        public int GarbledFromUpdate { get; init; }

        /// <summary>UpdateService's answer shows no PRIMARY deployment of the new revision; or has no deployments field at all.</summary>
        public bool AnswerWithoutPrimary { get; init; }

        public bool AnswerWithoutDeployments { get; init; }

        public List<string> ActiveRevisions => Enumerable.Range(1, _registered).Reverse().Select(r => Arn("a", r)).Except(Deregistered).ToList();

        private int _registered;

        private string Running => _running ??= Arn("a", _registered = Revisions);

        // Only the cluster 'cruddur' exists.
        public override Task<EcsCluster?> DescribeClusterAsync(string name, CancellationToken cancellationToken) =>
            Task.FromResult(name == "cruddur" ? new EcsCluster($"arn:aws:ecs:us-east-1:1:cluster/{name}", "ACTIVE", null) : null);

        // A deploy seen to complete tags its revision (Undo's record of releases).
        public override Task TagResourceAsync(string arn, string key, string value, CancellationToken cancellationToken)
        {
            if (TagsFail)
            {
                throw new AwsServiceException("ECS", "TagResource", "AccessDeniedException", "not authorized to perform: ecs:TagResource", 400);
            }

            Tagged.Add($"{Name(arn)} {key}");
            return Task.CompletedTask;
        }

        public override Task<IReadOnlyList<EcsService>> DescribeServicesAsync(string cluster, IReadOnlyList<string> names, CancellationToken cancellationToken)
        {
            if (cluster != "cruddur")
            {
                throw new AwsServiceException("ECS", "DescribeServices", "ClusterNotFoundException", "Cluster not found.", 400);
            }

            if (!Exists)
            {
                return Answered([]);
            }

            if (GarbledFromUpdate > 0 && Updates.Count >= GarbledFromUpdate)
            {
                throw new CruddurException("AwsResponseInvalid", ErrorKind.InvalidData, "ECS DescribeServices answered something that is not JSON.");
            }

            var deployments = new JsonArray();
            if (_deployments > 0)
            {
                var arn = Running;
                var state = Failing.Contains(arn) ? "FAILED" : Stuck.Contains(arn) ? "IN_PROGRESS" : "COMPLETED";
                deployments.Add(new JsonObject
                {
                    ["id"] = $"ecs-svc/{_deployments}",
                    ["status"] = state == "FAILED" && CircuitBreakerRollsBack ? "ACTIVE" : "PRIMARY",
                    ["taskDefinition"] = arn,
                    ["rolloutState"] = state,
                    ["rolloutStateReason"] = state == "FAILED" ? "the circuit breaker tripped" : null,
                    ["desiredCount"] = 1,
                    ["runningCount"] = state == "COMPLETED" ? 1 : 0,
                });
                if (state == "FAILED" && CircuitBreakerRollsBack)
                {
                    deployments.Add(new JsonObject
                    {
                        ["id"] = "ecs-svc/back",
                        ["status"] = "PRIMARY",
                        ["taskDefinition"] = Arn("a", 1),
                        ["rolloutState"] = "IN_PROGRESS",
                        ["rolloutStateReason"] = "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/0.",
                    });
                }
            }

            return Answered(
            [
                new JsonObject
                {
                    ["serviceName"] = "a",
                    ["status"] = "ACTIVE",
                    ["taskDefinition"] = Running,
                    ["events"] = new JsonArray(),
                    ["deployments"] = deployments,
                    ["loadBalancers"] = new JsonArray(TargetGroups.Select(g => (JsonNode)new JsonObject { ["targetGroupArn"] = g }).ToArray()),
                },
            ]);
        }

        // Any reference (family, family:revision or ARN) of family 'a'; a bare family means the newest revision.
        public override Task<EcsTaskDefinition> DescribeTaskDefinitionAsync(string reference, CancellationToken cancellationToken)
        {
            var arn = reference.StartsWith("arn:", StringComparison.Ordinal) ? reference
                : reference.Contains(':', StringComparison.Ordinal) ? $"arn:aws:ecs:us-east-1:123456789012:task-definition/{reference}" : Arn(reference, Math.Max(_registered, Revisions));
            if (Unknown.Contains(reference))
            {
                throw new AwsServiceException("ECS", "DescribeTaskDefinition", "ClientException", "Unable to describe task definition.", 400);
            }

            return Defined(new JsonObject
            {
                ["taskDefinitionArn"] = arn,
                ["family"] = AwsArn.Family(arn),
                ["status"] = Inactive.Contains(arn) ? "INACTIVE" : "ACTIVE",
                ["containerDefinitions"] = new JsonArray(new JsonObject { ["name"] = "a", ["image"] = "img:1" }),
            });
        }

        public override Task<string> RegisterTaskDefinitionAsync(JsonObject definition, CancellationToken cancellationToken)
        {
            _ = Running;
            Registered.Add(definition);
            return Task.FromResult(Arn("a", ++_registered));
        }

        public override Task<EcsService> CreateServiceAsync(JsonObject definition, CancellationToken cancellationToken)
        {
            Created.Add((JsonObject)definition.DeepClone());
            Exists = true;
            return UpdateServiceAsync((string)definition["cluster"]!, (string)definition["serviceName"]!, (string)definition["taskDefinition"]!, null, cancellationToken);
        }

        public override Task<EcsService> UpdateServiceAsync(string cluster, string service, string taskDefinitionArn, ServiceChanges? changes, CancellationToken cancellationToken)
        {
            Updates.Add(Name(taskDefinitionArn));
            _running = taskDefinitionArn;
            _deployments++;
            return Task.FromResult(EcsClient.Service(AnswerWithoutDeployments ? new JsonObject { ["serviceName"] = service } : new JsonObject
            {
                ["deployments"] = new JsonArray(new JsonObject { ["id"] = $"ecs-svc/{_deployments}", ["status"] = AnswerWithoutPrimary ? "ACTIVE" : "PRIMARY", ["taskDefinition"] = taskDefinitionArn }),
            }));
        }

        public override Task<IReadOnlyList<string>> ListTaskArnsAsync(EcsTaskQuery query, CancellationToken cancellationToken)
        {
            if (query.DesiredStatus == "RUNNING")
            {
                return Task.FromResult<IReadOnlyList<string>>(RunningTasks.Select(t => (string)t["taskArn"]!).ToList());
            }

            Assert.Equal("STOPPED", query.DesiredStatus);
            StoppedTaskLooks++;
            return StoppedTasksFail is { } e ? throw e : Task.FromResult<IReadOnlyList<string>>(StoppedTasks.Select(t => (string)t["taskArn"]!).ToList());
        }

        public override Task<IReadOnlyList<EcsTask>> DescribeTasksAsync(string cluster, IReadOnlyList<string> tasks, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<EcsTask>>(StoppedTasks.Concat(RunningTasks).Where(t => tasks.Contains((string)t["taskArn"]!)).Select(EcsClient.Task).ToList());

        public override Task<IReadOnlyDictionary<string, string>> ListTagsAsync(string arn, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyDictionary<string, string>>(Tags.GetValueOrDefault(arn) ?? []);

        public override Task<IReadOnlyList<string>> ListActiveRevisionsAsync(string family, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>(ActiveRevisions);

        public override Task<IReadOnlyList<string>> ListClusterNamesAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>(["cruddur"]);

        public override Task<IReadOnlyList<string>> ListServiceNamesAsync(string cluster, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>(["a"]);

        public override Task DeregisterTaskDefinitionAsync(string arn, CancellationToken cancellationToken)
        {
            Deregistered.Add(arn);
            return Task.CompletedTask;
        }
    }
}
